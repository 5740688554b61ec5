/**
 * The one table of the dashboards: a caption, sortable columns (buttons in the headers, aria-sort),
 * an "Export CSV" button (every row, in the order shown, raw values) and a "Show more" button
 * for long tables (the DOM stays small; the export does not depend on it).
 *
 * columns: [{key, label, kind?: 'money'|'price'|'count'|'percent'|'date'|'month'|'datetime'|'text',
 *            render?(row) → Node|string, sort?(row) → value}]
 */
import { toCsv } from './csv.js';
import { download, h } from './dom.js';
import {
  compareDecimals,
  formatCount,
  formatDate,
  formatDateTime,
  formatMoney,
  formatMonth,
  formatPercent,
} from './format.js';

const NUMERIC = new Set(['money', 'price', 'count', 'percent']);

const FORMAT = {
  money: (v) => formatMoney(v),
  price: (v) => formatMoney(v, 4),
  count: formatCount,
  percent: (v) => formatPercent(v),
  date: formatDate,
  month: formatMonth,
  datetime: formatDateTime,
  text: (v) =>
    v === null || v === undefined || v === '' ? '–' : Array.isArray(v) ? v.join(', ') : String(v),
};

function compare(kind, a, b) {
  if (a === null || a === undefined || a === '') return b === null || b === undefined || b === '' ? 0 : -1;
  if (b === null || b === undefined || b === '') return 1;
  if (kind === 'money' || kind === 'price') return compareDecimals(String(a), String(b));
  if (kind === 'count') {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (kind === 'percent') return Number(a) - Number(b);
  return String(a).localeCompare(String(b), 'en-GB', { numeric: true });
}

let tableCount = 0;

export function dataTable({
  caption,
  columns,
  rows,
  filename,
  pageSize = 100,
  sort,
  empty = 'Nothing to show.',
}) {
  const id = `table-${++tableCount}`;
  let shown = pageSize;
  let order = sort ? { ...sort } : null;
  const body = h('tbody');
  const headers = columns.map((column) => {
    const button = h(
      'button',
      { type: 'button', class: 'sort', onclick: () => sortBy(column.key) },
      column.label,
      h('span', { class: 'sort-mark', 'aria-hidden': 'true' }),
    );
    return h('th', { scope: 'col', class: NUMERIC.has(column.kind) ? 'num' : undefined }, button);
  });
  const more = h('button', {
    type: 'button',
    class: 'secondary',
    onclick: () => {
      shown += pageSize * 5;
      draw();
    },
  });
  const count = h('span', { class: 'muted' });

  const sorted = () => {
    if (!order) return rows;
    const column = columns.find((c) => c.key === order.key);
    const value = column.sort ?? ((row) => row[column.key]);
    const direction = order.direction === 'descending' ? -1 : 1;
    return [...rows].sort((x, y) => direction * compare(column.kind, value(x), value(y)));
  };

  function sortBy(key) {
    order =
      order?.key === key
        ? { key, direction: order.direction === 'ascending' ? 'descending' : 'ascending' }
        : {
            key,
            direction: NUMERIC.has(columns.find((c) => c.key === key).kind) ? 'descending' : 'ascending',
          };
    draw();
  }

  function draw() {
    const all = sorted();
    columns.forEach((column, i) => {
      const active = order?.key === column.key;
      headers[i].setAttribute('aria-sort', active ? order.direction : 'none');
      headers[i].querySelector('.sort-mark').textContent = active
        ? order.direction === 'ascending'
          ? ' ▲'
          : ' ▼'
        : '';
    });
    body.replaceChildren(
      ...all.slice(0, shown).map((row) =>
        h(
          'tr',
          {},
          columns.map((column) => {
            const content = column.render
              ? column.render(row)
              : FORMAT[column.kind ?? 'text'](row[column.key]);
            return h('td', { class: NUMERIC.has(column.kind) ? 'num' : undefined }, content);
          }),
        ),
      ),
    );
    if (all.length === 0)
      body.append(h('tr', {}, h('td', { colspan: columns.length, class: 'muted' }, empty)));
    count.textContent =
      all.length > shown
        ? `Showing ${formatCount(shown)} of ${formatCount(all.length)} rows`
        : `${formatCount(all.length)} rows`;
    more.hidden = all.length <= shown;
    more.textContent = `Show more rows of ${caption}`;
  }

  const exportButton = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      onclick: () =>
        download(
          `${filename ?? id}.csv`,
          toCsv(
            columns.map((c) => ({ key: c.key, label: c.label, numeric: NUMERIC.has(c.kind) })),
            sorted().map((row) =>
              Object.fromEntries(columns.map((c) => [c.key, c.csv ? c.csv(row) : row[c.key]])),
            ),
          ),
        ),
    },
    `Export ${caption} as CSV`,
  );
  draw();
  return h(
    'div',
    { class: 'table-block' },
    h('div', { class: 'table-tools' }, count, exportButton),
    h(
      'div',
      { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-labelledby': `${id}-caption` },
      h(
        'table',
        { id },
        h('caption', { id: `${id}-caption` }, caption),
        h('thead', {}, h('tr', {}, headers)),
        body,
      ),
    ),
    more,
  );
}
