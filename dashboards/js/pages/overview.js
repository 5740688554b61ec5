/**
 * Overview: spend by month and body (stacked), top suppliers and categories, and each body's data
 * freshness, filtered by period, body and category; the filters live in the URL query string.
 */
import { api, apiArrow, bodyNames } from '../api.js';
import { chart, moneyAxis, moneyTooltip } from '../chart.js';
import { h, later, section } from '../dom.js';
import { readFilters, toApiQuery, writeFilters } from '../filters.js';
import { compareDecimals, formatCount, formatMoney, sumDecimals } from '../format.js';
import { dataTable } from '../table.js';

const FILTERS = { from: 'month', to: 'month', body: 'list', category: 'list' };
const API_NAMES = { from: 'from', to: 'to', body: 'body', category: 'category' };
const TOP = 10;

export async function render(root, { who }) {
  const state = readFilters(location.search, FILTERS);
  const query = toApiQuery(state, API_NAMES);
  const cube = (groupBy, arrow = false) => {
    const path = `/api/v1/cube?groupBy=${groupBy}&currency=GBP&limit=1000000${query ? `&${query}` : ''}`;
    return arrow ? apiArrow(path) : api(path);
  };
  const staff = who.role !== 'body';
  const byMonthBody = cube('month,body');
  const names = bodyNames();

  root.replaceChildren(
    filterForm(state, names, staff),
    h(
      'div',
      { class: 'tiles' },
      later(() => tiles(byMonthBody, names)),
    ),
    section(
      'Spend by month and body',
      later(() => monthChart(byMonthBody, names)),
    ),
    h(
      'div',
      { class: 'two-columns' },
      section(
        'Top suppliers',
        later(() => topSuppliers(cube('entity', true), staff)),
      ),
      section(
        'Top categories',
        later(() => topCategories(cube('category'))),
      ),
    ),
    section(
      'Data freshness',
      later(() => freshness(names)),
    ),
  );
}

function filterForm(state, names, staff) {
  const monthInput = (id, label, value) => [
    h('label', { for: id }, label),
    h('input', {
      id,
      name: id,
      type: 'month',
      value: value ?? '',
      pattern: '\\d{4}-\\d{2}',
      placeholder: 'YYYY-MM',
    }),
  ];
  const bodySelect = h(
    'select',
    { id: 'filter-body', name: 'body' },
    h('option', { value: '' }, 'All bodies'),
  );
  const categorySelect = h(
    'select',
    { id: 'filter-category', name: 'category' },
    h('option', { value: '' }, 'All categories'),
  );
  names.then((map) => {
    for (const [id, name] of map)
      bodySelect.append(h('option', { value: id, selected: state.body?.[0] === id }, name));
  });
  api('/api/v1/cube?groupBy=category&currency=GBP&limit=10000').then(({ rows }) => {
    for (const row of rows) {
      if (!row.proclass_code) continue;
      categorySelect.append(
        h(
          'option',
          { value: row.proclass_code, selected: state.category?.[0] === row.proclass_code },
          `${row.proclass_code} ${row.proclass_level1 ?? ''}`,
        ),
      );
    }
  });
  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Filters' },
    h('div', { class: 'field' }, monthInput('filter-from', 'From month', state.from)),
    h('div', { class: 'field' }, monthInput('filter-to', 'To month', state.to)),
    staff ? h('div', { class: 'field' }, h('label', { for: 'filter-body' }, 'Body'), bodySelect) : null,
    h('div', { class: 'field' }, h('label', { for: 'filter-category' }, 'Category'), categorySelect),
    h(
      'div',
      { class: 'field actions' },
      h('button', { type: 'submit' }, 'Apply filters'),
      h('a', { href: location.pathname, class: 'button secondary' }, 'Clear filters'),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const list = (name) => (data.get(name) ? [String(data.get(name))] : []);
    const next = {
      from: String(data.get('filter-from') ?? ''),
      to: String(data.get('filter-to') ?? ''),
      body: list('body'),
      category: list('category'),
    };
    location.assign(`${location.pathname}${writeFilters(next, FILTERS)}`);
  });
  return form;
}

async function tiles(byMonthBody, names) {
  const { rows } = await byMonthBody;
  const map = await names;
  const bodies = new Set(rows.map((r) => r.body_id));
  const tile = (label, value) =>
    h('div', { class: 'tile' }, h('span', { class: 'tile-label' }, label), h('strong', {}, value));
  return [
    tile('Total spend', formatMoney(sumDecimals(rows.map((r) => r.net_total)))),
    tile('Invoice lines', formatCount(rows.reduce((n, r) => n + BigInt(r.lines), 0n))),
    tile('Documents', formatCount(rows.reduce((n, r) => n + BigInt(r.documents), 0n))),
    tile('Bodies', `${bodies.size} of ${map.size}`),
  ];
}

async function monthChart(byMonthBody, names) {
  const { rows } = await byMonthBody;
  const map = await names;
  const months = [...new Set(rows.map((r) => r.spend_month.slice(0, 7)))].sort();
  const bodies = [...new Set(rows.map((r) => r.body_id))].sort();
  const cell = new Map(rows.map((r) => [`${r.spend_month.slice(0, 7)}|${r.body_id}`, r.net_total]));
  const series = bodies.map((body) => ({
    name: map.get(body) ?? body,
    type: 'bar',
    stack: 'spend',
    data: months.map((m) => sumDecimals([cell.get(`${m}|${body}`)])),
  }));
  const tableRows = months.map((month) => ({
    month,
    ...Object.fromEntries(bodies.map((b) => [b, cell.get(`${month}|${b}`) ?? '0'])),
    total: sumDecimals(bodies.map((b) => cell.get(`${month}|${b}`))),
  }));
  return [
    chart(
      `Stacked bar chart of net spend per month for ${bodies.length} bodies, ${months[0] ?? ''} to ${months.at(-1) ?? ''}`,
      {
        tooltip: moneyTooltip,
        legend: { type: 'scroll', bottom: 0 },
        grid: { left: 70, right: 16, top: 16, bottom: 60 },
        xAxis: { type: 'category', data: months },
        yAxis: moneyAxis,
        series,
      },
      { height: 360 },
    ),
    h(
      'details',
      {},
      h('summary', {}, 'Show the figures'),
      dataTable({
        caption: 'Net spend by month and body',
        filename: 'spend-by-month-and-body',
        columns: [
          { key: 'month', label: 'Month', kind: 'month' },
          ...bodies.map((b) => ({ key: b, label: map.get(b) ?? b, kind: 'money' })),
          { key: 'total', label: 'Total', kind: 'money' },
        ],
        rows: tableRows,
        pageSize: 60,
      }),
    ),
  ];
}

async function topSuppliers(entities, staff) {
  const { rows } = await entities;
  const sorted = [...rows].sort((a, b) => compareDecimals(b.net_total, a.net_total));
  return dataTable({
    caption: 'Suppliers by net spend',
    filename: 'top-suppliers',
    pageSize: TOP,
    columns: [
      {
        key: 'supplier_entity_name',
        label: 'Supplier',
        render: (row) =>
          staff && row.supplier_entity_id
            ? h(
                'a',
                { href: `/suppliers?entity=${encodeURIComponent(row.supplier_entity_id)}` },
                row.supplier_entity_name ?? row.supplier_entity_id,
              )
            : (row.supplier_entity_name ?? 'Unmatched'),
      },
      { key: 'net_total', label: 'Net spend', kind: 'money' },
      { key: 'lines', label: 'Lines', kind: 'count' },
    ],
    rows: sorted,
  });
}

async function topCategories(categories) {
  const { rows } = await categories;
  const sorted = [...rows].sort((a, b) => compareDecimals(b.net_total, a.net_total));
  const top = sorted.slice(0, TOP);
  return [
    chart(
      'Bar chart of the ten categories with the most net spend',
      {
        tooltip: { ...moneyTooltip, trigger: 'item' },
        grid: { left: 180, right: 16, top: 8, bottom: 30 },
        xAxis: moneyAxis,
        yAxis: {
          type: 'category',
          inverse: true,
          data: top.map((r) => r.proclass_level1 ?? r.proclass_code ?? 'Unclassified'),
          axisLabel: { width: 170, overflow: 'truncate' },
        },
        series: [{ type: 'bar', name: 'Net spend', data: top.map((r) => r.net_total) }],
      },
      { height: 300 },
    ),
    dataTable({
      caption: 'Categories by net spend',
      filename: 'top-categories',
      pageSize: TOP,
      columns: [
        { key: 'proclass_code', label: 'Code' },
        { key: 'proclass_level1', label: 'Category' },
        { key: 'net_total', label: 'Net spend', kind: 'money' },
        { key: 'lines', label: 'Lines', kind: 'count' },
      ],
      rows: sorted,
    }),
  ];
}

async function freshness(names) {
  const [{ rows }, map] = await Promise.all([api('/api/v1/marts/fct_data_freshness?limit=10000'), names]);
  return dataTable({
    caption: 'Data freshness per body',
    filename: 'data-freshness',
    columns: [
      {
        key: 'body_id',
        label: 'Body',
        render: (r) => r.name ?? map.get(r.body_id) ?? r.body_id,
        csv: (r) => r.body_id,
      },
      { key: 'last_ingested_at', label: 'Last upload', kind: 'datetime' },
      { key: 'last_spend_date', label: 'Last invoice date', kind: 'date' },
      { key: 'days_since_last_spend', label: 'Lag (days)', kind: 'count' },
      { key: 'months_with_spend', label: 'Months with spend', kind: 'count' },
      { key: 'documents', label: 'Documents', kind: 'count' },
    ],
    rows,
  });
}
