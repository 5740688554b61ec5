/** h('p', {class: 'x', onclick: fn}, 'text', child…): a small element builder (no innerHTML, so no injection). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'text') element.textContent = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

export function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** A section with a heading (h2) and an id, the unit every page is made of. */
export function section(title, ...children) {
  const id = `section-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

/** A place that says it is loading, then shows what `load` builds, or the error in words. */
export function later(load, label = 'Loading…') {
  const box = h('div', { class: 'later', 'aria-busy': 'true' }, h('p', { class: 'muted' }, label));
  Promise.resolve()
    .then(load)
    .then((content) => {
      box.replaceChildren(...[content].flat().filter(Boolean));
    })
    .catch((error) => {
      box.replaceChildren(errorNote(error));
    })
    .finally(() => box.removeAttribute('aria-busy'));
  return box;
}

export function errorNote(error) {
  return h('p', { class: 'error', role: 'alert' }, error?.message ?? String(error));
}

export function notice(text) {
  return h('p', { class: 'notice' }, text);
}

/** Downloads text as a file (CSV exports). */
export function download(filename, text, type = 'text/csv') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = h('a', { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
