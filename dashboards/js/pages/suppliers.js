/**
 * Suppliers: search the supplier entities; an entity's profile (the names each body sends, the
 * identifiers and why they match, spend by body over time and by category); an analyst's
 * decisions (confirm, merge, split), which the next transform run applies.
 */
import { api, apiArrow, apiPost, bodyNames } from '../api.js';
import { chart, moneyAxis, moneyTooltip } from '../chart.js';
import { h, later, notice, section } from '../dom.js';
import { readFilters, writeFilters } from '../filters.js';
import { compareDecimals, formatMoney, sumDecimals } from '../format.js';
import { dataTable } from '../table.js';

const FILTERS = { q: 'text', entity: 'text' };
const DECIDERS = new Set(['procurement', 'admin']);

/** DuckDB's list text ("['a', 'b']") or an array, as an array of strings. */
export function listOf(value) {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.map(String);
  const inner = String(value)
    .trim()
    .replace(/^\[|\]$/g, '')
    .trim();
  return inner ? inner.split(',').map((s) => s.trim().replace(/^'|'$/g, '')) : [];
}

export async function render(root, { who }) {
  const state = readFilters(location.search, FILTERS);
  const entities = apiArrow('/api/v1/suppliers?limit=1000000');
  root.replaceChildren(
    state.entity
      ? section(
          'Supplier profile',
          later(() => profile(state.entity, entities, who)),
        )
      : null,
    section(
      'Search suppliers',
      searchForm(state),
      later(() => results(entities, state.q)),
    ),
  );
}

function searchForm(state) {
  const input = h('input', {
    id: 'supplier-search',
    name: 'q',
    type: 'search',
    value: state.q ?? '',
    placeholder: 'name, VAT or company number',
  });
  const form = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Search suppliers' },
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'supplier-search' }, 'Supplier name or identifier'),
      input,
    ),
    h('div', { class: 'field actions' }, h('button', { type: 'submit' }, 'Search')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    location.assign(`/suppliers${writeFilters({ q: input.value.trim() }, FILTERS)}`);
  });
  return form;
}

async function results(entities, q) {
  const { rows } = await entities;
  const needle = (q ?? '').toLowerCase();
  const found = rows
    .filter(
      (r) =>
        !needle ||
        String(r.entity_name).toLowerCase().includes(needle) ||
        [...listOf(r.vat_numbers), ...listOf(r.company_numbers), ...listOf(r.charity_numbers)].some((id) =>
          id.toLowerCase().includes(needle),
        ),
    )
    .sort((a, b) => compareDecimals(b.gbp_net_total ?? '0', a.gbp_net_total ?? '0'));
  return dataTable({
    caption: 'Supplier entities',
    filename: 'supplier-entities',
    pageSize: 50,
    columns: [
      {
        key: 'entity_name',
        label: 'Supplier',
        render: (r) =>
          h('a', { href: `/suppliers?entity=${encodeURIComponent(r.entity_id)}` }, r.entity_name),
      },
      { key: 'aliases', label: 'Names', kind: 'count' },
      { key: 'bodies', label: 'Bodies', kind: 'count' },
      {
        key: 'identifiers',
        label: 'Identifiers',
        render: (r) => identifiersOf(r).join(', ') || '–',
        csv: (r) => identifiersOf(r).join('; '),
        sort: (r) => identifiersOf(r).join(),
      },
      { key: 'gbp_net_total', label: 'Net spend', kind: 'money' },
      {
        key: 'decided_by_analyst',
        label: 'Decided by an analyst',
        render: (r) => (r.decided_by_analyst ? 'yes' : 'no'),
      },
    ],
    rows: found,
  });
}

const identifiersOf = (r) => [
  ...listOf(r.vat_numbers).map((v) => `VAT ${v}`),
  ...listOf(r.company_numbers).map((v) => `company ${v}`),
  ...listOf(r.charity_numbers).map((v) => `charity ${v}`),
];

async function profile(entityId, entities, who) {
  const id = encodeURIComponent(entityId);
  const [{ matches }, { rows: all }, names] = await Promise.all([
    api(`/api/v1/suppliers/${id}`),
    entities,
    bodyNames(),
  ]);
  const entity = all.find((r) => r.entity_id === entityId);
  if (!entity && matches.length === 0) return notice(`No supplier entity ${entityId}.`);
  const bodyName = (b) => names.get(b) ?? b;
  const [byMonth, byCategory] = await Promise.all([
    api(`/api/v1/cube?entity=${id}&groupBy=month,body&currency=GBP&limit=100000`),
    api(`/api/v1/cube?entity=${id}&groupBy=category,body&currency=GBP&limit=100000`),
  ]);
  const months = [...new Set(byMonth.rows.map((r) => r.spend_month.slice(0, 7)))].sort();
  const bodies = [...new Set(byMonth.rows.map((r) => r.body_id))].sort();
  const cell = new Map(byMonth.rows.map((r) => [`${r.spend_month.slice(0, 7)}|${r.body_id}`, r.net_total]));
  const selected = new Set();
  const aliasRows = matches.map((m, i) => ({ ...m, index: i }));
  return [
    h('h3', {}, entity?.entity_name ?? entityId),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Entity'),
      h('dd', {}, entityId),
      h('dt', {}, 'Identifiers'),
      h('dd', {}, (entity ? identifiersOf(entity) : []).join(', ') || 'none: matched on names'),
      h('dt', {}, 'Bodies'),
      h('dd', {}, bodies.map(bodyName).join(', ') || '–'),
      h('dt', {}, 'Net spend'),
      h('dd', {}, formatMoney(entity?.gbp_net_total ?? sumDecimals(byMonth.rows.map((r) => r.net_total)))),
      h('dt', {}, 'Decided by an analyst'),
      h('dd', {}, entity?.decided_by_analyst ? 'yes' : 'no'),
    ),
    dataTable({
      caption: 'Names across bodies and why they match',
      filename: `supplier-${entityId}-names`,
      columns: [
        ...(DECIDERS.has(who.role)
          ? [
              {
                key: 'index',
                label: 'Split out',
                render: (r) => {
                  const box = h('input', {
                    type: 'checkbox',
                    'aria-label': `Split out ${r.supplier_name} (${r.body_id})`,
                  });
                  box.checked = selected.has(r.index);
                  box.addEventListener('change', () =>
                    box.checked ? selected.add(r.index) : selected.delete(r.index),
                  );
                  return box;
                },
                csv: () => '',
              },
            ]
          : []),
        { key: 'body_id', label: 'Body', render: (r) => bodyName(r.body_id), csv: (r) => r.body_id },
        { key: 'supplier_name', label: 'Name as sent' },
        { key: 'reason', label: 'Match reason' },
        {
          key: 'score',
          label: 'Score',
          kind: 'percent',
          render: (r) => (r.score === null ? '–' : Number(r.score).toFixed(2)),
        },
        {
          key: 'matched_name',
          label: 'Matched to',
          render: (r) => (r.matched_name ? `${r.matched_name} (${r.matched_body_id})` : '–'),
        },
        { key: 'vat_number', label: 'VAT' },
        { key: 'company_number', label: 'Company' },
        { key: 'charity_number', label: 'Charity' },
        { key: 'decided', label: 'Decided', render: (r) => (r.decided ? 'yes' : 'no') },
      ],
      rows: aliasRows,
    }),
    DECIDERS.has(who.role) ? decisions(entityId, aliasRows, selected) : null,
    h('h3', {}, 'Spend by body over time'),
    chart(`Stacked bar chart of net spend with ${entity?.entity_name ?? entityId} per month, by body`, {
      tooltip: moneyTooltip,
      legend: { type: 'scroll', bottom: 0 },
      grid: { left: 70, right: 16, top: 16, bottom: 60 },
      xAxis: { type: 'category', data: months },
      yAxis: moneyAxis,
      series: bodies.map((b) => ({
        name: bodyName(b),
        type: 'bar',
        stack: 'spend',
        data: months.map((m) => sumDecimals([cell.get(`${m}|${b}`)])),
      })),
    }),
    dataTable({
      caption: 'Spend by category and body',
      filename: `supplier-${entityId}-categories`,
      columns: [
        {
          key: 'proclass_level1',
          label: 'Category',
          render: (r) => `${r.proclass_code ?? ''} ${r.proclass_level1 ?? 'Unclassified'}`.trim(),
        },
        { key: 'body_id', label: 'Body', render: (r) => bodyName(r.body_id), csv: (r) => r.body_id },
        { key: 'net_total', label: 'Net spend', kind: 'money' },
        { key: 'lines', label: 'Lines', kind: 'count' },
      ],
      rows: byCategory.rows,
      sort: { key: 'net_total', direction: 'descending' },
    }),
  ];
}

/** Confirm, merge, split: posted to /api/v1/suppliers/decisions, applied at the next transform run. */
function decisions(entityId, aliasRows, selected) {
  const note = h('input', { id: 'decision-note', type: 'text', maxlength: '1000' });
  const mergeWith = h('input', { id: 'merge-with', type: 'text', placeholder: 'S0123abcd, S4567ef01' });
  const message = h('p', { role: 'status' });
  const send = async (decision) => {
    message.className = '';
    message.textContent = 'Saving…';
    try {
      await apiPost('/api/v1/suppliers/decisions', {
        ...decision,
        ...(note.value.trim() ? { note: note.value.trim() } : {}),
      });
      message.className = 'ok';
      message.textContent =
        'Decision saved: the next transform run applies it (Data quality → Run transforms now, or wait for the schedule).';
    } catch (error) {
      message.className = 'error';
      message.textContent = error.message;
    }
  };
  return h(
    'div',
    { class: 'card no-print', role: 'group', 'aria-labelledby': 'decisions-title' },
    h('h3', { id: 'decisions-title' }, 'Analyst decisions'),
    h('div', { class: 'field' }, h('label', { for: 'decision-note' }, 'Note for the decision'), note),
    h(
      'div',
      { class: 'row' },
      h(
        'button',
        { type: 'button', onclick: () => send({ action: 'confirm', entities: [entityId] }) },
        'Confirm this entity',
      ),
      h('div', { class: 'field' }, h('label', { for: 'merge-with' }, 'Entity ids to merge with'), mergeWith),
      h(
        'button',
        {
          type: 'button',
          onclick: () => {
            const others = mergeWith.value.split(/[\s,]+/).filter(Boolean);
            if (others.length === 0) {
              message.className = 'error';
              message.textContent = 'Name at least one entity to merge with.';
              return;
            }
            send({ action: 'merge', entities: [entityId, ...others] });
          },
        },
        'Merge',
      ),
      h(
        'button',
        {
          type: 'button',
          onclick: () => {
            const names = aliasRows
              .filter((r) => selected.has(r.index))
              .map((r) => ({ bodyId: r.body_id, name: r.supplier_name }));
            if (names.length === 0) {
              message.className = 'error';
              message.textContent = 'Tick the names to split out first.';
              return;
            }
            send({ action: 'split', entities: [entityId], names });
          },
        },
        'Split ticked names out',
      ),
    ),
    message,
  );
}
