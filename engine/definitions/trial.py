"""Trying a decision table on sample inputs: it runs in the engine's sandbox, as a business rule task does.

Inputs typed in the studio arrive as text or JSON; a text that is a number in Latin or Persian digits
(«۸۵», «۱۲٫۵») is read as that number, as a form field would be.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.audit import jsonable
from engine.calendar.jalali import to_latin_digits
from engine.context import Context
from engine.definitions.bundle import Bundle
from engine.definitions.drafts import get_draft
from engine.definitions.event_sub_process import RavandWorkflow
from engine.definitions.expressions import with_latin_digits
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
    inputs = {name: _number_or_text(value) for name, value in inputs.items()}
    bundle = Bundle(_PROCESS, {"try.bpmn": _WRAPPER.format(process=_PROCESS, decision=decision).encode()})
    for name, text in with_latin_digits(files).items():
        if name.endswith(".dmn"):
            bundle.files[name] = text.encode("utf-8")
    try:
        parsed = parse_bundle(bundle, validate=False)
        workflow = RavandWorkflow(parsed.spec, parsed.subprocess_specs, script_engine=ctx.script_engine)
        workflow.task_tree.data.update(inputs)
        workflow.do_engine_steps()
    except (SpiffWorkflowException, UnsafeXML, KeyError, TypeError, ValueError) as exc:
        raise InvalidData(N_("The decision could not be evaluated: {error}"), error=str(exc)) from exc
    data = workflow.data if workflow.completed else {}
    return jsonable({k: v for k, v in data.items() if k not in inputs or data[k] != inputs[k]})


_NUMBER = re.compile(r"^[+-]?\d+([.]\d+)?$")


def _number_or_text(value: object) -> object:
    if not isinstance(value, str):
        return value
    text = to_latin_digits(value.strip()).replace("٫", ".")
    if not _NUMBER.match(text):
        return value
    return float(text) if "." in text else int(text)


def try_in_draft(
    ctx: Context,
    key: str,
    decision: str,
    inputs: dict,
    dmn: str | None = None,
    seed: Mapping[str, str] | None = None,
) -> dict:
    """``try_decision`` on the table as the editor has it (``dmn``), else on the draft's decision files."""
    files = {"try.dmn": dmn} if isinstance(dmn, str) else get_draft(ctx, key, seed).files
    return try_decision(ctx, files, decision, inputs)
