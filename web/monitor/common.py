"""What the monitor's pages and API share: the supervisor's scope, the list filters, Jalali periods."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta

from flask import abort, current_app, g
from flask_login import current_user, login_required

from engine.calendar.jalali import from_jalali_str, to_jalali_str
from engine.context import Context
from engine.errors import N_, InvalidData
from engine.org.access import scope_for_user
from engine.org.scopes import MONITOR_ROLES, Scope
from engine.reporting.dashboard import dashboard
from engine.reporting.instances import InstanceFilter
from engine.reporting.task_list import TaskFilter
from web.auth import roles_required
from web.catalog import current_catalog

FILTER_ARGS = (
    "process",
    "version",
    "department",
    "unit",
    "status",
    "from",
    "to",
    "overdue",
    "initiator",
    "q",
    "element",
    "assignee",
)
DEFAULT_WEEKS = 8


def engine() -> Context:
    return current_app.extensions["ravand"]


def monitor_required(view: Callable) -> Callable:
    """Supervisors only: the deputy, department heads, supervisors, units' PR managers, administrators.
    Their scope is read by the engine call each view makes."""
    return roles_required(*MONITOR_ROLES)(view)


def case_route(view: Callable) -> Callable:
    """A monitor route about one case, task or incident: every signed-in user reaches the engine,
    which answers not found for what they may not see and forbidden for what they see but may not
    act on — a role gate in front would answer a stranger forbidden for a case they may not know of."""
    return login_required(view)


def departments() -> dict[str, str]:
    """Process key → department code, from the app's catalog."""
    return {key: entry.department for key, entry in current_catalog().items() if entry.department}


def current_scope() -> Scope:
    """The signed-in supervisor's scope, worked out once per request."""
    if "monitor_scope" not in g:
        g.monitor_scope = scope_for_user(engine(), current_user.username)
    return g.monitor_scope


def parse_jalali(value: str | None) -> date | None:
    """A Jalali date from a form ('1405/09/07', Persian digits welcome); ValueError if it is not one."""
    return from_jalali_str(value) if value and value.strip() else None


NOT_A_DATE = N_("'{value}' is not a Jalali date (for example 1405/09/15).")


def jalali_arg(args: Mapping[str, str], name: str) -> date | None:
    """The Jalali day in argument ``name``; InvalidData naming the field when it is not one."""
    try:
        return parse_jalali(args.get(name))
    except ValueError:
        raise InvalidData(NOT_A_DATE, field_errors={name: NOT_A_DATE}, value=args.get(name)) from None


def without_bad_dates(args: Mapping[str, str]) -> tuple[dict[str, str], list[InvalidData]]:
    """The arguments less the dates that are not Jalali days, and what was wrong with each: a page shows
    the problem beside the filters the user typed, and the figures without that one filter."""
    kept, problems = dict(args.items()), []
    for name in ("from", "to"):
        try:
            jalali_arg(args, name)
        except InvalidData as problem:
            kept.pop(name)
            problems.append(problem)
    return kept, problems


def period(args: Mapping[str, str]) -> tuple[date, date]:
    """The Jalali period the figures cover: ``from`` and ``to``, by default the last eight weeks."""
    today = engine().calendar.today()
    start = jalali_arg(args, "from") or today - timedelta(weeks=DEFAULT_WEEKS)
    end = jalali_arg(args, "to") or today
    return (start, end) if start <= end else (end, start)


def jalali(value: date) -> str:
    return to_jalali_str(value, persian_digits=False)


def filters_from_args(args: Mapping[str, str]) -> InstanceFilter:
    """The instance list's filters from query arguments; a number that is not one is a 400, a date that
    is not a Jalali day InvalidData."""

    def integer(name: str) -> int | None:
        value = (args.get(name) or "").strip()
        if not value:
            return None
        if not value.isdigit():
            abort(400)
        return int(value)

    started_from, started_to = jalali_arg(args, "from"), jalali_arg(args, "to")
    department = args.get("department") or None
    return InstanceFilter(
        process_key=args.get("process") or None,
        process_keys=[k for k, d in departments().items() if d == department] if department else None,
        version=integer("version"),
        unit_code=(args.get("unit") or "").strip() or None,
        status=args.get("status") or None,
        started_from=started_from,
        started_to=started_to,
        overdue=args.get("overdue") in ("1", "on", "true"),
        initiator=(args.get("initiator") or "").strip() or None,
        text=(args.get("q") or "").strip() or None,
        element_id=args.get("element") or None,
        assignee=(args.get("assignee") or "").strip() or None,
    )


def task_filter_from_args(args: Mapping[str, str]) -> TaskFilter:
    """The task list's filters from query arguments (the dashboard's task figures link with them)."""

    def flag(name: str) -> bool:
        return args.get(name) in ("1", "on", "true")

    return TaskFilter(
        process_key=args.get("process") or None,
        department=args.get("department") or None,
        unit_code=(args.get("unit") or "").strip() or None,
        assignee=(args.get("assignee") or "").strip() or None,
        unclaimed=flag("unclaimed"),
        overdue=flag("overdue"),
    )


def filter_args(args: Mapping[str, str]) -> dict[str, str]:
    """The filter arguments that are set, to carry into links (pages, exports, bulk)."""
    return {name: args[name] for name in FILTER_ARGS if args.get(name)}


def due_from_jalali(value: str | None):
    """The due moment for a Jalali day: the end of its working hours (or of the next working day);
    None when ``value`` is not a date (the engine says so, once it knows the user may move it)."""
    try:
        day = parse_jalali(value)
    except ValueError:
        return None
    return engine().calendar.add_working_days(day, 0) if day is not None else None


def dashboard_page(args: Mapping[str, str]) -> dict:
    """The dashboard's read model for the signed-in supervisor and the period in ``args``."""
    start, end = period(args)
    page = dashboard(engine(), current_user.username, start, end, args.get("rollout") or None)
    page["figures"]["period"] = {"from": jalali(start), "to": jalali(end)}
    return page
