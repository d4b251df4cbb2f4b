"""The database tables, one module per area; importing this package registers them all with ``Base``."""

from engine.models.base import Base, UTCDateTime, utcnow
from engine.models.cases import Attachment, CaseCopy, Comment, Notification, NotificationSetting
from engine.models.definitions import DefinitionFile, ProcessDefinition, ProcessDraft, ProcessSettings
from engine.models.doors import Door
from engine.models.duties import Letter, LetterSeries, MayorEngagement, Poll, PollAnswer
from engine.models.guard import Challenge, RateHit
from engine.models.org import CalendarClosure, Delegation, OrgUnit, Position, Role, User
from engine.models.runtime import (
    AuditEvent,
    HumanTask,
    Incident,
    Job,
    MessageSubscription,
    ProcessInstance,
    ReceivedMessage,
    SignalSubscription,
    WorkerHeartbeat,
)

__all__ = [
    "Attachment",
    "AuditEvent",
    "Base",
    "CalendarClosure",
    "CaseCopy",
    "Challenge",
    "Comment",
    "DefinitionFile",
    "Delegation",
    "Door",
    "HumanTask",
    "Incident",
    "Job",
    "Letter",
    "LetterSeries",
    "MayorEngagement",
    "MessageSubscription",
    "Notification",
    "NotificationSetting",
    "OrgUnit",
    "Poll",
    "PollAnswer",
    "Position",
    "ProcessDefinition",
    "ProcessDraft",
    "ProcessInstance",
    "ProcessSettings",
    "RateHit",
    "ReceivedMessage",
    "Role",
    "SignalSubscription",
    "UTCDateTime",
    "User",
    "WorkerHeartbeat",
    "utcnow",
]
