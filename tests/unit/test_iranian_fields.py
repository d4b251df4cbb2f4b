"""Validation Iranians expect (engine.definitions.forms with engine.definitions.identifiers): a national
id's check digit, mobiles and phones in any digits with +98, postal codes, Sheba's mod-97, digits stored
as Latin, no past day where a date field disallows it, errors named inside repeating rows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.definitions.forms import validate_submission
from engine.errors import InvalidData

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)  # 1405/09/12 in Tehran


def field(kind: str, key: str = "value", **extra) -> dict:
    return {"components": [{"key": key, "type": "textfield", "validate": {"validationType": kind}, **extra}]}


def cleaned(form: dict, value) -> object:
    return validate_submission(form, {"value": value}, NOW)["value"]


def refused(form: dict, data: dict) -> dict:
    with pytest.raises(InvalidData) as caught:
        validate_submission(form, data, NOW)
    return {name: message.template for name, message in caught.value.field_errors.items()}


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0012345679", "0012345679"),
        ("۰۰۱۲۳۴۵۶۷۹", "0012345679"),  # Persian digits
        ("٠٠١٢٣٤٥٦٧٩", "0012345679"),  # Arabic-Indic digits
        ("001-234567-9", "0012345679"),
        ("4608968882", "4608968882"),
        (" 4608968882 ", "4608968882"),
    ],
)
def test_good_national_ids_are_stored_in_latin_digits(typed, stored):
    assert cleaned(field("nationalId"), typed) == stored


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("0012345678", "check digit"),  # one digit off
        ("۰۰۱۲۳۴۵۶۷۰", "check digit"),
        ("1111111111", "check digit"),  # all the same digit: never issued
        ("0000000000", "check digit"),
        ("12345", "10 digits"),
        ("00123456790", "10 digits"),
        ("abcdefghij", "10 digits"),
    ],
)
def test_bad_national_ids_are_refused_saying_why(typed, problem):
    assert problem in refused(field("nationalId"), {"value": typed})["value"]


@pytest.mark.parametrize(
    "typed",
    [
        "09121234567",
        "۰۹۱۲۱۲۳۴۵۶۷",
        "٠٩١٢١٢٣٤٥٦٧",
        "+989121234567",
        "+98 912 123 4567",
        "00989121234567",
        "9121234567",
        "0912-123-4567",
    ],
)
def test_a_mobile_in_any_digits_is_stored_as_09(typed):
    assert cleaned(field("mobile"), typed) == "09121234567"


@pytest.mark.parametrize("typed", ["02188776655", "0912123456", "091212345678", "+18005551234", "۹۱۲", "tel"])
def test_a_bad_mobile_is_told_the_expected_form(typed):
    message = refused(field("mobile"), {"value": typed})["value"]
    assert "09121234567" in message and "11 digits" in message


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("021-88776655", "02188776655"),
        ("۰۲۱ ۸۸۷۷ ۶۶۵۵", "02188776655"),
        ("+98 21 8877 6655", "02188776655"),
        ("09121234567", "09121234567"),
    ],
)
def test_a_phone_may_be_a_landline_with_its_area_code(typed, stored):
    assert cleaned(field("phone"), typed) == stored


@pytest.mark.parametrize("typed", ["88776655", "1234567", "+1 202 555 0100", "00000000000"])
def test_a_bad_phone_is_told_the_expected_form(typed):
    assert "02188776655" in refused(field("phone"), {"value": typed})["value"]


@pytest.mark.parametrize(("typed", "stored"), [("1193653471", "1193653471"), ("۱۱۹۳۶-۵۳۴۷۱", "1193653471")])
def test_good_postal_codes(typed, stored):
    assert cleaned(field("postalCode"), typed) == stored


@pytest.mark.parametrize("typed", ["119365347", "0193653471", "11936534711", "کد"])
def test_bad_postal_codes(typed):
    assert "10 digits" in refused(field("postalCode"), {"value": typed})["value"]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("IR820540102680020817909002", "IR820540102680020817909002"),
        ("ir82 0540 1026 8002 0817 9090 02", "IR820540102680020817909002"),
        ("IR۰۶۲۹۶۰۰۰۰۰۰۰۱۰۰۳۲۴۲۰۰۰۰۱", "IR062960000000100324200001"),
        ("820540102680020817909002", "IR820540102680020817909002"),  # the 24 digits alone
    ],
)
def test_good_sheba_numbers(typed, stored):
    assert cleaned(field("sheba"), typed) == stored


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("IR820540102680020817909003", "check digits"),  # the last digit changed
        ("IR280540102680020817909002", "check digits"),  # the check digits swapped
        ("IR8205401026800208179090", "IR and 24 digits"),
        ("DE89370400440532013000", "IR and 24 digits"),
    ],
)
def test_bad_sheba_numbers(typed, problem):
    assert problem in refused(field("sheba"), {"value": typed})["value"]


def test_a_bad_identifier_is_refused_with_the_others_and_nothing_is_kept():
    form = {"components": [*field("nationalId", "nid")["components"], *field("mobile", "mob")["components"]]}
    assert set(refused(form, {"nid": "0012345678", "mob": "0912"})) == {"nid", "mob"}
    assert validate_submission(form, {"nid": "۰۰۱۲۳۴۵۶۷۹", "mob": "+989121234567"}, NOW) == {
        "nid": "0012345679",
        "mob": "09121234567",
    }


DATE = {"components": [{"key": "day", "type": "datetime", "subtype": "date", "disallowPassedDates": True}]}


@pytest.mark.parametrize("typed", ["1405/09/12", "۱۴۰۵/۰۹/۱۳", "2026-12-25", "1406/01/01"])
def test_an_appointment_today_or_later_is_taken(typed):
    assert validate_submission(DATE, {"day": typed}, NOW)["day"] >= "2026-12-03"


@pytest.mark.parametrize("typed", ["1405/09/11", "1404/12/29", "2026-12-02"])
def test_an_appointment_in_the_past_is_refused(typed):
    assert refused(DATE, {"day": typed}) == {"day": "must be today or a later day"}


def test_a_past_day_is_fine_where_the_field_does_not_say_so():
    form = {"components": [{"key": "day", "type": "datetime", "subtype": "date"}]}
    assert validate_submission(form, {"day": "1404/01/01"}, NOW) == {"day": "2025-03-21"}


def test_errors_inside_repeating_rows_name_the_row_and_the_field():
    form = {
        "components": [
            {
                "key": "rows",
                "type": "dynamiclist",
                "isRepeating": True,
                "path": "rows",
                "components": [
                    {
                        "key": "mobile",
                        "type": "textfield",
                        "validate": {"validationType": "mobile", "required": True},
                    },
                    {"key": "days", "type": "number", "validate": {"max": 60}},
                ],
            }
        ]
    }
    problems = refused(
        form, {"rows": [{"mobile": "۰۹۱۲۱۲۳۴۵۶۷", "days": 3}, {"mobile": "12", "days": "۹۹"}, {}]}
    )
    assert set(problems) == {"rows[1].mobile", "rows[1].days", "rows[2].mobile"}
    good = validate_submission(form, {"rows": [{"mobile": "۰۹۱۲۱۲۳۴۵۶۷", "days": "۳"}]}, NOW)
    assert good == {"rows": [{"mobile": "09121234567", "days": 3}]}


TIME = {"components": [{"key": "at", "type": "datetime", "subtype": "time"}]}


@pytest.mark.parametrize(
    ("typed", "stored"), [("14:30", "14:30"), ("۹:۰۵", "09:05"), ("٠٠:٠٠", "00:00"), ("23:59", "23:59")]
)
def test_a_24_hour_time_in_any_digits(typed, stored):
    assert validate_submission(TIME, {"at": typed}, NOW) == {"at": stored}


@pytest.mark.parametrize("typed", ["24:00", "۲۵:۰۰", "14:60", "2:30 PM", "1430"])
def test_a_time_that_is_not_on_the_clock_is_refused(typed):
    assert refused(TIME, {"at": typed}) == {"at": "must be a time like 14:30"}
