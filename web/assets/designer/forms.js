// The form-js editor for a user-task form, with a live preview of the form as staff will see it.
import { FormEditor } from '@bpmn-io/form-js-editor';
import { Form } from '@bpmn-io/form-js-viewer';
import { persianFormEditor } from './fa_forms';

export class FormsTab {
  constructor(editorContainer, previewContainer, onChange, locale) {
    this.editor = new FormEditor({ container: editorContainer });
    persianFormEditor(editorContainer, locale);
    this.previewContainer = previewContainer;
    this.preview = null;
    this.timer = null;
    this.loading = false;
    this.editor.on('changed', () => {
      if (this.loading) return;
      onChange();
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.renderPreview(), 300);
    });
  }

  async open(schema) {
    this.loading = true;
    try {
      await this.editor.importSchema(schema);
    } finally {
      this.loading = false;
    }
    await this.renderPreview();
  }

  schema() {
    return this.editor.saveSchema();
  }

  async renderPreview() {
    if (this.preview) this.preview.destroy();
    this.previewContainer.innerHTML = '';
    this.preview = new Form({ container: this.previewContainer });
    try {
      await this.preview.importSchema(this.schema());
    } catch (error) {
      this.previewContainer.textContent = error.message;
    }
  }
}
