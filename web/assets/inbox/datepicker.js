// A Jalali date picker on the date fields of a form-js form (marked "ravand:date" by web/inbox/forms.py).
// The picker opens when a date field gets focus or a click; a picked day is written with Persian digits
// on Persian pages, as staff would type it, and typing by hand keeps working (the field is not read-only).
import "@majidh1/jalalidatepicker";
import "@majidh1/jalalidatepicker/dist/jalalidatepicker.min.css";

const PERSIAN = "۰۱۲۳۴۵۶۷۸۹";
const ARABIC = "٠١٢٣٤٥٦٧٨٩";

function latinDigits(text) {
  return text.replace(/[۰-۹٠-٩]/g, (d) => String(Math.max(PERSIAN.indexOf(d), ARABIC.indexOf(d))));
}

function persianDigits(text) {
  return text.replace(/\d/g, (d) => PERSIAN[d]);
}

function dateFieldIds(form) {
  const ids = new Set();
  for (const field of form.get("formFieldRegistry").getAll()) {
    if (field.properties && field.properties["ravand:date"]) {
      ids.add(`fjs-form-${form._id}-${field.id}`); // the input's id, as form-js builds it
    }
  }
  return ids;
}

let started = false;
// The picker finishes opening 300 ms after show() by making itself visible again, even when a day was
// picked (and the picker hidden) within those 300 ms; such a quick pick is closed again once that is over.
// The field says where the picker is: data-date-picker="opening" until then, "settled" after (what a
// test, or a script, waits for instead of a fixed time).
const OPENING_MS = 300;
let opening = 0; // which show() is still opening (0: none)
let pickedWhileOpening = 0;

function settleAfterOpening(input, shown) {
  setTimeout(() => {
    if (opening !== shown) return; // shown again since: that opening settles itself
    if (pickedWhileOpening === shown) window.jalaliDatepicker.hide();
    opening = 0;
    input.dataset.datePicker = "settled";
  }, OPENING_MS + 20);
}

export function attachDatePicker(form, root) {
  const ids = dateFieldIds(form);
  if (!ids.size) return;
  const persian = document.documentElement.lang === "fa";
  if (!started) {
    window.jalaliDatepicker.startWatch({
      autoShow: false, // opened below, on the marked fields only
      autoReadOnlyInput: false,
      persianDigits: persian,
      showCloseBtn: true,
      zIndex: 1060,
    });
    started = true;
  }
  const isDateField = (element) => element instanceof HTMLInputElement && ids.has(element.id);

  const open = (event) => {
    const input = event.target;
    if (!isDateField(input)) return;
    // The picker parses the field's value with Latin digits only: while it opens, let it read the value
    // in Latin digits, without touching the field itself (its value, caret and selection stay as they are).
    const latin = latinDigits(input.value);
    Object.defineProperty(input, "value", { configurable: true, get: () => latin });
    try {
      window.jalaliDatepicker.show(input);
    } finally {
      delete input.value; // the element's own value again
    }
    const shown = performance.now();
    opening = shown;
    input.dataset.datePicker = "opening";
    settleAfterOpening(input, shown);
  };
  root.addEventListener("focusin", open);
  root.addEventListener("click", open);
  // Tabbing to another field closes the picker; a click elsewhere is the picker's own business (a click
  // on one of its days blurs the field too, with no element taking the focus).
  root.addEventListener("focusout", (event) => {
    const next = event.relatedTarget;
    if (isDateField(event.target) && next && !next.closest("jdp-container")) {
      window.jalaliDatepicker.hide();
    }
  });
  // The picker announces a pick with "jdp:change" before the "input" event that form-js listens to.
  root.addEventListener(
    "jdp:change",
    (event) => {
      if (!isDateField(event.target)) return;
      if (persian) {
        event.target.value = persianDigits(event.target.value);
      }
      pickedWhileOpening = opening; // closed again when the opening is over (0: already over)
    },
    true,
  );
}
