// What changed between a deployed version and the one before it: both diagrams side by side, with the
// added (green), removed (red), changed (orange) and moved (blue) elements marked, and a list of them.
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import { diff } from 'bpmn-js-differ';
import spiffworkflow from './spiffworkflow.json';
import { text } from './api';

function mark(viewer, ids, className) {
  const canvas = viewer.get('canvas');
  const registry = viewer.get('elementRegistry');
  for (const id of ids) if (registry.get(id)) canvas.addMarker(id, className);
}

export async function startDiff(root) {
  const config = JSON.parse(root.querySelector('#designer-config').textContent);
  const t = (key) => config.messages[key] || key;
  const newXml = await text(config.urls.current);
  const newViewer = new NavigatedViewer({ container: root.querySelector('#diff-new'), moddleExtensions: { spiffworkflow } });
  await newViewer.importXML(newXml);
  newViewer.get('canvas').zoom('fit-viewport');
  const list = root.querySelector('#diff-list');
  if (!config.urls.previous) {
    list.textContent = t('This is the first version.');
    root.dataset.ready = '1';
    return;
  }
  const oldXml = await text(config.urls.previous);
  const oldViewer = new NavigatedViewer({ container: root.querySelector('#diff-old'), moddleExtensions: { spiffworkflow } });
  await oldViewer.importXML(oldXml);
  oldViewer.get('canvas').zoom('fit-viewport');
  const changes = diff(oldViewer.getDefinitions(), newViewer.getDefinitions());
  const added = Object.keys(changes._added);
  const removed = Object.keys(changes._removed);
  const changed = Object.keys(changes._changed);
  const moved = Object.keys(changes._layoutChanged).filter((id) => !changed.includes(id));
  mark(newViewer, added, 'diff-added');
  mark(oldViewer, removed, 'diff-removed');
  mark(newViewer, changed, 'diff-changed');
  mark(oldViewer, changed, 'diff-changed');
  mark(newViewer, moved, 'diff-moved');
  const rows = [
    ['added', added, changes._added],
    ['removed', removed, changes._removed],
    ['changed', changed, changes._changed],
    ['moved', moved, changes._layoutChanged]
  ];
  list.innerHTML = '';
  for (const [kind, ids, details] of rows) {
    for (const id of ids) {
      const li = document.createElement('li');
      li.className = `list-group-item py-1 small diff-row-${kind}`;
      const element = details[id].model || details[id];
      const name = (element && element.name) || '';
      li.innerHTML = '';
      const badge = document.createElement('span');
      badge.className = `badge me-2 diff-badge-${kind}`;
      badge.textContent = t(kind);
      const code = document.createElement('code');
      code.textContent = id;
      li.append(badge, code, document.createTextNode(name ? ` — ${name}` : ''));
      list.appendChild(li);
    }
  }
  if (!list.children.length) list.textContent = t('No element changed.');
  root.dataset.ready = '1';
}
