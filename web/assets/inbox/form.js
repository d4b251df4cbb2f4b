// Renders a task's or a start page's form-js form and sends it to the server, which validates it:
// the server's messages (Persian or English) are shown beside the fields, success follows its redirect.
import { Form } from "@bpmn-io/form-js-viewer";
import "@bpmn-io/form-js-viewer/dist/assets/form-js.css";
import "./form.css";
import { attachDatePicker } from "./datepicker.js";
import { persianViewerWords } from "./viewer_words.js";

function readJson(id) {
  const element = document.getElementById(id);
  return element ? JSON.parse(element.textContent) : null;
}

function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]').content;
}

function showStatus(box, message, kind) {
  box.textContent = message || "";
  box.className = `ravand-form-status${message ? ` alert alert-${kind}` : ""}`;
}

// The repeating lists (form-js dynamic lists) a field sits in, outermost first, by their data path.
function listsOf(registry, field) {
  const names = [];
  for (let parent = registry.get(field._parent); parent; parent = registry.get(parent._parent)) {
    if (parent.isRepeating) names.unshift(parent.path || parent.key);
  }
  return names.join("/");
}

// The server names a field inside repeating rows "list[0].key" (rows in rows: "a[0].b[1].key");
// form-js keeps such a field's errors by its id, then its row index in each list.
function showFieldErrors(form, fieldErrors) {
  const registry = form.get("formFieldRegistry");
  const errors = {};
  for (const [name, message] of Object.entries(fieldErrors)) {
    const parts = name.split(".");
    const key = parts.pop();
    const rows = parts.map((part) => part.match(/^(.+)\[(\d+)\]$/));
    if (rows.some((row) => !row)) continue;
    const lists = rows.map((row) => row[1]).join("/");
    const field = registry.getAll().find((f) => f.key === key && listsOf(registry, f) === lists);
    if (!field) continue;
    if (!rows.length) {
      errors[field.id] = [message];
      continue;
    }
    let node = (errors[field.id] = errors[field.id] || {});
    const indexes = rows.map((row) => Number(row[2]));
    indexes.slice(0, -1).forEach((index) => (node = node[index] = node[index] || {}));
    node[indexes[indexes.length - 1]] = [message];
  }
  form._setState({ errors });
}

async function mount(root) {
  // No input debounce: what is on the screen is what a click on a button sends.
  const form = new Form({ container: root.querySelector(".ravand-form-body"), debounce: false });
  await form.importSchema(readJson(root.dataset.schema), readJson(root.dataset.data) || {});
  attachDatePicker(form, root);
  persianViewerWords(root);
  const status = root.querySelector(".ravand-form-status");
  const buttons = root.querySelectorAll("[data-action]");
  // The buttons come disabled: nothing is sent before the form is on the screen.
  buttons.forEach((b) => (b.disabled = false));

  buttons.forEach((button) =>
    button.addEventListener("click", async () => {
      buttons.forEach((b) => (b.disabled = true));
      try {
        const response = await fetch(button.dataset.url, {
          method: "POST",
          headers: {
            "Content-Type": "application/json",
            Accept: "application/json",
            "X-CSRFToken": csrfToken(),
          },
          body: JSON.stringify({ data: form._getState().data }),
        });
        if (response.status === 401) {
          // The session has expired: log in again and come back here.
          window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname)}`);
          return;
        }
        const body = await response.json().catch(() => ({}));
        if (response.ok && body.redirect) {
          window.location.assign(body.redirect);
          return;
        }
        showFieldErrors(form, body.fields || {});
        showStatus(status, body.message || response.statusText, response.ok ? "success" : "danger");
        const firstError = root.querySelector(".fjs-has-errors input, .fjs-has-errors textarea, .fjs-has-errors select");
        (firstError || status).scrollIntoView({ block: "center" });
      } catch (error) {
        showStatus(status, document.documentElement.lang === "fa" ? "ارتباط با سرور برقرار نشد." : "Could not reach the server.", "danger");
      } finally {
        buttons.forEach((b) => (b.disabled = false));
      }
    }),
  );
}

document.querySelectorAll("[data-ravand-form]").forEach(mount);
