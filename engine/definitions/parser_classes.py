"""Ravand's SpiffWorkflow parser: SpiffWorkflow's, with its extension points (``OVERRIDE_PARSER_CLASSES``)
filled where SpiffWorkflow 3.2 reads less of BPMN 2.0 than the specification has.

- A signal end event (BPMN 2.0 §10.5.3, Table 10.90) is read as one: SpiffWorkflow's end event parser
  looks for message, cancel, error, escalation and terminate definitions only, and so ran a signal end
  event as a none end event, silently throwing nothing.
"""

from __future__ import annotations

from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.parser.event_parsers import (
    CANCEL_EVENT_XPATH,
    ERROR_EVENT_XPATH,
    ESCALATION_EVENT_XPATH,
    MESSAGE_EVENT_XPATH,
    SIGNAL_EVENT_XPATH,
    TERMINATION_EVENT_XPATH,
)
from SpiffWorkflow.bpmn.specs.defaults import EndEvent
from SpiffWorkflow.spiff.parser.event_parsers import SpiffEndEventParser
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

END_EVENT_DEFINITIONS = [
    MESSAGE_EVENT_XPATH,
    CANCEL_EVENT_XPATH,
    ERROR_EVENT_XPATH,
    ESCALATION_EVENT_XPATH,
    TERMINATION_EVENT_XPATH,
    SIGNAL_EVENT_XPATH,
]


class RavandEndEventParser(SpiffEndEventParser):
    def create_task(self):
        task = self._create_task(self.get_event_definition(END_EVENT_DEFINITIONS))
        task.connect(self.spec.end)
        return task


class RavandBpmnParser(SpiffBpmnParser):
    OVERRIDE_PARSER_CLASSES = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("endEvent"): (RavandEndEventParser, EndEvent),
    }
