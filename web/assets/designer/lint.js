// The live lint: a few of bpmnlint's rules and Ravand's own, bundled for bpmn-js-bpmnlint.
// Ravand's rules: every user task has a form of the bundle and lies in a lane naming a known role;
// every exclusive gateway has a default flow or a condition on each outgoing flow; nothing lacks DI.
import { is } from 'bpmn-js/lib/util/ModelUtil';
import noBpmndi from 'bpmnlint/rules/no-bpmndi';
import noDisconnected from 'bpmnlint/rules/no-disconnected';
import startEventRequired from 'bpmnlint/rules/start-event-required';
import endEventRequired from 'bpmnlint/rules/end-event-required';
import noDuplicateSequenceFlows from 'bpmnlint/rules/no-duplicate-sequence-flows';
import { choices, propertyValue } from './properties';

// Messages are looked up in the page's dictionary (Persian or English) when reported.
export const lintMessages = {};
const say = (key) => lintMessages[key] || key;

function roleKnown(name) {
  const wanted = (name || '').trim();
  return choices.roles.some((r) => [r.code, r.name_fa, r.name_en].includes(wanted));
}

function lanesOf(node) {
  // A flow node's lanes: those whose flowNodeRef names it or, inside a sub-process, the sub-process.
  let placed = node;
  while (placed.$parent && is(placed.$parent, 'bpmn:SubProcess')) placed = placed.$parent;
  const process = placed.$parent;
  const lanes = [];
  const walk = (laneSets) => (laneSets || []).forEach((set) => (set.lanes || []).forEach((lane) => {
    if ((lane.flowNodeRef || []).includes(placed)) lanes.push(lane);
    if (lane.childLaneSet) walk([lane.childLaneSet]);
  }));
  walk(process && process.laneSets);
  return { process, lanes };
}

function userTaskRule() {
  function check(node, reporter) {
    if (!is(node, 'bpmn:UserTask')) return;
    const form = propertyValue(node, 'formKey');
    if (!form) reporter.report(node.id, say('The user task has no form (formKey).'));
    else if (!choices.forms.includes(form)) reporter.report(node.id, say('The form is not in the bundle: ') + form);
    const { process, lanes } = lanesOf(node);
    const called = process && choices.calledProcesses.includes(process.id); // it takes the call activity's lane
    if (!lanes.length && !called) reporter.report(node.id, say('The user task is in no lane.'));
    lanes.filter((lane) => !roleKnown(lane.name)).forEach(
      (lane) => reporter.report(node.id, say('The lane names no known role: ') + (lane.name || '—'))
    );
  }
  return { check };
}

function gatewayRule() {
  function check(node, reporter) {
    if (!is(node, 'bpmn:ExclusiveGateway')) return;
    const outgoing = node.outgoing || [];
    if (outgoing.length < 2 || node.default) return;
    const missing = outgoing.filter((flow) => !flow.conditionExpression || !(flow.conditionExpression.body || '').trim());
    if (missing.length) reporter.report(node.id, say('The gateway has no default flow and a flow without a condition.'));
  }
  return { check };
}

const rules = {
  'ravand/user-task': userTaskRule,
  'ravand/exclusive-gateway': gatewayRule,
  'bpmnlint/no-bpmndi': noBpmndi,
  'bpmnlint/no-disconnected': noDisconnected,
  'bpmnlint/start-event-required': startEventRequired,
  'bpmnlint/end-event-required': endEventRequired,
  'bpmnlint/no-duplicate-sequence-flows': noDuplicateSequenceFlows
};

const resolver = {
  resolveRule(pkg, ruleName) {
    const prefix = pkg === 'bpmnlint' ? 'bpmnlint' : pkg.replace('bpmnlint-plugin-', '');
    const rule = rules[`${prefix}/${ruleName}`];
    if (!rule) throw new Error(`unknown rule ${pkg}/${ruleName}`);
    return rule;
  },
  resolveConfig(pkg, name) {
    throw new Error(`unknown config ${pkg}/${name}`);
  }
};

export const lintConfig = {
  resolver,
  config: {
    rules: {
      'ravand/user-task': 'error',
      'ravand/exclusive-gateway': 'error',
      'no-bpmndi': 'error',
      'no-disconnected': 'error',
      'start-event-required': 'error',
      'end-event-required': 'error',
      'no-duplicate-sequence-flows': 'error'
    }
  }
};
