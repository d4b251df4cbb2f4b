// dmn-js for the bundle's decision tables, and a "try it" panel: sample inputs are evaluated on the
// server, in the engine's sandbox, exactly as a business rule task would evaluate the table.
import DmnModeler from 'dmn-js/lib/Modeler';
import { call } from './api';
import translateModule from './translate';

export class DecisionsTab {
  constructor(container, tryPanel, config, t, onChange) {
    // Each view takes its own modules (dmn-js replaces, not merges, a `common` list with a view's).
    const translated = { additionalModules: [translateModule(config.locale)] };
    this.modeler = new DmnModeler({ container, drd: translated, decisionTable: translated, literalExpression: translated });
    this.tryPanel = tryPanel;
    this.config = config;
    this.t = t;
    this.loading = false;
    this.onChange = onChange;
    this.watched = new WeakSet();
    // Each view (the decision table, the DRD, a literal expression) is a viewer with its own command
    // stack: every one is watched, so that any edit marks the draft unsaved.
    this.modeler.on('views.changed', () => {
      this.watchActiveViewer();
      this.renderTry();
    });
  }

  watchActiveViewer() {
    const viewer = this.modeler.getActiveViewer();
    if (!viewer || this.watched.has(viewer)) return;
    this.watched.add(viewer);
    viewer.on('commandStack.changed', () => !this.loading && this.onChange());
    viewer.on('elements.changed', () => !this.loading && this.onChange());
  }

  async open(xml) {
    this.loading = true;
    try {
      await this.modeler.importXML(xml);
      const table = this.modeler.getViews().find((v) => v.type === 'decisionTable');
      if (table) await this.modeler.open(table);
      this.watchActiveViewer();
    } finally {
      this.loading = false;
    }
    this.renderTry();
  }

  async xml() {
    return (await this.modeler.saveXML({ format: true })).xml;
  }

  renderTry() {
    const view = this.modeler.getActiveView();
    const panel = this.tryPanel;
    panel.innerHTML = '';
    if (!view || view.type !== 'decisionTable') return;
    const decision = view.element;
    const inputs = (decision.decisionLogic && decision.decisionLogic.input) || [];
    const views = this.modeler.getViews().filter((v) => v.type === 'decisionTable');
    const title = document.createElement('h2');
    title.className = 'h6';
    title.textContent = this.t('Try the decision');
    panel.appendChild(title);
    if (views.length > 1) {
      const select = document.createElement('select');
      select.className = 'form-select form-select-sm mb-2';
      for (const v of views) select.add(new Option(v.name || v.element.id, v.element.id, false, v.element === decision));
      select.addEventListener('change', () => this.modeler.open(views.find((v) => v.element.id === select.value)));
      panel.appendChild(select);
    }
    const form = document.createElement('form');
    form.className = 'row g-2 align-items-end';
    for (const input of inputs) {
      const name = (input.inputExpression && input.inputExpression.text) || '';
      const col = document.createElement('div');
      col.className = 'col-6 col-md-3';
      const label = document.createElement('label');
      label.className = 'form-label small mb-0';
      label.textContent = `${input.label || name}`;
      const field = document.createElement('input');
      field.className = 'form-control form-control-sm';
      field.dir = 'ltr';
      field.name = name;
      field.placeholder = name;
      col.append(label, field);
      form.appendChild(col);
    }
    const buttonCol = document.createElement('div');
    buttonCol.className = 'col-auto';
    const button = document.createElement('button');
    button.className = 'btn btn-sm btn-outline-primary';
    button.type = 'submit';
    button.textContent = this.t('Evaluate');
    buttonCol.appendChild(button);
    form.appendChild(buttonCol);
    const output = document.createElement('pre');
    output.className = 'mt-2 small bg-light p-2 border rounded';
    output.dir = 'ltr';
    output.id = 'dmn-try-result';
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const values = {};
      for (const field of form.querySelectorAll('input[name]')) {
        if (!field.name) continue;
        try {
          values[field.name] = JSON.parse(field.value);
        } catch {
          values[field.name] = field.value;
        }
      }
      output.textContent = '…';
      try {
        const data = await call(this.config.urls.tryDecision, { decision: decision.id, inputs: values, dmn: await this.xml() });
        output.textContent = JSON.stringify(data.result, null, 2);
      } catch (error) {
        output.textContent = error.message;
      }
    });
    panel.append(form, output);
  }
}
