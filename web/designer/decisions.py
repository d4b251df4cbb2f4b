"""Trying a decision table on sample inputs: it runs in the engine's sandbox, as a business rule task does."""

from __future__ import annotations

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.audit import jsonable
from engine.context import Context
from engine.definitions.bundle import Bundle
from engine.definitions.parsing import parse_bundle
from engine.definitions.safe_xml import UnsafeXML
from engine.errors import N_, InvalidData

_PROCESS = "ravand_try_decision"
_WRAPPER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="try" targetNamespace="ravand">
  <bpmn:process id="{process}" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:businessRuleTask id="decide">
      <bpmn:extensionElements>
        <spiffworkflow:calledDecisionId>{decision}</spiffworkflow:calledDecisionId>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:businessRuleTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="decide" />
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def try_decision(ctx: Context, files: dict[str, str], decision: str, inputs: dict) -> dict:
    """The outputs of ``decision`` (from the draft's DMN files) for ``inputs``, computed in the sandbox."""
    if not decision.replace("_", "").isalnum() or not isinstance(inputs, dict):
        raise InvalidData(N_("Choose a decision and give its inputs."))
    bundle = Bundle(_PROCESS, {"try.bpmn": _WRAPPER.format(process=_PROCESS, decision=decision).encode()})
    for name, text in files.items():
        if name.endswith(".dmn"):
            bundle.files[name] = text.encode("utf-8")
    try:
        parsed = parse_bundle(bundle, validate=False)
        workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs, script_engine=ctx.script_engine)
        workflow.task_tree.data.update(inputs)
        workflow.do_engine_steps()
    except (SpiffWorkflowException, UnsafeXML, KeyError) as exc:
        raise InvalidData(N_("The decision could not be evaluated: {error}"), error=str(exc)) from exc
    data = workflow.data if workflow.completed else {}
    return jsonable({k: v for k, v in data.items() if k not in inputs or data[k] != inputs[k]})
