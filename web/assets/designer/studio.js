// The studio: one draft, its files in tabs (BPMN in the modeler, forms in the form-js editor, decision
// tables in dmn-js), Save / Check / Deploy against the designer's endpoints.
import BpmnModeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';
import lintModule from 'bpmn-js-bpmnlint';
import spiffworkflow from './spiffworkflow.json';
import ravandProperties, { RAVAND_GROUPS, choices } from './properties';
import { lintConfig, lintMessages } from './lint';
import translateModule from './translate';
import { call, upload } from './api';
import { importBpmn } from './references';
import { showConflict } from './conflict';
import { diff } from 'bpmn-js-differ';

const SERVER_LINT_DELAY = 1200;

export function startStudio(root) {
  const config = JSON.parse(root.querySelector('#designer-config').textContent);
  const t = (key) => config.messages[key] || key;
  const digits = (value) => (config.locale === 'fa' ? String(value).replace(/[0-9]/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[d]) : String(value));
  Object.assign(lintMessages, config.messages);
  const $ = (selector) => root.querySelector(selector);
  // ``marked``: the problems the diagram shows, those of the latest check or live lint, whichever came last.
  const state = { draft: null, files: {}, current: null, dirty: false, problems: [], lint: [], marked: [] };

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
  // The form and decision editors are chunks of their own, loaded when a form or a table is first
  // opened: a designer who edits only the diagram never downloads them.
  let formsTab = null;
  let decisionsTab = null;
  async function forms() {
    if (!formsTab) {
      const { FormsTab } = await import('./forms');
      formsTab = new FormsTab($('#form-editor'), $('#form-preview'), () => markDirty(), config.locale);
    }
    return formsTab;
  }
  async function decisions() {
    if (!decisionsTab) {
      const { DecisionsTab } = await import('./decisions');
      decisionsTab = new DecisionsTab($('#dmn-editor'), $('#dmn-try'), config, t, () => markDirty());
    }
    return decisionsTab;
  }
  window.ravandDecisions = decisions;

  modeler.on('commandStack.changed', () => markDirty());
  modeler.on('linting.completed', ({ issues }) => renderLint(issues));
  modeler.on('import.done', () => showProblemOverlays());

  function status(message, kind = 'secondary') {
    const box = $('#designer-status');
    box.className = `alert alert-${kind} py-2 small mb-2`;
    box.textContent = message;
    delete box.dataset.conflict;
  }

  function markDirty() {
    state.dirty = true;
    $('#save-state').textContent = t('Unsaved changes');
    scheduleServerLint();
  }

  // The choices the properties panel offers: the bundle's forms, the decisions its DMN files define
  // (read as XML, never by pattern) and the processes the diagram's call activities call.
  function refreshChoices() {
    choices.forms = Object.keys(state.files).filter((n) => n.endsWith('.json')).sort();
    choices.decisions = [...new Set(Object.entries(state.files).filter(([n]) => n.endsWith('.dmn'))
      .flatMap(([, text]) => decisionIds(text)))].sort();
    choices.calledProcesses = calledProcesses();
  }

  function decisionIds(xml) {
    const doc = new DOMParser().parseFromString(xml, 'application/xml');
    return [...doc.getElementsByTagNameNS('*', 'decision')].map((d) => d.getAttribute('id')).filter(Boolean);
  }

  function calledProcesses() {
    if (!state.current || !state.current.endsWith('.bpmn')) return choices.calledProcesses || [];
    return modeler.get('elementRegistry').filter((e) => e.type === 'bpmn:CallActivity')
      .map((e) => e.businessObject.calledElement).filter(Boolean);
  }

  // --- the live lint's server half: every deploy check, on what is in the editor ------------------------

  let lintTimer = null;
  function scheduleServerLint() {
    clearTimeout(lintTimer);
    lintTimer = setTimeout(() => serverLint().catch(() => {}), SERVER_LINT_DELAY);
  }

  async function serverLint() {
    await flushCurrent();
    const data = await call(config.urls.lint, { files: state.files });
    state.lint = data.problems;
    state.marked = data.problems;
    renderServerLint();
    showProblemOverlays();
    root.dataset.serverLinted = String(state.lint.length);
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
    if (kind === 'form') state.files[name] = JSON.stringify((await forms()).schema(), null, 2);
    if (kind === 'dmn') state.files[name] = await (await decisions()).xml();
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
      refreshChoices();
    } else if (kind === 'form') {
      await (await forms()).open(JSON.parse(state.files[name]));
    } else {
      await (await decisions()).open(state.files[name]);
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

  let localLint = 0;

  function updateLintCount() {
    $('#lint-count').textContent = digits(localLint + state.lint.length);
  }

  function renderLint(issues) {
    const list = $('#lint-issues');
    list.innerHTML = '';
    root.dataset.linted = '1';
    const entries = Object.entries(issues).flatMap(([id, reports]) => reports.map((r) => ({ id, ...r })));
    localLint = entries.length;
    updateLintCount();
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

  function renderServerLint() {
    fillProblemList($('#lint-server'), state.lint, 'list-group-item-warning');
    updateLintCount();
  }

  // One badge per element, with every problem found there; on a flow, at its middle.
  function showProblemOverlays() {
    if (!state.current || !state.current.endsWith('.bpmn')) return;
    const overlays = modeler.get('overlays');
    overlays.remove({ type: 'ravand-problem' });
    const registry = modeler.get('elementRegistry');
    const byElement = new Map();
    for (const problem of state.marked) {
      if (problem.file !== state.current || !problem.element || !registry.get(problem.element)) continue;
      const messages = byElement.get(problem.element) || new Set();
      messages.add(problem.message);
      byElement.set(problem.element, messages);
    }
    for (const [element, messages] of byElement) {
      const badge = document.createElement('div');
      badge.className = 'ravand-problem badge text-bg-danger';
      badge.dataset.element = element;
      badge.title = [...messages].join('\n');
      badge.textContent = messages.size > 1 ? digits(messages.size) : '!';
      const shape = registry.get(element);
      const position = shape.waypoints ? { top: -12, left: Math.max(0, shape.width / 2 - 8) } : { top: -10, right: 10 };
      overlays.add(element, 'ravand-problem', { position, html: badge });
    }
  }

  function renderProblems(problems) {
    state.problems = problems;
    state.marked = problems;
    fillProblemList($('#check-problems'), problems, 'list-group-item-danger');
    showProblemOverlays();
  }

  function fillProblemList(list, problems, kind) {
    list.innerHTML = '';
    for (const p of problems) {
      const li = document.createElement('li');
      li.className = `list-group-item list-group-item-action ${kind} py-1 small`;
      li.dataset.element = p.element || '';
      li.dataset.rule = p.rule || '';
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
  }

  // --- save, check, deploy --------------------------------------------------------------------------------

  async function save() {
    await flushCurrent();
    try {
      const data = await call(config.urls.save, { revision: state.draft.revision, files: state.files });
      state.draft = data.draft;
      state.files = { ...data.draft.files };
      state.dirty = false;
      $('#save-state').textContent = '';
      showDraftInfo();
      status(data.message, 'success');
      return true;
    } catch (error) {
      if (error.data && error.data.code === 'draft_conflict') {
        showConflict($('#designer-status'), {
          message: error.message,
          mine: () => state.files,
          theirs: async () => (await call(config.urls.draft)).draft,
          compareBpmn: async (a, b) => {
            const moddle = modeler.get('moddle');
            const [x, y] = await Promise.all([moddle.fromXML(a), moddle.fromXML(b)]);
            const c = diff(x.rootElement, y.rootElement);
            const changed = Object.keys(c._changed);
            return {
              added: Object.keys(c._added),
              removed: Object.keys(c._removed),
              changed,
              moved: Object.keys(c._layoutChanged).filter((id) => !changed.includes(id))
            };
          },
          openTheirs: () => reload(t('Their version is open; your changes were not saved.')),
          saveMine: async (revision) => {
            state.draft.revision = revision;
            await save();
          },
          t
        });
        return false;
      }
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

  // --- discard, import, export, starters -----------------------------------------------------------

  async function reload(message) {
    const data = await call(config.urls.draft);
    state.draft = data.draft;
    state.files = { ...data.draft.files };
    state.current = null;
    state.problems = [];
    choices.roles = data.roles;
    choices.processes = data.processes;
    refreshChoices();
    showDraftInfo();
    renderTabs();
    renderStarters(data.access);
    renderProblems([]);
    await open(state.draft.main || Object.keys(state.files).find((n) => n.endsWith('.bpmn')));
    state.dirty = false;
    $('#save-state').textContent = '';
    $('#btn-discard').disabled = !state.draft.revision || !state.draft.latest_version;
    if (message) status(message, 'success');
    serverLint().catch(() => {});
  }

  async function discard() {
    if (!window.confirm(t('Discard the draft and go back to the deployed version?'))) return;
    try {
      const data = await call(config.urls.discard, { revision: state.draft.revision });
      await reload(data.message);
    } catch (error) {
      status(error.message, error.status === 409 ? 'warning' : 'danger');
    }
  }

  async function importFiles(input) {
    if (!input.files.length) return;
    if (state.dirty && !(await save())) return;
    const form = new FormData();
    form.append('revision', String(state.draft.revision));
    for (const file of input.files) form.append('files', file, file.name);
    try {
      const data = await upload(config.urls.import, form);
      await reload(data.message);
    } catch (error) {
      const fields = error.data && error.data.fields ? ' ' + Object.entries(error.data.fields).map(([n, m]) => `${n}: ${m}`).join(' ') : '';
      status(error.message + fields, 'danger');
    } finally {
      input.value = '';
    }
  }

  async function exportFile(all) {
    if (state.dirty && !(await save())) return;
    window.location.href = all ? config.urls.exportZip : config.urls.exportFile.replace('__name__', encodeURIComponent(state.current));
  }

  function renderStarters(access) {
    const box = $('#starters');
    box.innerHTML = '';
    const chosen = new Set(access.starters);
    const options = [
      { code: '*', name: t('All staff') },
      { code: 'public', name: t('The public (no login)') },
      ...choices.roles.map((r) => ({ code: r.code, name: config.locale === 'fa' ? r.name_fa : r.name_en }))
    ];
    for (const option of options) {
      const label = document.createElement('label');
      label.className = 'form-check form-check-inline small';
      const input = document.createElement('input');
      input.type = 'checkbox';
      input.className = 'form-check-input';
      input.name = 'starter';
      input.value = option.code;
      input.checked = chosen.has(option.code);
      label.append(input, document.createTextNode(' ' + option.name));
      box.appendChild(label);
    }
    $('#starters-source').textContent = access.from_catalog ? t('From the catalog until you save.') : '';
    $('#starters-none').classList.toggle('d-none', access.starters.length > 0);
  }

  async function saveStarters() {
    const wanted = [...root.querySelectorAll('#starters input[name=starter]:checked')].map((i) => i.value);
    try {
      const data = await call(config.urls.starters, { starters: wanted });
      renderStarters(data.access);
      status(data.message, 'success');
      root.dataset.startersSaved = data.access.starters.join(',');
    } catch (error) {
      const fields = error.data && error.data.fields ? ' ' + Object.values(error.data.fields).join(' ') : '';
      status(error.message + fields, 'danger');
    }
  }

  $('#btn-discard').addEventListener('click', () => discard());
  $('#import-files').addEventListener('change', (event) => importFiles(event.target));
  $('#btn-export-file').addEventListener('click', () => exportFile(false));
  $('#btn-export-zip').addEventListener('click', () => exportFile(true));
  $('#btn-starters').addEventListener('click', () => saveStarters());

  // --- start -------------------------------------------------------------------------------------------

  reload().then(() => {
    status(t('The editor is ready.'), 'secondary');
    root.dataset.ready = '1';
  }).catch((error) => status(error.message, 'danger'));
}
