"""The access matrix's world, its hand-written tables and its requests (see test_access_matrix.py).

The world: real cases of real catalog processes — the coordination department's policy rollout sent
to regions 5 and 7 (region 7's manager has claimed their report and keeps a private draft; the head's
approval carries a note), a region 5 cooperation proposal waiting for a coordination expert, the
social department's experience exchange waiting for its head, and a case stopped by an incident —
each with a file attached.

Who may see, work on and act on each thing is written out by hand, from the rules of
docs/architecture.md, not asked of the engine.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from engine.cases import attachments
from engine.cases.attachments import AttachmentStore
from engine.db import Database
from engine.definitions.bundle import Bundle, collect_bundles
from engine.definitions.deployment import deploy
from engine.demo.seed import seed_demo
from engine.models import HumanTask, Incident, OrgUnit
from engine.runtime.starting import start
from engine.work import tasks
from tests.engine.test_supervision import FAILING
from tests.integration.support import PASSWORD
from tests.processes.test_experience_exchange import proposal
from tests.processes.test_policy_rollout import START as ROLLOUT
from tests.processes.test_unit_cooperation import PROPOSAL
from web import create_app

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n%%EOF\n"
SECRET = "پیش‌نویس-خصوصی-منطقه-۷"
HEAD_NOTE = "یادداشت-رئیس-اداره-بر-تأیید"
ANONYMOUS = "anonymous"
USERS = [
    "coord.expert",  # a staff expert of the coordination department
    "social.expert",  # another department's expert
    "coord.head",  # the coordination department's head (a supervisor)
    "social.head",  # another department's head (a supervisor)
    "deputy",
    "region05.manager",
    "region07.manager",  # another region's manager
    "designer",
    "admin",
    ANONYMOUS,
]
MONITOR = {"coord.head", "social.head", "deputy", "region05.manager", "region07.manager", "admin"}
HEADS = {"coord.head", "deputy", "admin"}
SOCIAL = {"social.head", "deputy", "admin"}

# Who sees, works on (claims, drafts, completes) and manages (reassigns, moves the due date, suspends…)
# each thing. R: the policy rollout; C: the cooperation proposal; S: the exchange; B: the broken case.
SEES = {
    "R05": {"region05.manager"} | HEADS,
    "R07": {"region07.manager"} | HEADS,
    "RD": HEADS,  # the rollout's approval, completed by coord.head
    "C1": {"coord.expert", "region05.manager"} | HEADS,
    "S1": SOCIAL,
    "R": {"coord.expert", "region05.manager", "region07.manager"} | HEADS,
    "C": {"coord.expert", "region05.manager"} | HEADS,
    "S": {"social.expert"} | SOCIAL,
    # A process the catalog does not place: every department head oversees it.
    "B": {"coord.expert", "social.head"} | HEADS,
}
WORKS = {
    "R05": {"region05.manager", "admin"},
    "R07": {"region07.manager", "admin"},
    "RD": {"coord.head", "admin"},
    "C1": {"coord.expert", "admin"},
    "S1": {"social.head", "admin"},
}
MANAGES = {
    "R05": {"region05.manager"} | HEADS,
    "R07": {"region07.manager"} | HEADS,
    "RD": HEADS,
    "C1": {"region05.manager"} | HEADS,
    "S1": SOCIAL,
    "R": HEADS,  # not the regions: a task in the rollout is no authority over the deputy's rollout
    "C": {"region05.manager"} | HEADS,
    "S": SOCIAL,
    "B": {"social.head"} | HEADS,
}
HOLDER = {"R05": "region05.manager", "R07": "region07.manager", "RD": "coord.head"}
HOLDER |= {"C1": "coord.expert", "S1": "social.head"}
UNKNOWN = {"task": "00000000-0000-4000-8000-000000000000", "instance": 999_999}
UNKNOWN |= {"attachment": 999_999, "incident": 999_999}


@dataclass
class World:
    app: object
    ids: dict[str, object]  # name -> id (tasks, instances, attachments, incidents)
    instance_of: dict[str, str]  # attachment or incident name -> instance name
    open_tasks: set[str] = field(default_factory=set)
    claimed: dict[str, str] = field(default_factory=dict)


def build_world(folder: Path) -> World:
    """The app and its cases, on a fresh SQLite database in ``folder``."""
    database = Database(f"sqlite:///{folder / 'matrix.db'}")
    database.create_all()
    database.dispose()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'matrix.db'}",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "RAVAND_ATTACHMENTS_DIR": str(folder / "files"),
        }
    )
    ctx = app.extensions["ravand"]
    seed_demo(ctx, password=PASSWORD)
    bundles = {b.key: b for b in collect_bundles([ROOT / "processes"], ROOT / "forms")}
    for key in ("policy_rollout", "unit_cooperation", "experience_exchange"):
        deploy(ctx, bundles[key])
    deploy(ctx, Bundle("doubling", {"doubling.bpmn": FAILING}))
    rollout = start(
        ctx, "policy_rollout", ROLLOUT | {"units": ["region-05", "region-07"]}, user="coord.expert"
    ).id
    (approval,) = _tasks(ctx, rollout)
    tasks.complete(ctx, approval, {"approval": "approve", "head_note": HEAD_NOTE}, user="coord.head")
    cooperation = start(ctx, "unit_cooperation", PROPOSAL, user="region05.manager", unit="region-05").id
    exchange = start(ctx, "experience_exchange", proposal(), user="social.expert").id
    broken = start(ctx, "doubling", {"value": None}, user="coord.expert").id
    ids: dict[str, object] = {"R": rollout, "C": cooperation, "S": exchange, "B": broken, "RD": approval}
    with ctx.db.read() as session:
        units = dict(session.execute(select(OrgUnit.id, OrgUnit.code)).all())
        for task in session.scalars(select(HumanTask).where(HumanTask.state == "open")):
            region = "R" + (units.get(task.unit_id) or "").removeprefix("region-")
            ids[{rollout: region, cooperation: "C1", exchange: "S1"}[task.instance_id]] = task.id
        ids["iB"] = session.scalar(select(Incident.id).where(Incident.instance_id == broken))
    tasks.claim(ctx, ids["R07"], "region07.manager")
    tasks.save_draft(ctx, ids["R07"], {"actions_taken": SECRET}, "region07.manager")
    store = AttachmentStore(folder / "files")
    for name, user in (("R", "coord.expert"), ("C", "region05.manager"), ("S", "social.expert")):
        ids[f"a{name}"] = attachments.add(ctx, store, ids[name], "a.pdf", PDF, user=user)["id"]
    return World(
        app,
        ids,
        {"aR": "R", "aC": "C", "aS": "S", "iB": "B"},
        open_tasks={"R05", "R07", "C1", "S1"},
        claimed={"R07": "region07.manager"},
    )


def _tasks(ctx, instance_id: int) -> list[str]:
    with ctx.db.read() as session:
        return list(session.scalars(select(HumanTask.id).where(HumanTask.instance_id == instance_id)))


# --- the routes -------------------------------------------------------------------------------------
# (endpoint, method) -> (what its id names, what the request asks). Kinds: read (seeing is enough),
# note (comment or attach: seeing is enough), work (claim, draft, complete), unclaim (the assignee or
# a manager), refer (who may work on it or has authority over it), notices (the user's own notices of
# the case: a case they see but were told nothing of is not found either), manage (authority),
# suspend/resume/terminate/retry (authority over the case), admin.
ROUTES = {
    ("inbox.task", "GET"): ("task", "read"),
    ("inbox.diagram", "GET"): ("task", "read"),
    ("inbox.claim", "POST"): ("task", "claim"),
    ("inbox.unclaim", "POST"): ("task", "unclaim"),
    ("inbox.comment", "POST"): ("task", "note"),
    ("inbox.attach", "POST"): ("task", "note"),
    ("inbox.draft", "POST"): ("task", "draft"),
    ("inbox.complete", "POST"): ("task", "complete"),
    ("inbox.assign", "POST"): ("task", "assign"),
    ("inbox.refer", "POST"): ("task", "refer"),
    ("monitor.reassign", "POST"): ("task", "assign"),
    ("monitor.change_due", "POST"): ("task", "due"),
    ("monitor.instance_page", "GET"): ("instance", "monitor"),
    ("monitor.suspend", "POST"): ("instance", "suspend"),
    ("monitor.resume", "POST"): ("instance", "resume"),
    ("monitor.terminate", "POST"): ("instance", "terminate"),
    ("monitor.edit_data", "POST"): ("instance", "admin"),
    ("monitor.retry", "POST"): ("incident", "retry"),
    ("printing.case", "GET"): ("instance", "read"),
    ("printing.case_pdf", "GET"): ("instance", "pdf"),
    ("api_tasks.get_task", "GET"): ("task", "read"),
    ("api_tasks.claim", "POST"): ("task", "claim"),
    ("api_tasks.unclaim", "POST"): ("task", "unclaim"),
    ("api_tasks.save_draft", "PUT"): ("task", "draft"),
    ("api_tasks.complete", "POST"): ("task", "complete"),
    ("api_tasks.comment", "POST"): ("task", "note"),
    ("api_tasks.assign", "POST"): ("task", "assign"),
    ("api_tasks.refer", "POST"): ("task", "refer"),
    ("api_tasks.referral_candidates", "GET"): ("task", "read"),
    ("api_account.mark_case_read", "POST"): ("instance", "notices"),
    ("api_instances.instance_status", "GET"): ("instance", "read"),
    ("api_instances.list_attachments", "GET"): ("instance", "read"),
    ("api_instances.upload_attachment", "POST"): ("instance", "note"),
    ("api_instances.download_attachment", "GET"): ("attachment", "read"),
    ("api_monitor.lifecycle", "POST"): ("instance", "<action>"),
    ("api_monitor.retry", "POST"): ("incident", "retry"),
    ("api_monitor.reassign", "POST"): ("task", "assign"),
    ("api_monitor.change_due", "POST"): ("task", "due"),
    ("api_monitor.edit_data", "POST"): ("instance", "admin"),
}
ID_ARGUMENTS = {"task_id": "task", "instance_id": "instance", "attachment_id": "attachment"}
ID_ARGUMENTS |= {"incident_id": "incident"}
# Arguments that name no case: a process version, the user's own notices, an account, a delegation;
# or no id at all.
OTHER_ARGUMENTS = {"definition_id", "notification_id", "notice_id", "user_id", "delegation_id", "version"}
# A job: its retry asks the authority over its case (or an administrator for a job of no case).
OTHER_ARGUMENTS |= {"job_id"}
OTHER_ARGUMENTS |= {"key", "code", "token", "name", "fmt", "unit", "filename", "action"}
NAMES = {"task": ("R05", "R07", "RD", "C1", "S1"), "instance": ("R", "C", "S", "B")}
NAMES |= {"attachment": ("aR", "aC", "aS"), "incident": ("iB",)}
# suspend then resume: a manager's suspension is undone by the next request.
ORDER = ["read", "notices", "monitor", "pdf", "note", "claim", "draft", "complete", "refer", "unclaim"]
ORDER += ["assign", "due"]
ORDER += ["suspend", "resume", "terminate", "retry", "admin"]


@dataclass(frozen=True)
class Probe:
    endpoint: str
    method: str
    kind: str  # task, instance, attachment, incident
    action: str
    rule: str

    @property
    def api(self) -> bool:
        return self.rule.startswith("/api/")

    def url(self, ident) -> str:
        argument = next(a for a, k in ID_ARGUMENTS.items() if k == self.kind)
        path = self.rule.replace(f"<{argument}>", str(ident))
        path = re.sub(rf"<[a-z]+:{argument}>", str(ident), path)
        return re.sub(r"<any\([^)]*\):action>", self.action, path)


def probes(app) -> list[Probe]:
    """Every (rule, method, action) to ask, from the app's URL map; fails on a rule nobody classified."""
    found, unclassified = [], []
    for rule in app.url_map.iter_rules():
        arguments = set(rule.arguments)
        if arguments - set(ID_ARGUMENTS) - OTHER_ARGUMENTS:
            unclassified.append((rule.rule, sorted(arguments - set(ID_ARGUMENTS) - OTHER_ARGUMENTS)))
        if not arguments & set(ID_ARGUMENTS):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if (rule.endpoint, method) not in ROUTES:
                unclassified.append((rule.rule, method))
                continue
            kind, action = ROUTES[(rule.endpoint, method)]
            actions = rule._converters["action"].items if action == "<action>" else [action]
            found += [Probe(rule.endpoint, method, kind, a, rule.rule) for a in sorted(actions)]
    assert not unclassified, f"classify these rules in test_access_matrix.ROUTES: {unclassified}"
    return sorted(found, key=lambda p: (ORDER.index(p.action), p.rule))


# --- what each request sends --------------------------------------------------------------------------

DUE = "1405/10/01"


def request_of(probe: Probe, world: World, name: str | None, user: str, allowed: bool) -> dict | None:
    """The keyword arguments of the request, or None when sending it would change what the rest of the
    matrix reads (a permitted claim, completion, termination, retry or data correction)."""
    action, api = probe.action, probe.api
    if allowed and action == "claim" and world.claimed.get(name) not in (None, user):
        return {}  # someone else's: a conflict, nothing changes
    if allowed and (
        (action == "claim" and name in world.open_tasks and name not in world.claimed)
        or (action == "unclaim" and name in world.claimed)
        or action in ("terminate", "retry", "admin", "pdf", "refer")
    ):
        return None
    holder = HOLDER.get(name or "", "coord.expert")
    # Allowed: a new assignee who does not hold the task's position (refused after the authority).
    assignee = "designer" if allowed else holder
    if action == "note" and probe.kind == "instance":
        return {"data": {"file": (io.BytesIO(PDF), "b.pdf")}, "content_type": "multipart/form-data"}
    if action == "note" and probe.endpoint == "inbox.attach":
        return {"data": {"file": (io.BytesIO(PDF), "b.pdf")}, "content_type": "multipart/form-data"}
    if action == "note":
        return {"json": {"body": "دیدم"}} if api else {"data": {"body": "دیدم"}}
    if action in ("draft", "complete"):
        # A permitted completion with no data fails the form's validation: nothing is completed.
        data = {"actions_taken": SECRET if name == "R07" else "پیش‌نویس"} if action == "draft" else {}
        return {"json": {"data": data}}
    if action == "refer":
        body = {"to": holder, "note": "لطفاً پیگیری شود"}
        return {"json": body} if api else {"data": body}
    if action == "assign":
        body = {"assignee": assignee, "reason": "پیگیری"}
        return {"json": body} if api else {"data": body}
    if action == "due":
        body = {"due": DUE, "reason": "تمدید"}
        return {"json": body} if api else {"data": body}
    if action in ("suspend", "resume", "terminate", "retry"):
        return {"json": {"reason": "بررسی"}} if api else {"data": {"reason": "بررسی"}}
    if action == "admin":
        body = {"field": "value", "value": "4", "reason": "اصلاح"}
        return {"json": body} if api else {"data": body}
    return {}


def permitted(probe: Probe, world: World, name: str, user: str) -> bool:
    """What the hand-written tables say the user may do with the thing ``name``."""
    instance = world.instance_of.get(name, name)
    action = probe.action
    if action in ("read", "note", "pdf", "notices"):
        return user in SEES[instance]
    if action == "monitor":
        return user in SEES[instance] and user in MONITOR
    if action in ("claim", "draft", "complete"):
        return user in WORKS[name]
    if action == "unclaim":
        return user in MANAGES[name] or world.claimed.get(name) == user
    if action == "refer":
        return name in world.open_tasks and (user in WORKS[name] or user in MANAGES[name])
    if action == "admin":
        return user == "admin"
    return user in MANAGES[instance] and (user in MONITOR or probe.endpoint.startswith("inbox."))


def refusal_is_right(probe: Probe, world: World, name: str, user: str, status: int) -> bool:
    """A thing the user sees but may not do this to: 403, or the conflict they may read on the task
    (no longer open, or someone else's); a page says a conflict on the page (a redirect)."""
    if status == 403:
        return True
    conflict = probe.kind == "task" and (
        name not in world.open_tasks or world.claimed.get(name) not in (None, user)
    )
    return conflict and status in ((409,) if probe.api or probe.action in ("draft", "complete") else (302,))


def verdict(probe: Probe, world: World, name: str, user: str, status: int, body: str) -> str | None:
    """None when the answer is right; else what is wrong with it."""
    instance = world.instance_of.get(name, name)
    seen = user in SEES[instance] if probe.kind != "task" else user in SEES[name]
    if not seen:
        return None if status == 404 else f"sees what is hidden ({status})"
    if probe.action == "notices":
        return None if status in (200, 404) else f"answered {status} about their own notices"
    if status == 404:
        return "told that a thing they see does not exist"
    if permitted(probe, world, name, user):
        return f"refused what they may do ({status})" if status in (403, 404) else None
    if not refusal_is_right(probe, world, name, user, status):
        return f"did what they may not do ({status})"
    return None


def hidden_text(world: World, user: str) -> list[str]:
    """What no answer to ``user`` may contain: the ids of tasks they may not see, a private draft, what
    was submitted in a task they may not see."""
    hidden = [str(world.ids[t]) for t in NAMES["task"] if user not in SEES[t]]
    hidden += [SECRET] if user not in SEES["R07"] else []
    return hidden + ([HEAD_NOTE] if user not in SEES["RD"] else [])
