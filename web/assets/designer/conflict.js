// When a save meets a newer revision saved by someone else, the studio does not stop at a warning: the
// designer may open the saved version (losing their unsaved edits, after a confirmation), compare the two
// file by file, line by line, or save theirs over it on purpose.

// The lines of `a` and `b` that the other lacks, from a longest common subsequence (files of a few
// thousand lines: a few million steps at most).
export function lineDiff(a, b) {
  const x = a.split('\n');
  const y = b.split('\n');
  const lengths = Array.from({ length: x.length + 1 }, () => new Uint16Array(y.length + 1));
  for (let i = x.length - 1; i >= 0; i--) {
    for (let j = y.length - 1; j >= 0; j--) {
      lengths[i][j] = x[i] === y[j] ? lengths[i + 1][j + 1] + 1 : Math.max(lengths[i + 1][j], lengths[i][j + 1]);
    }
  }
  const onlyA = [];
  const onlyB = [];
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    if (x[i] === y[j]) { i++; j++; } else if (lengths[i + 1][j] >= lengths[i][j + 1]) onlyA.push([i + 1, x[i++]]);
    else onlyB.push([j + 1, y[j++]]);
  }
  while (i < x.length) onlyA.push([i + 1, x[i++]]);
  while (j < y.length) onlyB.push([j + 1, y[j++]]);
  return { onlyA, onlyB };
}

function button(label, kind, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = `btn btn-sm btn-${kind} ms-2 mt-1`;
  b.textContent = label;
  b.addEventListener('click', onClick);
  return b;
}

function lines(title, rows, kind) {
  const box = document.createElement('div');
  box.className = 'mt-1';
  const head = document.createElement('div');
  head.className = 'fw-bold';
  head.textContent = title;
  const pre = document.createElement('pre');
  pre.dir = 'ltr';
  pre.className = `small border rounded p-1 mb-1 bg-${kind}-subtle`;
  pre.style.maxHeight = '12rem';
  pre.textContent = rows.map(([n, text]) => `${String(n).padStart(5)}  ${text}`).join('\n');
  box.append(head, pre);
  return box;
}

// The elements of an XML file (a decision table) by id, each with what it says itself: its tag, its
// attributes and its own text, so that re-serialising a file changes nothing and an edited cell is the
// one element reported.
// Attributes a DMN editor may write or leave out, meaning the same (the standard's defaults).
const DEFAULTS = new Set(['hitPolicy=UNIQUE', 'preferredOrientation=Rule-as-Row', 'isCollection=false']);

function signatures(xml) {
  const found = new Map();
  for (const element of new DOMParser().parseFromString(xml, 'application/xml').querySelectorAll('[id]')) {
    const attributes = [...element.attributes]
      .map((a) => `${a.name}=${a.value}`)
      .filter((a) => !DEFAULTS.has(a))
      .sort()
      .join(' ');
    let own = [...element.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('');
    for (const child of element.children) if (!child.hasAttribute('id')) own += `<${child.localName}>${child.textContent}`;
    found.set(element.getAttribute('id'), `${element.localName} ${attributes} ${own.replace(/\s+/g, ' ').trim()}`);
  }
  return found;
}

function compareXml(a, b) {
  const x = signatures(a);
  const y = signatures(b);
  return {
    added: [...y.keys()].filter((id) => !x.has(id)),
    removed: [...x.keys()].filter((id) => !y.has(id)),
    changed: [...y.keys()].filter((id) => x.has(id) && x.get(id) !== y.get(id))
  };
}

function elements(changes, t) {
  const list = document.createElement('ul');
  list.className = 'small mb-1';
  for (const [kind, ids] of Object.entries(changes)) {
    for (const id of ids) {
      const li = document.createElement('li');
      li.dataset.kind = kind;
      li.textContent = `${t(kind)}: `;
      const code = document.createElement('code');
      code.textContent = id;
      li.append(code);
      list.append(li);
    }
  }
  return list;
}

// The comparison: for each file, the same, only on one side, or what differs — a diagram by its
// elements (`compareBpmn`, layout included) and a decision table by its elements, serialisation aside;
// any other file (a form) by the lines each side alone holds.
async function comparison(mine, theirs, compareBpmn, t) {
  const panel = document.createElement('div');
  panel.id = 'conflict-compare';
  panel.className = 'mt-2 text-body';
  for (const name of [...new Set([...Object.keys(mine), ...Object.keys(theirs)])].sort()) {
    const section = document.createElement('details');
    const summary = document.createElement('summary');
    section.dataset.file = name;
    section.append(summary);
    const file = document.createElement('bdi');
    file.textContent = name;
    const say = (words) => summary.replaceChildren(file, document.createTextNode(`: ${words}`));
    if (!(name in theirs)) say(t('only in mine'));
    else if (!(name in mine)) say(t('only in theirs'));
    else if (mine[name] === theirs[name]) say(t('The same in both.'));
    else if (name.endsWith('.bpmn') || name.endsWith('.dmn')) {
      const compare = name.endsWith('.bpmn') ? compareBpmn : compareXml;
      const changes = await compare(theirs[name], mine[name]);
      if (!Object.values(changes).some((ids) => ids.length)) say(t('The same in both.'));
      else {
        say(t('changed'));
        section.open = true;
        section.dataset.changed = 'true';
        section.append(elements(changes, t));
      }
    } else {
      const { onlyA, onlyB } = lineDiff(theirs[name], mine[name]);
      say(t('changed'));
      section.open = true;
      section.dataset.changed = 'true';
      section.append(lines(t('Lines only in theirs'), onlyA, 'danger'), lines(t('Lines only in mine'), onlyB, 'success'));
    }
    panel.append(section);
  }
  return panel;
}

// Turn the status box into the conflict's choices. `theirs()` fetches the saved draft ({files, revision}).
export function showConflict(box, { message, mine, theirs, compareBpmn, openTheirs, saveMine, t }) {
  box.className = 'alert alert-warning py-2 small mb-2';
  box.textContent = message;
  box.dataset.conflict = 'true';
  const compare = button(t('Compare with mine'), 'outline-secondary', async () => {
    const saved = await theirs();
    box.querySelector('#conflict-compare')?.remove();
    box.append(await comparison(mine(), saved.files, compareBpmn, t));
  });
  const open = button(t('Open the saved version'), 'outline-primary', async () => {
    if (window.confirm(t('Your unsaved changes will be lost. Open the saved version?'))) await openTheirs();
  });
  const over = button(t('Save mine over it'), 'outline-danger', async () => {
    const saved = await theirs();
    await saveMine(saved.revision);
  });
  compare.id = 'conflict-compare-btn';
  open.id = 'conflict-open-btn';
  over.id = 'conflict-overwrite-btn';
  box.append(document.createElement('br'), open, compare, over);
}
