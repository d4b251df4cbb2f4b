// form-js writes its own words in English with no way to translate them — the repeating rows' "Add
// new", "Collapse", "Expand all (n)" and remove button, a select's "Select" and its "Search" box; on a
// Persian page they are rewritten in place, now and whenever form-js renders them again.

const PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹";
const persian = (text) => text.replace(/\d/g, (d) => PERSIAN_DIGITS[d]);

const WORDS = [
  [/^Add new$/, () => "افزودن ردیف"],
  [/^Collapse$/, () => "بستن ردیف‌ها"],
  [/^Expand all \((\d+)\)$/, (n) => `نمایش همه (${persian(n)})`],
];

function rewrite(root) {
  for (const button of root.querySelectorAll(".fjs-repeat-render-add, .fjs-repeat-render-collapse")) {
    for (const node of button.childNodes) {
      if (node.nodeType !== Node.TEXT_NODE) continue;
      const text = node.textContent.trim();
      for (const [pattern, say] of WORDS) {
        const match = text.match(pattern);
        if (match) node.textContent = ` ${say(...match.slice(1))}`;
      }
    }
  }
  // The text node itself is changed, never replaced: form-js (Preact) keeps updating that node.
  for (const shown of root.querySelectorAll(".fjs-select-placeholder")) {
    const text = shown.firstChild;
    if (text && text.nodeType === Node.TEXT_NODE && text.data === "Select") text.data = "انتخاب کنید";
  }
  for (const input of root.querySelectorAll("input[placeholder='Search']")) input.placeholder = "جست‌وجو";
  for (const button of root.querySelectorAll(".fjs-repeat-row-remove[aria-label^='Remove list item']")) {
    const n = button.getAttribute("aria-label").match(/(\d+)$/)[1];
    button.setAttribute("aria-label", `حذف ردیف ${persian(n)}`);
    button.title = button.getAttribute("aria-label");
  }
}

export function persianViewerWords(container) {
  if (document.documentElement.lang !== "fa") return;
  rewrite(container);
  new MutationObserver(() => rewrite(container)).observe(container, { childList: true, subtree: true, characterData: true });
}
