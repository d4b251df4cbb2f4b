// Ravand's properties in the bpmn-js properties panel: what engine/specs.py and docs/modelling.md read.
// Every value is written as SpiffWorkflow's extension elements (spiffworkflow:properties/property,
// instructionsForEndUser, preScript, postScript, messageVariable, messagePayload, calledDecisionId) or
// as standard BPMN (lane names, scripts, condition expressions, calledElement, correlation properties).
import { jsx } from '@bpmn-io/properties-panel/preact/jsx-runtime';
import {
  Group,
  SelectEntry,
  TextAreaEntry,
  TextFieldEntry,
  isSelectEntryEdited,
  isTextAreaEntryEdited,
  isTextFieldEntryEdited
} from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

// The lists the selects offer (roles, the bundle's forms, processes, decisions), set by the studio.
export const choices = { roles: [], forms: [], processes: [], decisions: [], calledProcesses: [] };
export const RAVAND_GROUPS = [
  'ravand-lane', 'ravand-user-task', 'ravand-script', 'ravand-condition', 'ravand-call',
  'ravand-decision', 'ravand-message-in', 'ravand-message-out'
];

// --- reading and writing extension elements -----------------------------------------------------------

export function extension(bo, type) {
  const ext = bo.get('extensionElements');
  return ext ? ext.get('values').find((v) => is(v, type)) : undefined;
}

export function propertyValue(bo, name) {
  const props = extension(bo, 'spiffworkflow:Properties');
  const prop = props && props.get('properties').find((p) => p.name === name);
  return prop ? prop.value : undefined;
}

function ensureExtensions(element, bo, bpmnFactory, modeling) {
  let ext = bo.get('extensionElements');
  if (!ext) {
    ext = bpmnFactory.create('bpmn:ExtensionElements', { values: [] });
    ext.$parent = bo;
    modeling.updateModdleProperties(element, bo, { extensionElements: ext });
  }
  return ext;
}

function setProperty(element, bo, name, value, bpmnFactory, modeling) {
  let props = extension(bo, 'spiffworkflow:Properties');
  const prop = props && props.get('properties').find((p) => p.name === name);
  if (!value) {
    if (prop) modeling.updateModdleProperties(element, props, { properties: props.get('properties').filter((p) => p !== prop) });
    return;
  }
  if (prop) {
    modeling.updateModdleProperties(element, prop, { value });
    return;
  }
  const ext = ensureExtensions(element, bo, bpmnFactory, modeling);
  if (!props) {
    props = bpmnFactory.create('spiffworkflow:Properties', { properties: [] });
    props.$parent = ext;
    modeling.updateModdleProperties(element, ext, { values: [...ext.get('values'), props] });
  }
  const created = bpmnFactory.create('spiffworkflow:Property', { name, value });
  created.$parent = props;
  modeling.updateModdleProperties(element, props, { properties: [...props.get('properties'), created] });
}

function setBody(element, bo, type, value, bpmnFactory, modeling) {
  const existing = extension(bo, type);
  if (!value) {
    if (existing) {
      const ext = bo.get('extensionElements');
      modeling.updateModdleProperties(element, ext, { values: ext.get('values').filter((v) => v !== existing) });
    }
    return;
  }
  if (existing) {
    modeling.updateModdleProperties(element, existing, { value });
    return;
  }
  const ext = ensureExtensions(element, bo, bpmnFactory, modeling);
  const created = bpmnFactory.create(type, { value });
  created.$parent = ext;
  modeling.updateModdleProperties(element, ext, { values: [...ext.get('values'), created] });
}

function options(list, current, translate) {
  const values = list.map((item) => (typeof item === 'string' ? { value: item, label: item } : item));
  if (current && !values.some((o) => o.value === current)) values.push({ value: current, label: current });
  return [{ value: '', label: translate('(none)') }, ...values];
}

// --- entry components ---------------------------------------------------------------------------------

function PropertyEntry({ element, id, name, label, description, list, textarea }) {
  const [translate, debounce, bpmnFactory, modeling] = ['translate', 'debounceInput', 'bpmnFactory', 'modeling'].map(useService);
  const bo = getBusinessObject(element);
  const common = {
    element,
    id,
    label: translate(label),
    description: description && translate(description),
    getValue: () => propertyValue(bo, name) || '',
    setValue: (value) => setProperty(element, bo, name, (value || '').trim(), bpmnFactory, modeling)
  };
  if (list) return jsx(SelectEntry, { ...common, getOptions: () => options(choices[list], propertyValue(bo, name), translate) });
  return jsx(textarea ? TextAreaEntry : TextFieldEntry, { ...common, debounce });
}

function BodyEntry({ element, id, type, label, description, rows, target }) {
  const [translate, debounce, bpmnFactory, modeling] = ['translate', 'debounceInput', 'bpmnFactory', 'modeling'].map(useService);
  const bo = target ? target(getBusinessObject(element)) : getBusinessObject(element);
  return jsx(TextAreaEntry, {
    element,
    id,
    label: translate(label),
    description: description && translate(description),
    rows: rows || 3,
    debounce,
    monospace: type !== 'spiffworkflow:InstructionsForEndUser',
    getValue: () => (extension(bo, type) || {}).value || '',
    setValue: (value) => setBody(element, bo, type, value, bpmnFactory, modeling)
  });
}

function LaneRoleEntry({ element, id }) {
  const [translate, modeling] = ['translate', 'modeling'].map(useService);
  const bo = getBusinessObject(element);
  const roles = choices.roles.map((r) => ({ value: r.code, label: `${r.name_fa} (${r.code})` }));
  return jsx(SelectEntry, {
    element,
    id,
    label: translate('Role of the lane'),
    description: translate('Tasks in this lane go to the holders of this role.'),
    getValue: () => bo.name || '',
    setValue: (value) => modeling.updateProperties(element, { name: value || undefined }),
    getOptions: () => options(roles, bo.name, translate)
  });
}

function ScriptEntry({ element, id }) {
  const [translate, debounce, modeling] = ['translate', 'debounceInput', 'modeling'].map(useService);
  const bo = getBusinessObject(element);
  return jsx(TextAreaEntry, {
    element,
    id,
    label: translate('Script (Python)'),
    rows: 8,
    monospace: true,
    debounce,
    getValue: () => bo.script || '',
    setValue: (value) => modeling.updateProperties(element, { script: value || undefined })
  });
}

function ConditionEntry({ element, id }) {
  const [translate, debounce, modeling, bpmnFactory] = ['translate', 'debounceInput', 'modeling', 'bpmnFactory'].map(useService);
  const bo = getBusinessObject(element);
  return jsx(TextAreaEntry, {
    element,
    id,
    label: translate('Condition (Python expression)'),
    description: translate("For example: decision == 'approved'"),
    rows: 2,
    monospace: true,
    debounce,
    getValue: () => (bo.conditionExpression && bo.conditionExpression.body) || '',
    setValue: (value) => {
      const body = (value || '').trim();
      const expression = body ? bpmnFactory.create('bpmn:FormalExpression', { body }) : undefined;
      modeling.updateProperties(element, { conditionExpression: expression });
    }
  });
}

function CalledElementEntry({ element, id }) {
  const [translate, modeling] = ['translate', 'modeling'].map(useService);
  const bo = getBusinessObject(element);
  return jsx(SelectEntry, {
    element,
    id,
    label: translate('Called process'),
    getValue: () => bo.calledElement || '',
    setValue: (value) => modeling.updateProperties(element, { calledElement: value || undefined }),
    getOptions: () => options(choices.processes, bo.calledElement, translate)
  });
}

function DecisionEntry({ element, id }) {
  const [translate, bpmnFactory, modeling] = ['translate', 'bpmnFactory', 'modeling'].map(useService);
  const bo = getBusinessObject(element);
  const current = (extension(bo, 'spiffworkflow:CalledDecisionId') || {}).value;
  return jsx(SelectEntry, {
    element,
    id,
    label: translate('Decision table'),
    getValue: () => current || '',
    setValue: (value) => setBody(element, bo, 'spiffworkflow:CalledDecisionId', value, bpmnFactory, modeling),
    getOptions: () => options(choices.decisions, current, translate)
  });
}

// The message of an event or a receive/send task, and its correlation property for that message.
function messageOf(bo) {
  if (bo.messageRef) return bo.messageRef;
  const definition = (bo.eventDefinitions || []).find((d) => is(d, 'bpmn:MessageEventDefinition'));
  return definition && definition.messageRef;
}

function definitionsOf(bo) {
  let node = bo;
  while (node && !is(node, 'bpmn:Definitions')) node = node.$parent;
  return node;
}

function correlationFor(definitions, message) {
  for (const root of definitions.get('rootElements')) {
    if (!is(root, 'bpmn:CorrelationProperty')) continue;
    const retrieval = root.get('correlationPropertyRetrievalExpression').find((r) => r.messageRef === message);
    if (retrieval) return { property: root, retrieval };
  }
  return {};
}

function CorrelationEntry({ element, id }) {
  const [translate, debounce, bpmnFactory, modeling] = ['translate', 'debounceInput', 'bpmnFactory', 'modeling'].map(useService);
  const bo = getBusinessObject(element);
  const message = messageOf(bo);
  const definitions = definitionsOf(bo);
  return jsx(TextFieldEntry, {
    element,
    id,
    label: translate('Correlation (Python expression)'),
    description: translate('The value that must match between the message and the waiting instance, e.g. tracking_code'),
    debounce,
    disabled: !message,
    getValue: () => {
      const { retrieval } = message ? correlationFor(definitions, message) : {};
      return (retrieval && retrieval.messagePath && retrieval.messagePath.body) || '';
    },
    setValue: (value) => {
      const body = (value || '').trim();
      const { property, retrieval } = correlationFor(definitions, message);
      if (retrieval && body) {
        modeling.updateModdleProperties(element, retrieval, { messagePath: bpmnFactory.create('bpmn:FormalExpression', { body }) });
      } else if (retrieval) {
        modeling.updateModdleProperties(element, property, {
          correlationPropertyRetrievalExpression: property.get('correlationPropertyRetrievalExpression').filter((r) => r !== retrieval)
        });
      } else if (body) {
        const name = body.replace(/[^A-Za-z0-9_]/g, '_');
        const created = bpmnFactory.create('bpmn:CorrelationProperty', { id: `${name}_${message.id}`, name });
        const expression = bpmnFactory.create('bpmn:CorrelationPropertyRetrievalExpression', {
          messageRef: message,
          messagePath: bpmnFactory.create('bpmn:FormalExpression', { body })
        });
        expression.$parent = created;
        created.get('correlationPropertyRetrievalExpression').push(expression);
        created.$parent = definitions;
        modeling.updateModdleProperties(element, definitions, { rootElements: [...definitions.get('rootElements'), created] });
      }
    }
  });
}

// --- the provider ---------------------------------------------------------------------------------------

function entry(id, component, props = {}, isEdited = isTextFieldEntryEdited) {
  return { id, component: (p) => jsx(component, { ...p, ...props }), isEdited };
}

function hasMessageDefinition(bo) {
  return (bo.eventDefinitions || []).some((d) => is(d, 'bpmn:MessageEventDefinition'));
}

function isMessageCatch(bo) {
  return is(bo, 'bpmn:ReceiveTask') || (is(bo, 'bpmn:CatchEvent') && hasMessageDefinition(bo));
}

function isMessageThrow(bo) {
  return is(bo, 'bpmn:SendTask') || (is(bo, 'bpmn:ThrowEvent') && hasMessageDefinition(bo));
}

function ravandGroups(element, translate) {
  const bo = getBusinessObject(element);
  const groups = [];
  const group = (id, label, entries) => entries.length && groups.push({ id, label: translate(label), component: Group, entries });

  if (is(bo, 'bpmn:Lane')) group('ravand-lane', 'Ravand: lane', [entry('ravand-lane-role', LaneRoleEntry, {}, isSelectEntryEdited)]);
  if (is(bo, 'bpmn:UserTask')) {
    group('ravand-user-task', 'Ravand: user task', [
      entry('ravand-formKey', PropertyEntry, { name: 'formKey', label: 'Form', list: 'forms' }, isSelectEntryEdited),
      entry('ravand-due', PropertyEntry, { name: 'dueInWorkingDays', label: 'Due in working days', description: 'A number, or a Python expression on the task data' }),
      entry('ravand-instructions', BodyEntry, { type: 'spiffworkflow:InstructionsForEndUser', label: 'Instructions for the user (Persian)', rows: 4 }, isTextAreaEntryEdited),
      entry('ravand-unit', PropertyEntry, { name: 'unit', label: 'Unit (Python expression, optional)' }),
      entry('ravand-priority', PropertyEntry, { name: 'priority', label: 'Priority (0-100, optional)' })
    ]);
  }
  if (is(bo, 'bpmn:ScriptTask')) group('ravand-script', 'Ravand: script', [entry('ravand-script-body', ScriptEntry, {}, isTextAreaEntryEdited)]);
  if (is(bo, 'bpmn:Activity')) {
    group('ravand-pre-post', 'Ravand: scripts before and after', [
      entry('ravand-prescript', BodyEntry, { type: 'spiffworkflow:PreScript', label: 'Script before the task' }, isTextAreaEntryEdited),
      entry('ravand-postscript', BodyEntry, { type: 'spiffworkflow:PostScript', label: 'Script after the task' }, isTextAreaEntryEdited)
    ]);
  }
  if (is(bo, 'bpmn:SequenceFlow') && bo.sourceRef && (is(bo.sourceRef, 'bpmn:ExclusiveGateway') || is(bo.sourceRef, 'bpmn:InclusiveGateway'))) {
    group('ravand-condition', 'Ravand: condition', [entry('ravand-condition-body', ConditionEntry, {}, isTextAreaEntryEdited)]);
  }
  if (is(bo, 'bpmn:CallActivity')) group('ravand-call', 'Ravand: called process', [entry('ravand-called', CalledElementEntry, {}, isSelectEntryEdited)]);
  if (is(bo, 'bpmn:BusinessRuleTask')) group('ravand-decision', 'Ravand: decision', [entry('ravand-decision-id', DecisionEntry, {}, isSelectEntryEdited)]);
  if (isMessageCatch(bo)) {
    group('ravand-message-in', 'Ravand: message received', [
      entry('ravand-message-variable', BodyEntry, { type: 'spiffworkflow:MessageVariable', label: 'Variable that receives the payload', rows: 1 }, isTextAreaEntryEdited),
      entry('ravand-correlation', CorrelationEntry)
    ]);
  }
  if (isMessageThrow(bo)) {
    group('ravand-message-out', 'Ravand: message sent', [
      entry('ravand-message-payload', BodyEntry, { type: 'spiffworkflow:MessagePayload', label: 'Payload (Python expression)' }, isTextAreaEntryEdited),
      entry('ravand-correlation-out', CorrelationEntry)
    ]);
  }
  return groups;
}

class RavandPropertiesProvider {
  constructor(propertiesPanel, translate) {
    propertiesPanel.registerProvider(400, this);
    this.translate = translate;
  }

  getGroups(element) {
    return (groups) => {
      // Ravand's groups come first, after the general one (name and id).
      const extra = ravandGroups(element, this.translate);
      return [groups[0], ...extra, ...groups.slice(1)].filter(Boolean);
    };
  }
}
RavandPropertiesProvider.$inject = ['propertiesPanel', 'translate'];

export default {
  __init__: ['ravandPropertiesProvider'],
  ravandPropertiesProvider: ['type', RavandPropertiesProvider]
};
