"""An incident's kind is told in the reader's language above its technical message."""

from __future__ import annotations

from web.incidents import incident_summary


def test_a_sandbox_incident_is_named_in_persian_and_english(app):
    message = "Error evaluating expression 'x': ScriptTimeout: the script ran longer than its time limit"
    with app.test_request_context(headers={"Accept-Language": "fa"}):
        persian = incident_summary(message)
    with app.test_request_context("/?lang=en", headers={"Accept-Language": "en"}):
        english = incident_summary(message)
    assert english == "The script ran longer than its time limit (an endless loop?)."
    assert persian and persian != english and "اسکریپت" in persian
    with app.test_request_context():
        assert incident_summary("ZeroDivisionError: division by zero") is None
