"""Ravand's SpiffWorkflow parser: SpiffWorkflow's, with its extension points (``OVERRIDE_PARSER_CLASSES``)
filled where SpiffWorkflow 3.2 reads less of BPMN 2.0 than the specification has.

- A signal end event (BPMN 2.0 §10.5.3, Table 10.90) is read as one: SpiffWorkflow's end event parser
  looks for message, cancel, error, escalation and terminate definitions only, and so ran a signal end
  event as a none end event, silently throwing nothing.
- Sequence flows leaving an activity or an event may carry conditions (§10.3.1, §13.2.1: an implicit
  inclusive split): SpiffWorkflow refuses more than one flow leaving a task. Ravand's parsers put a
  hidden split (``ImplicitSplit``) behind such an element: every unconditional flow is taken, each
  conditional flow whose condition holds, and the element's default flow when no condition holds.
- The complex gateway (§10.6.5): diverging, it takes every flow whose condition holds (its default flow
  when none does); converging, it fires once its ``activationCondition`` holds, ``activationCount`` being
  the number of tokens that arrived, and absorbs the tokens that arrive after it fired. Without an
  activation condition it joins as an inclusive gateway does.
- Event sub-processes start on errors and escalations, and interrupt (``event_sub_process``).
- Link events (§10.5.6): a link throw event goes on at the link catch event of the same name in the same
  process level, which is reached by no sequence flow; both are pass-through steps.
"""

from __future__ import annotations

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.parser.event_parsers import (
    CANCEL_EVENT_XPATH,
    ERROR_EVENT_XPATH,
    ESCALATION_EVENT_XPATH,
    MESSAGE_EVENT_XPATH,
    SIGNAL_EVENT_XPATH,
    TERMINATION_EVENT_XPATH,
)
from SpiffWorkflow.bpmn.parser.task_parsers import ConditionalGatewayParser, GatewayParser
from SpiffWorkflow.bpmn.parser.TaskParser import TaskParser
from SpiffWorkflow.bpmn.specs.bpmn_task_spec import BpmnTaskSpec, _BpmnCondition
from SpiffWorkflow.bpmn.specs.defaults import (
    EndEvent,
    InclusiveGateway,
    IntermediateCatchEvent,
    IntermediateThrowEvent,
    StartEvent,
)
from SpiffWorkflow.bpmn.specs.event_definitions.simple import NoneEventDefinition
from SpiffWorkflow.specs.MultiChoice import MultiChoice
from SpiffWorkflow.spiff.parser.event_parsers import (
    SpiffEndEventParser,
    SpiffIntermediateCatchEventParser,
    SpiffIntermediateThrowEventParser,
)
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.definitions.event_sub_process import EventSubProcessStartParser, RavandProcessParser

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


class ImplicitSplit(MultiChoice, BpmnTaskSpec):
    """The flows leaving an activity or event when one of them has a condition (no element of its own)."""

    def __init__(self, wf_spec, name, **kwargs):
        super().__init__(wf_spec, name, **kwargs)
        self.default_output: str | None = None

    def _run_hook(self, my_task):
        matches, unconditional = self._get_matching_outputs(my_task)
        default = [s for s in unconditional if s.name == self.default_output]
        always = [s for s in unconditional if s.name != self.default_output]
        chosen = always + (matches or default)
        if not chosen:
            raise WorkflowTaskException("No condition holds on the flows leaving the element", task=my_task)
        my_task._sync_children(chosen, TaskState.FUTURE)
        for child in my_task.children:
            child.task_spec._predict(child, mask=TaskState.FUTURE | TaskState.PREDICTED_MASK)
        return True


class ConditionalFlows:
    """A parser mixin: an element with several outgoing flows, or a conditional one, gets an ImplicitSplit."""

    def handles_multiple_outgoing(self) -> bool:
        return True

    def connect_outgoing(self, outgoing_task, sequence_flow_node, is_default):
        flows = self.process_parser.get_outgoing_sequence_flows(self.bpmn_id)
        if len(flows) == 1 and self.parse_condition(sequence_flow_node) is None:
            return TaskParser.connect_outgoing(self, outgoing_task, sequence_flow_node, is_default)
        name = f"{self.bpmn_id}.ImplicitSplit"
        split = self.spec.task_specs.get(name)
        if split is None:
            split = ImplicitSplit(self.spec, name)
            self.task.connect(split)
        condition = None if is_default else self.parse_condition(sequence_flow_node)
        if condition is None:
            split.connect(outgoing_task)
            if is_default:
                split.default_output = outgoing_task.name
        else:
            split.connect_if(_BpmnCondition(condition), outgoing_task)


class ComplexGateway(InclusiveGateway):
    def __init__(self, wf_spec, bpmn_id, activation_condition: str | None = None, **kwargs):
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.activation_condition = activation_condition

    def _arrived(self, my_task) -> list:
        return [
            t
            for t in my_task.workflow.tasks.values()
            if t.task_spec == self and t.parent is not None and t.parent.has_state(TaskState.COMPLETED)
        ]

    def _check_threshold_unstructured(self, my_task):
        if self.activation_condition is None:
            return super()._check_threshold_unstructured(my_task)
        count = len(self._arrived(my_task))
        engine = my_task.workflow.script_engine
        return bool(
            engine.evaluate(my_task, self.activation_condition, external_context={"activationCount": count})
        )

    def _update_hook(self, my_task):
        fired = self.activation_condition is not None and any(
            t.has_state(TaskState.COMPLETED) for t in self._arrived(my_task) if t is not my_task
        )
        if fired:  # a token after the gateway fired is absorbed
            my_task.cancel()
            return False
        return super()._update_hook(my_task)


class ComplexGatewayParser(ConditionalGatewayParser):
    def create_task(self):
        found = self.xpath("./bpmn:activationCondition")
        condition = (found[0].text or "").strip() or None if found else None
        return self.spec_class(
            self.spec, self.bpmn_id, activation_condition=condition, **self.bpmn_attributes
        )


LINK = "./bpmn:linkEventDefinition"


class LinkThrowParser(SpiffIntermediateThrowEventParser):
    def create_task(self):
        if not self.xpath(LINK):
            return super().create_task()
        return self._create_task(NoneEventDefinition())

    def parse_node(self):
        task = super().parse_node()
        links = self.xpath(LINK)
        if links:
            name = links[0].get("name")
            catches = self.node.getparent().xpath(
                "./bpmn:intermediateCatchEvent[bpmn:linkEventDefinition[@name=$name]]",
                namespaces=self.nsmap,
                name=name,
            )
            if not catches:
                self.raise_validation_exception(f"No link catch event named {name!r} in this process level")
            self.task.connect(self.process_parser.parse_node(catches[0]))
        return task


class LinkCatchParser(SpiffIntermediateCatchEventParser):
    """A link catch event does not wait: it is where its link throw event goes on."""

    def create_task(self):
        if not self.xpath(LINK):
            return super().create_task()
        return IntermediateThrowEvent(
            self.spec, self.bpmn_id, event_definition=NoneEventDefinition(), **self.bpmn_attributes
        )


def _with_conditional_flows(classes: dict) -> dict:
    return {
        tag: (
            parser
            if issubclass(parser, GatewayParser)
            else type(parser.__name__, (ConditionalFlows, parser), {}),
            spec,
        )
        for tag, (parser, spec) in classes.items()
    }


class RavandBpmnParser(SpiffBpmnParser):
    PROCESS_PARSER_CLASS = RavandProcessParser
    OVERRIDE_PARSER_CLASSES = _with_conditional_flows(
        {
            **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
            full_tag("startEvent"): (EventSubProcessStartParser, StartEvent),
            full_tag("endEvent"): (RavandEndEventParser, EndEvent),
            full_tag("complexGateway"): (ComplexGatewayParser, ComplexGateway),
            full_tag("intermediateThrowEvent"): (LinkThrowParser, IntermediateThrowEvent),
            full_tag("intermediateCatchEvent"): (LinkCatchParser, IntermediateCatchEvent),
        }
    )
