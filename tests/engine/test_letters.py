"""The letter registry: one series per unit and Jalali year, consecutive numbers even when letters are
issued at the same moment, and no number lost to a rolled-back step."""

from __future__ import annotations

import threading

import jdatetime
import pytest
from sqlalchemy import select

from engine.calendar.jalali import tehran_today, to_persian_digits
from engine.letters import registry
from engine.models import Letter, OrgUnit, utcnow
from engine.runtime.starting import start


@pytest.fixture
def case(ctx, approval) -> int:
    return start(ctx, "approval", {"amount": 10}, user="alice").id


def unit(ctx, code: str) -> int:
    with ctx.db.read() as session:
        return session.scalar(select(OrgUnit.id).where(OrgUnit.code == code))


def issue(ctx, case: int, unit_code: str) -> dict:
    with ctx.db.transaction() as session:
        return registry.issue(session, unit(ctx, unit_code), case, "notice", utcnow(), subject="ابلاغ")


def test_each_unit_numbers_its_own_letters_of_the_year(ctx, case):
    year = to_persian_digits(jdatetime.date.fromgregorian(date=tehran_today()).year)
    numbers = [issue(ctx, case, code)["number"] for code in ("region-01", "region-01", "region-02")]
    assert numbers == [f"{year}/م۱/۱", f"{year}/م۱/۲", f"{year}/م۲/۱"]


def test_a_rolled_back_step_gives_its_number_back(ctx, case):
    with pytest.raises(RuntimeError), ctx.db.transaction() as session:
        registry.issue(session, unit(ctx, "region-01"), case, "notice", utcnow())
        raise RuntimeError("the step failed after the letter was numbered")
    assert issue(ctx, case, "region-01")["number"].endswith("/م۱/۱")


def test_letters_issued_at_once_get_distinct_consecutive_numbers(ctx, case):
    issued, errors = [], []
    barrier = threading.Barrier(6)

    def worker():
        try:
            barrier.wait()
            issued.append(issue(ctx, case, "region-02")["number"])
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(
        int(n.rsplit("/", 1)[1].translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))) for n in issued
    ) == [
        1,
        2,
        3,
        4,
        5,
        6,
    ]
    with ctx.db.read() as session:
        assert len(session.scalars(select(Letter)).all()) == 6
