"""Words the monitor shows for codes: statuses, departments, history events, bulk actions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUSES = {
    "running": _l("Running"),
    "waiting": _l("Waiting"),
    "suspended": _l("Suspended"),
    "incident": _l("Incident"),
    "completed": _l("Completed"),
    "terminated": _l("Terminated"),
    "failed": _l("Failed (uncaught error)"),
}
STATUS_STYLES = {
    "running": "primary",
    "waiting": "info",
    "suspended": "warning",
    "incident": "danger",
    "completed": "success",
    "terminated": "secondary",
    "failed": "danger",
}
DEPARTMENTS = {
    "coord": _l("Coordination of regions and units"),
    "social": _l("Social communications"),
    "opinion": _l("Communications and public opinion"),
    "protocol": _l("Protocol"),
    "crisis": _l("Crisis communication"),
}
EVENTS = {
    "started": _l("Started"),
    "element": _l("Step passed"),
    "task_completed": _l("Task completed"),
    "task_claimed": _l("Task claimed"),
    "task_unclaimed": _l("Task released"),
    "task_assigned": _l("Task reassigned"),
    "task_due_changed": _l("Due date changed"),
    "task_overdue": _l("Task became overdue"),
    "task_referred": _l("Task referred with a note"),
    "case_copied": _l("Copy of the case sent"),
    "task_released": _l("Task back to the group (delegation ended)"),
    "migrated": _l("Moved to another version"),
    "suspended": _l("Suspended"),
    "resumed": _l("Resumed"),
    "terminated": _l("Terminated"),
    "completed": _l("Completed"),
    "incident": _l("Incident"),
    "incident_retried": _l("Incident retried"),
    "incident_retry_failed": _l("Retry failed again"),
    "timer_fired": _l("Timer fired"),
    "message_received": _l("Message received"),
    "error_uncaught": _l("Error not caught"),
    "escalation_uncaught": _l("Escalation not caught"),
    "signal_received": _l("Signal received"),
    "data_edited": _l("Data edited by an administrator"),
}
ACTIONS = {
    "suspend": _l("Suspend"),
    "resume": _l("Resume"),
    "terminate": _l("Terminate"),
    "retry": _l("Retry incidents"),
}
JOB_KINDS = {
    "timer": _l("Timer"),
    "timer_start": _l("Timer start"),
    "overdue": _l("Overdue notice"),
    "message": _l("Message"),
    "sms": _l("SMS"),
    "signal": _l("Signal"),
}
JOB_SHOWS = {
    "failed": _l("Failed"),
    "overdue": _l("Past due, not run"),
    "pending": _l("Pending"),
    "running": _l("Running now"),
}
