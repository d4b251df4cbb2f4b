"""The canonical state of an instance: SpiffWorkflow's serialization without the specs, zlib-compressed.

Specs belong to the immutable definition version and are parsed once per process and cached, so a
saved state holds only the task tree and its data. The JSON is kept byte-for-byte as SpiffWorkflow
wrote it (never stored as JSONB): task data are deltas against the parent task and depend on the
order of the ``tasks`` mapping.
"""

from __future__ import annotations

import json
import zlib
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.task_spec import (
    BpmnTaskSpecConverter,
    ConditionalGatewayConverter,
    EventConverter,
    ExclusiveGatewayConverter,
)
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.definitions.compensation import CompensationGate
from engine.definitions.event_sub_process import EventSubProcessStart, LevelEnd, RavandWorkflow
from engine.definitions.parser_classes import ComplexGateway, ImplicitSplit
from engine.definitions.parsing import ParsedBundle


class StateOnlyWorkflowConverter(BpmnWorkflowConverter):
    """Like SpiffWorkflow's converter, but the specs are left out and supplied on restore."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict:
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict, parsed: ParsedBundle | None = None) -> BpmnWorkflow:
        workflow = self.target_class(parsed.spec, parsed.subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


#: SpiffWorkflow's converters and those of Ravand's own task specs (the migration's spec diff uses them).
RAVAND_CONFIG = {
    **SPIFF_CONFIG,
    LevelEnd: BpmnTaskSpecConverter,
    EventSubProcessStart: EventConverter,
    ComplexGateway: ConditionalGatewayConverter,
    ImplicitSplit: ConditionalGatewayConverter,
    CompensationGate: ExclusiveGatewayConverter,
}


def _make_serializer() -> BpmnWorkflowSerializer:
    registry = BpmnWorkflowSerializer.configure(RAVAND_CONFIG)
    # Saved as "BpmnWorkflow", as states were before Ravand had its own workflow class.
    StateOnlyWorkflowConverter(RavandWorkflow, registry, typename="BpmnWorkflow")
    return BpmnWorkflowSerializer(registry)


_SERIALIZER = _make_serializer()


def dump_state(workflow: BpmnWorkflow) -> bytes:
    registry = _SERIALIZER.registry
    registry._encoder_mode = True
    try:
        dct = registry.convert(workflow)
        dct[_SERIALIZER.VERSION_KEY] = _SERIALIZER.VERSION
        text = json.dumps(dct, cls=_SERIALIZER._encoder_cls, ensure_ascii=False, separators=(",", ":"))
    finally:
        registry._encoder_mode = False
    return zlib.compress(text.encode("utf-8"), 1)


def load_state(state: bytes, parsed: ParsedBundle) -> BpmnWorkflow:
    dct = json.loads(zlib.decompress(state))
    _SERIALIZER.migrate(dct)
    return _SERIALIZER.registry.restore(dct, parsed=parsed)


def state_json(state: bytes) -> dict:
    """The saved state as a dictionary, for inspection and the monitor's raw view."""
    return json.loads(zlib.decompress(state))
