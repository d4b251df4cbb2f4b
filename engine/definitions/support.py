"""The one list of what Ravand cannot run yet: each gap is refused at deploy, at its element, with its
reason (``engine.definitions.rules.support_rule``). Take a gap off the list when Ravand runs it.

A gap names a BPMN element by its local name, or ``parent/child`` for a child in a parent (a
``compensateEventDefinition`` inside a ``boundaryEvent``, say), or ``element@attribute`` for an element
carrying an attribute.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.errors import N_


@dataclass(frozen=True)
class Gap:
    element: str
    reason: str


UNSUPPORTED: tuple[Gap, ...] = (
    Gap("adHocSubProcess", N_("Ravand cannot run an ad-hoc sub-process yet.")),
    Gap(
        "startEvent/compensateEventDefinition",
        N_("Ravand cannot run a compensation event sub-process yet; use a compensation boundary event."),
    ),
    Gap("complexBehaviorDefinition", N_("Ravand cannot throw multi-instance behaviour events yet.")),
    Gap(
        "multiInstanceLoopCharacteristics@oneBehaviorEventRef",
        N_("Ravand cannot throw multi-instance behaviour events yet."),
    ),
    Gap(
        "multiInstanceLoopCharacteristics@noneBehaviorEventRef",
        N_("Ravand cannot throw multi-instance behaviour events yet."),
    ),
    Gap(
        "dataInputAssociation/assignment",
        N_("Ravand cannot run assignments in data associations; use a script."),
    ),
    Gap(
        "dataOutputAssociation/assignment",
        N_("Ravand cannot run assignments in data associations; use a script."),
    ),
    Gap("transformation", N_("Ravand cannot run data transformations; use a script.")),
    Gap("choreography", N_("Ravand runs processes, not choreographies.")),
    Gap("globalConversation", N_("Ravand runs processes, not conversations.")),
    Gap("serviceTask", N_("Ravand cannot call services from a service task yet; use a script task.")),
    Gap("globalTask", N_("Ravand cannot call a global task; call a process.")),
    Gap("globalUserTask", N_("Ravand cannot call a global task; call a process.")),
    Gap("globalScriptTask", N_("Ravand cannot call a global task; call a process.")),
    Gap("globalManualTask", N_("Ravand cannot call a global task; call a process.")),
    Gap("globalBusinessRuleTask", N_("Ravand cannot call a global task; call a process.")),
)
