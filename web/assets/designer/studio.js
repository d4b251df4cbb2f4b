// The studio: one draft, its files in tabs (BPMN in the modeler, forms in the form-js editor, decision
// tables in dmn-js), Save / Check / Deploy against the designer's endpoints.
import BpmnModeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';
import lintModule from 'bpmn-js-bpmnlint';
import spiffworkflow from './spiffworkflow.json';
import ravandProperties, { RAVAND_GROUPS, choices } from './properties';
import { lintConfig, lintMessages } from './lint';
import translateModule from './translate';
import { call } from './api';
import { importBpmn } from './references';
import { FormsTab } from './forms';
import { DecisionsTab } from './decisions';

const DECISION_ID = /<(?:\w+:)?decision\b[^>]*?\bid="([^"]+)"/g;

export function startStudio(root) {
  const config = JSON.parse(root.querySelector('#designer-config').textContent);
  const t = (key) => config.messages[key] || key;
  const digits = (value) => (config.locale === 'fa' ? String(value).replace(/[0-9]/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[d]) : String(value));
  Object.assign(lintMessages, config.messages);
  const $ = (selector) => root.querySelector(selector);
  const state = { draft: null, files: {}, current: null, dirty: false, problems: [] };

  const modeler = new BpmnModeler({
    container: $('#bpmn-canvas'),
    propertiesPanel: {
      parent: $('#bpmn-properties'),
      layout: { groups: Object.fromEntries(['general', ...RAVAND_GROUPS].map((id) => [id, { open: true }])) }
    },
    additionalModules: [
      BpmnPropertiesPanelModule,
      BpmnPropertiesProviderModule,
      ravandProperties,
      lintModule,
      translateModule(config.locale)
    ],
    moddleExtensions: { spiffworkflow },
    linting: { bpmnlint: lintConfig, active: true }
  });
  // For the browser tests and the console: the modeler, and the import the studio uses.
  window.ravandModeler = modeler;
  window.ravandImport = (xml) => importBpmn(modeler, xml);
  const forms = new FormsTab($('#form-editor'), $('#form-preview'), () => markDirty());
  const decisions = new DecisionsTab($('#dmn-editor'), $('#dmn-try'), config, t, () => markDirty());
  window.ravandDecisions = decisions;

  modeler.on('commandStack.changed', () => markDirty());
  modeler.on('linting.completed', ({ issues }) => renderLint(issues));
  modeler.on('import.done', () => showProblemOverlays());

  function status(message, kind = 'secondary') {
    const box = $('#designer-status');
    box.className = `alert alert-${kind} py-2 small mb-2`;
    box.textContent = message;
  }

  function markDirty() {
    state.dirty = true;
    $('#save-state').textContent = t('Unsaved changes');
  }

  function refreshChoices() {
    choices.forms = Object.keys(state.files).filter((n) => n.endsWith('.json')).sort();
    choices.decisions = [...new Set(Object.entries(state.files)
      .filter(([n]) => n.endsWith('.dmn'))
      .flatMap(([, text]) => [...text.matchAll(DECISION_ID)].map((m) => m[1])))].sort();
    const called = Object.values(state.files).flatMap((text) => [...text.matchAll(/calledElement="([^"]+)"/g)].map((m) => m[1]));
    choices.calledProcesses = called;
  }

  // --- files and tabs -----------------------------------------------------------------------------------

  function kindOf(name) {
    return name.endsWith('.bpmn') ? 'bpmn' : name.endsWith('.dmn') ? 'dmn' : 'form';
  }

  async function flushCurrent() {
    const name = state.current;
    if (!name) return;
    const kind = kindOf(name);
    if (kind === 'bpmn') state.files[name] = (await modeler.saveXML({ format: true })).xml;
    if (kind === 'form') state.files[name] = JSON.stringify(forms.schema(), null, 2);
    if (kind === 'dmn') state.files[name] = await decisions.xml();
    refreshChoices();
  }

  async function open(name) {
    await flushCurrent();
    state.current = name;
    const kind = kindOf(name);
    for (const pane of ['bpmn', 'form', 'dmn']) $(`#pane-${pane}`).classList.toggle('d-none', pane !== kind);
    root.querySelectorAll('[data-file]').forEach((a) => a.classList.toggle('active', a.dataset.file === name));
    const dirty = state.dirty;
    if (kind === 'bpmn') {
      delete root.dataset.linted;
      const { warnings } = await importBpmn(modeler, state.files[name]);
      if (warnings.length) console.warn(warnings.map((w) => w.message).join('\n'));
      modeler.get('canvas').zoom('fit-viewport', 'auto');
    } else if (kind === 'form') {
      await forms.open(JSON.parse(state.files[name]));
    } else {
      await decisions.open(state.files[name]);
    }
    state.dirty = dirty;
    if (!dirty) $('#save-state').textContent = '';
  }

  function renderTabs() {
    const list = $('#file-tabs');
    list.innerHTML = '';
    const order = { bpmn: 0, dmn: 1, form: 2 };
    const names = Object.keys(state.files).sort((a, b) => order[kindOf(a)] - order[kindOf(b)] || a.localeCompare(b));
    const main = state.draft.main;
    for (const name of [main, ...names.filter((n) => n !== main)].filter(Boolean)) {
      const li = document.createElement('li');
      li.className = 'nav-item';
      const a = document.createElement('a');
      a.href = '#';
      a.className = 'nav-link py-1 px-2 small';
      a.dataset.file = name;
      a.dir = 'ltr';
      a.textContent = `${{ bpmn: '◇', dmn: '▦', form: '☰' }[kindOf(name)]} ${name}`;
      a.addEventListener('click', (event) => {
        event.preventDefault();
        open(name).catch((error) => status(error.message, 'danger'));
      });
      li.appendChild(a);
      list.appendChild(li);
    }
  }

  function showDraftInfo() {
    const d = state.draft;
    const info = d.revision
      ? `${t('Draft revision')} ${digits(d.revision)} · ${t('last saved by')} ${d.updated_by || '—'}`
      : t('No draft yet: you see the deployed version.');
    $('#draft-info').textContent = info + (d.latest_version ? ` · ${t('Latest version')}: ${digits(d.latest_version)}` : '');
  }

  // --- lint and check problems ---------------------------------------------------------------------------

  function renderLint(issues) {
    const list = $('#lint-issues');
    list.innerHTML = '';
    root.dataset.linted = '1';
    const entries = Object.entries(issues).flatMap(([id, reports]) => reports.map((r) => ({ id, ...r })));
    $('#lint-count').textContent = digits(entries.length);
    for (const issue of entries) {
      const li = document.createElement('li');
      li.className = `list-group-item list-group-item-action py-1 small ${issue.category === 'error' ? 'text-danger' : 'text-warning'}`;
      li.dataset.element = issue.id;
      li.textContent = `${issue.id}: ${modeler.get('translate')(issue.message)}`;
      li.addEventListener('click', () => selectElement(issue.id));
      list.appendChild(li);
    }
  }

  function selectElement(id) {
    const element = modeler.get('elementRegistry').get(id);
    if (!element) return;
    modeler.get('selection').select(element);
    modeler.get('canvas').scrollToElement(element);
  }

  function showProblemOverlays() {
    const overlays = modeler.get('overlays');
    overlays.remove({ type: 'ravand-problem' });
    const registry = modeler.get('elementRegistry');
    for (const problem of state.problems) {
      if (problem.file !== state.current || !problem.element || !registry.get(problem.element)) continue;
      const badge = document.createElement('div');
      badge.className = 'ravand-problem badge text-bg-danger';
      badge.title = problem.message;
      badge.textContent = '!';
      overlays.add(problem.element, 'ravand-problem', { position: { top: -10, right: 10 }, html: badge });
    }
  }

  function renderProblems(problems) {
    state.problems = problems;
    const list = $('#check-problems');
    list.innerHTML = '';
    for (const p of problems) {
      const li = document.createElement('li');
      li.className = 'list-group-item list-group-item-action list-group-item-danger py-1 small';
      li.dataset.element = p.element || '';
      li.innerHTML = '';
      const where = document.createElement('span');
      where.dir = 'ltr';
      where.className = 'fw-bold me-1';
      where.textContent = `${p.file}${p.line ? ':' + p.line : ''}${p.element ? ' [' + p.element + ']' : ''}`;
      li.append(where, document.createTextNode(' ' + p.message));
      li.addEventListener('click', async () => {
        if (p.file && p.file !== state.current && state.files[p.file]) await open(p.file);
        if (p.element) selectElement(p.element);
      });
      list.appendChild(li);
    }
    showProblemOverlays();
  }

  // --- save, check, deploy --------------------------------------------------------------------------------

  async function save() {
    await flushCurrent();
    try {
      const data = await call(config.urls.save, { revision: state.draft.revision, files: state.files });
      state.draft = data.draft;
      state.dirty = false;
      $('#save-state').textContent = '';
      showDraftInfo();
      status(data.message, 'success');
      return true;
    } catch (error) {
      const fields = error.data && error.data.fields ? ' ' + Object.values(error.data.fields).join(' ') : '';
      status(error.message + fields, error.status === 409 ? 'warning' : 'danger');
      return false;
    }
  }

  async function check() {
    delete root.dataset.checked;
    if (!(await save())) return null;
    const data = await call(config.urls.check, {});
    renderProblems(data.problems);
    root.dataset.checked = String(data.problems.length);
    status(data.problems.length ? `${t('Problems found')}: ${digits(data.problems.length)}` : t('Every check passed.'),
      data.problems.length ? 'danger' : 'success');
    return data.problems;
  }

  async function deploy(comment) {
    const problems = await check();
    if (problems === null || problems.length) return;
    try {
      const data = await call(config.urls.deploy, { revision: state.draft.revision, comment });
      const link = document.createElement('a');
      link.href = data.diff_url;
      link.className = 'ms-2';
      link.id = 'deployed-diff-link';
      link.textContent = t('See what changed');
      status(data.message, 'success');
      $('#designer-status').appendChild(link);
      state.draft.latest_version = data.version;
      showDraftInfo();
    } catch (error) {
      if (error.data && error.data.problems) renderProblems(error.data.problems);
      status(error.message, 'danger');
    }
  }

  $('#btn-save').addEventListener('click', () => save());
  $('#btn-check').addEventListener('click', () => check().catch((e) => status(e.message, 'danger')));
  $('#deploy-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const comment = $('#deploy-comment').value.trim();
    if (!comment) {
      $('#deploy-comment').classList.add('is-invalid');
      return;
    }
    $('#deploy-comment').classList.remove('is-invalid');
    deploy(comment).catch((e) => status(e.message, 'danger'));
  });
  $('#new-form-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    let name = $('#new-form-name').value.trim();
    if (!name) return;
    if (!name.endsWith('.json')) name += '.json';
    if (!/^[A-Za-z0-9_.-]+$/.test(name) || state.files[name]) {
      $('#new-form-name').classList.add('is-invalid');
      return;
    }
    $('#new-form-name').classList.remove('is-invalid');
    await flushCurrent();
    state.files[name] = JSON.stringify({ type: 'default', id: name.replace(/\.json$/, ''), schemaVersion: 16, components: [] }, null, 2);
    refreshChoices();
    markDirty();
    renderTabs();
    await open(name);
  });
  window.addEventListener('beforeunload', (event) => {
    if (state.dirty) event.preventDefault();
  });

  // --- start -------------------------------------------------------------------------------------------

  (async () => {
    const data = await call(config.urls.draft);
    state.draft = data.draft;
    state.files = { ...data.draft.files };
    choices.roles = data.roles;
    choices.processes = data.processes;
    refreshChoices();
    showDraftInfo();
    renderTabs();
    await open(state.draft.main || Object.keys(state.files).find((n) => n.endsWith('.bpmn')));
    status(t('The editor is ready.'), 'secondary');
    root.dataset.ready = '1';
  })().catch((error) => status(error.message, 'danger'));
}
