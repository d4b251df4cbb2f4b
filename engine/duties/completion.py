"""What completing a user task does beyond the process, when its BPMN properties ask for it.

Three ``spiffworkflow:property`` elements of a user task are read here, in the completing step's
transaction (so that all of it is saved with the step, or none of it):

- ``letter``: the task produces a letter of that kind (``invitation_answer``, ``policy_notice``, …).
  The letter gets its registry number and Jalali date from the issuing unit's series; the task's data
  gets ``<kind>_letter`` = ``{"number": "۱۴۰۵/ت/۱۲۳", "date": "۱۴۰۵/۰۹/۰۵"}``. With ``letterWhen``
  (an expression over the task's data), only when it holds (a signed notice, not one sent back).
- ``mayorCalendar``: an expression over the task's data giving the occasion as the mayor's calendar
  should now show it: ``{'status': 'pending'|'accepted'|'representative'|'declined', 'date': …,
  'time': 'HH:MM', 'minutes': …, 'title': …, 'venue': …}`` (keys left out keep their values).
- ``publishPoll``: an expression giving a poll to publish, ``{'title': …, 'intro': …, 'questions':
  […], 'closes_on': date}``; the task's data gets ``poll`` = ``{"code": …, "closes_at": …}``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from engine.letters import registry
from engine.models import OrgUnit
from engine.polls import publishing
from engine.protocol import calendar

if TYPE_CHECKING:
    from engine.runtime.unit_of_work import Step


def properties(task_spec) -> dict:
    return (getattr(task_spec, "extensions", None) or {}).get("properties", {})


def on_complete(step: Step, row, task) -> dict:
    """Carry out what the completed task's properties ask for; returns what it added to the task's data."""
    props = properties(task.task_spec)
    added: dict = {}
    if props.get("letter") and _wanted(step, task, props.get("letterWhen")):
        kind = props["letter"]
        letter = registry.issue(
            step.session,
            issuing_unit(step, row),
            step.instance.id,
            kind,
            step.now,
            subject=step.instance.title,
            task_id=row.id,
            element_name=row.name,
            actor=step.actor,
        )
        added[f"{kind}_letter"] = {"number": letter["number"], "date": letter["date"]}
    if props.get("mayorCalendar"):
        values = step.ctx.script_engine.evaluate(task, props["mayorCalendar"])
        calendar.record(step.session, step.instance.id, values, step.now)
    if props.get("publishPoll"):
        values = step.ctx.script_engine.evaluate(task, props["publishPoll"])
        added["poll"] = publishing.publish(step.session, step.instance.id, values, step.now)
    task.data.update(added)
    return added


def _wanted(step: Step, task, condition: str | None) -> bool:
    return not condition or bool(step.ctx.script_engine.evaluate(task, condition))


def issuing_unit(step: Step, row) -> int | None:
    """The unit whose series numbers a task's letter: the task's unit, else the department whose
    process it is, else the case's unit, else the PR Deputy."""
    if row.unit_id is not None:
        return row.unit_id
    department = step.ctx.departments().get(step.instance.process_key)
    if department:
        unit_id = step.session.scalar(select(OrgUnit.id).where(OrgUnit.code == f"dept_{department}"))
        if unit_id is not None:
            return unit_id
    if step.instance.unit_id is not None:
        return step.instance.unit_id
    return step.session.scalar(select(OrgUnit.id).where(OrgUnit.code == "pr_deputy"))
