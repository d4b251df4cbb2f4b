// SpiffWorkflow reads a multi-instance's loopDataInputRef / loopDataOutputRef as the name of a process
// variable, while BPMN (and so bpmn-js) expects the id of a data element: bpmn-js drops the reference it
// cannot resolve, and saving would lose it. After an import we put back, in memory only, a stand-in
// element carrying that name as its id, so the saved XML writes the same name again.
const REFS = ['loopDataInputRef', 'loopDataOutputRef'];

function variableRefs(xml) {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  const found = {};
  for (const loop of doc.getElementsByTagNameNS('*', 'multiInstanceLoopCharacteristics')) {
    const owner = loop.parentElement && loop.parentElement.getAttribute('id');
    if (!owner) continue;
    for (const ref of REFS) {
      const node = [...loop.children].find((c) => c.localName === ref);
      if (node && node.textContent.trim()) (found[owner] = found[owner] || {})[ref] = node.textContent.trim();
    }
  }
  return found;
}

export async function importBpmn(modeler, xml) {
  const result = await modeler.importXML(xml);
  const refs = variableRefs(xml);
  const moddle = modeler.get('moddle');
  const registry = modeler.get('elementRegistry');
  for (const [id, values] of Object.entries(refs)) {
    const element = registry.get(id);
    const loop = element && element.businessObject.loopCharacteristics;
    if (!loop) continue;
    for (const [ref, name] of Object.entries(values)) {
      if (!loop.get(ref)) loop.set(ref, moddle.create('bpmn:DataInput', { id: name }));
    }
  }
  return result;
}
