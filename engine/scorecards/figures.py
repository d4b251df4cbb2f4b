"""A unit's figures for a period, computed from its cases (COORD-2 and COORD-3), never typed in.

Read from the derived tables and the audit trail only (no workflow is loaded):

- **policies** — each policy rollout that gave the unit an execution report (``unit_report``) in the
  period: *on time* if its first report was completed by its due moment, *late* if a report came
  after that (an extension), *missed* if none came and the unit's part is over (non-compliance
  recorded), else *open*. Its score is the coordination expert's last quantity + quality score of the
  unit's report (0–100); a missed report scores 0.
- **meetings** — the citizen meetings the unit scheduled (``schedule_unit``) among the cases started in
  the period: held (the minutes say so), and the citizens' satisfaction (1–5) where they answered.
- **commitments** — the commitments given to citizens for the unit in meetings whose cases have ended
  in the period: kept when its follow-up reported it done.
- **tasks** — every task the unit's own people (its per-unit roles) completed in the period: on time
  (by its due moment) and the mean working days from its arrival to its completion; the same for each
  of the unit's PR managers.

The three indicators the manager evaluation reads (0–100, None without data): ``policy_compliance`` is
the mean policy score; ``citizen_responsiveness`` the mean of the satisfaction (1 → 0, 5 → 100) and the
share of commitments kept; ``reporting`` the share of the unit's tasks completed on time.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.calendar.working import WorkingCalendar
from engine.models import AuditEvent, HumanTask, OrgUnit, ProcessInstance, Role
from engine.org.holders import holders_of
from engine.states import HumanTaskState


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _on_time(task) -> bool:
    return task.due_at is None or task.completed_at <= task.due_at


def policy_figures(session: Session, unit_id: int, start: datetime, end: datetime) -> dict:
    reports = session.scalars(
        select(HumanTask)
        .where(HumanTask.element_id == "unit_report", HumanTask.unit_id == unit_id)
        .where(HumanTask.created_at >= start, HumanTask.created_at < end)
        .order_by(HumanTask.created_at)
    ).all()
    by_case: dict[int, list[HumanTask]] = defaultdict(list)
    for row in reports:
        by_case[row.instance_id].append(row)
    scores = _last_scores(session, unit_id, list(by_case))
    statuses = {}
    for instance_id, rows in by_case.items():
        first = rows[0]
        if first.state == HumanTaskState.COMPLETED and _on_time(first):
            statuses[instance_id] = "on_time"
        elif any(r.state == HumanTaskState.COMPLETED for r in rows):
            statuses[instance_id] = "late"
        elif instance_id in scores or any(r.state == HumanTaskState.OPEN for r in rows):
            statuses[instance_id] = "open"
        else:
            statuses[instance_id] = "missed"
    counted = [scores[i] for i, s in statuses.items() if i in scores and s != "open"]
    counted += [0] * sum(1 for s in statuses.values() if s == "missed")
    return {
        "assigned": len(statuses),
        **{
            kind: sum(1 for s in statuses.values() if s == kind)
            for kind in ("on_time", "late", "missed", "open")
        },
        "average_score": _mean(counted),
        "cases": sorted(statuses),
    }


def _last_scores(session: Session, unit_id: int, instance_ids: list[int]) -> dict[int, float]:
    """The last score the coordination expert gave each case's report of the unit."""
    if not instance_ids:
        return {}
    events = session.execute(
        select(AuditEvent.instance_id, AuditEvent.data)
        .join(HumanTask, HumanTask.id == AuditEvent.task_id)
        .where(
            AuditEvent.kind == "task_completed",
            AuditEvent.element_id == "score_report",
            AuditEvent.instance_id.in_(instance_ids),
            HumanTask.unit_id == unit_id,
        )
        .order_by(AuditEvent.id)
    ).all()
    return {i: float(d.get("quantity_score", 0)) + float(d.get("quality_score", 0)) for i, d in events if d}


def meeting_figures(session: Session, unit_id: int, start: datetime, end: datetime) -> dict:
    cases = session.scalars(
        select(HumanTask.instance_id)
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .where(HumanTask.element_id == "schedule_unit", HumanTask.unit_id == unit_id)
        .where(ProcessInstance.started_at >= start, ProcessInstance.started_at < end)
        .distinct()
    ).all()
    held, scores = set(), []
    if cases:
        for instance_id, kind, element, data in session.execute(
            select(AuditEvent.instance_id, AuditEvent.kind, AuditEvent.element_id, AuditEvent.data)
            .where(AuditEvent.instance_id.in_(cases), AuditEvent.kind.in_(("task_completed", "completed")))
            .order_by(AuditEvent.id)
        ):
            data = data or {}
            if kind == "task_completed" and element == "minutes_unit" and data.get("meeting_held") == "held":
                held.add(instance_id)
            if kind == "completed" and data.get("satisfaction_score") is not None:
                scores.append(int(data["satisfaction_score"]))
    return {
        "handled": len(cases),
        "held": len(held),
        "answered": len(scores),
        "average_satisfaction": _mean(scores),
        "cases": sorted(cases),
    }


def commitment_figures(session: Session, unit_code: str, start: datetime, end: datetime) -> dict:
    ended = session.scalars(
        select(AuditEvent.data)
        .join(ProcessInstance, ProcessInstance.id == AuditEvent.instance_id)
        .where(ProcessInstance.process_key == "citizen_meeting", AuditEvent.kind == "completed")
        .where(ProcessInstance.ended_at >= start, ProcessInstance.ended_at < end)
    ).all()
    total = kept = 0
    for data in ended:
        data = data or {}
        total += sum(1 for c in data.get("commitments") or [] if c.get("unit") == unit_code)
        kept += sum(1 for c in data.get("fulfilled_commitments") or [] if c.get("unit") == unit_code)
    return {"total": total, "kept": kept, "rate": _rate(kept, total)}


def _task_figures(rows, calendar: WorkingCalendar) -> dict:
    on_time = sum(1 for r in rows if _on_time(r))
    days = [calendar.working_days_between(r.created_at, r.completed_at) for r in rows]
    return {
        "completed": len(rows),
        "on_time": on_time,
        "rate": _rate(on_time, len(rows)),
        "average_days": _mean(days),
    }


def unit_figures(
    session: Session, calendar: WorkingCalendar, unit: OrgUnit, start: datetime, end: datetime, now: datetime
) -> dict:
    """Everything the scorecard shows of one unit for [start, end)."""
    done = session.scalars(
        select(HumanTask).where(
            HumanTask.unit_id == unit.id,
            HumanTask.role_code.in_(select(Role.code).where(Role.per_unit.is_(True))),
            HumanTask.state == HumanTaskState.COMPLETED,
            HumanTask.completed_at >= start,
            HumanTask.completed_at < end,
        )
    ).all()
    managers = [
        {
            "username": person.username,
            "full_name": person.full_name,
            **_task_figures([r for r in done if r.completed_by == person.username], calendar),
        }
        for person in holders_of(session, "unit_pr_manager", unit.id, now)
    ]
    figures = {
        "unit": unit.code,
        "unit_id": unit.id,
        "name_fa": unit.name_fa,
        "name_en": unit.name_en,
        "policies": policy_figures(session, unit.id, start, end),
        "meetings": meeting_figures(session, unit.id, start, end),
        "commitments": commitment_figures(session, unit.code, start, end),
        "tasks": _task_figures(done, calendar),
        "managers": managers,
    }
    return figures | {"indicators": indicators(figures)}


def indicators(figures: dict) -> dict:
    satisfaction = figures["meetings"]["average_satisfaction"]
    citizen = [
        v
        for v in ((satisfaction - 1) * 25 if satisfaction else None, figures["commitments"]["rate"])
        if v is not None
    ]
    return {
        "policy_compliance": figures["policies"]["average_score"],
        "citizen_responsiveness": _mean(citizen),
        "reporting": figures["tasks"]["rate"],
    }
