/**
 * Collective buying power: suppliers several bodies pay (combined spend, each body's share),
 * categories bought from many suppliers (fragmented), and price dispersion: the same item bought
 * at different prices, with each body's usual price against the best and the median, and the
 * invoice lines behind it.
 */
import { api, apiArrow, bodyNames } from '../api.js';
import { chart, moneyAxis, moneyTooltip } from '../chart.js';
import { h, later, section } from '../dom.js';
import { compareDecimals, formatCount, formatMoney, formatPercent, sumDecimals } from '../format.js';
import { dataTable } from '../table.js';

export async function render(root) {
  const names = bodyNames();
  const item = new URLSearchParams(location.search).get('item');
  const unit = new URLSearchParams(location.search).get('unit') ?? '';
  const drill = h('div');
  if (item) drill.append(itemDetail(item, unit, names));
  root.replaceChildren(
    drill,
    section(
      'Price dispersion',
      later(() => dispersion(drill, names)),
    ),
    section(
      'Shared suppliers',
      later(() => sharedSuppliers(names)),
    ),
    section(
      'Fragmented categories',
      later(() => fragmented(names)),
    ),
  );
}

async function sharedSuppliers(names) {
  const [{ rows }, map] = await Promise.all([
    apiArrow('/api/v1/marts/fct_shared_suppliers?limit=1000000'),
    names,
  ]);
  const byEntity = new Map();
  for (const row of rows) {
    const entry = byEntity.get(row.entity_id) ?? {
      entity_id: row.entity_id,
      entity_name: row.entity_name,
      bodies: row.bodies,
      combined_net_total: row.combined_net_total,
      split: [],
    };
    entry.split.push(row);
    byEntity.set(row.entity_id, entry);
  }
  const entities = [...byEntity.values()].sort((a, b) =>
    compareDecimals(b.combined_net_total, a.combined_net_total),
  );
  for (const e of entities) e.split.sort((a, b) => compareDecimals(b.body_net_total, a.body_net_total));
  const top = entities.slice(0, 15);
  const bodies = [...new Set(rows.map((r) => r.body_id))].sort();
  const splitText = (e) =>
    e.split
      .map((s) => `${map.get(s.body_id) ?? s.body_id} ${formatPercent(s.body_share_percent, 0)}`)
      .join(', ');
  return [
    h(
      'p',
      { class: 'muted' },
      `${formatCount(entities.length)} suppliers are paid by more than one body, ${formatMoney(sumDecimals(entities.map((e) => e.combined_net_total)))} between them.`,
    ),
    chart(
      'Stacked bar chart of the fifteen shared suppliers with the most combined spend, split by body',
      {
        tooltip: moneyTooltip,
        legend: { type: 'scroll', bottom: 0 },
        grid: { left: 220, right: 16, top: 8, bottom: 50 },
        xAxis: moneyAxis,
        yAxis: {
          type: 'category',
          inverse: true,
          data: top.map((e) => e.entity_name),
          axisLabel: { width: 210, overflow: 'truncate' },
        },
        series: bodies.map((b) => ({
          name: map.get(b) ?? b,
          type: 'bar',
          stack: 'combined',
          data: top.map((e) => e.split.find((s) => s.body_id === b)?.body_net_total ?? '0'),
        })),
      },
      { height: 460 },
    ),
    dataTable({
      caption: 'Suppliers shared by several bodies',
      filename: 'shared-suppliers',
      pageSize: 25,
      columns: [
        {
          key: 'entity_name',
          label: 'Supplier',
          render: (e) =>
            h('a', { href: `/suppliers?entity=${encodeURIComponent(e.entity_id)}` }, e.entity_name),
        },
        { key: 'bodies', label: 'Bodies', kind: 'count' },
        { key: 'combined_net_total', label: 'Combined spend', kind: 'money' },
        { key: 'split', label: 'Split by body', render: splitText, csv: splitText, sort: splitText },
      ],
      rows: entities,
    }),
  ];
}

/** DuckDB's text of a list of structs ({'body_id': a, 'net_total': 1.00, …}) as objects. */
export function structList(text) {
  if (!text) return [];
  if (Array.isArray(text)) return text;
  const items = String(text).match(/\{[^}]*\}/g) ?? [];
  return items.map((item) =>
    Object.fromEntries(
      [...item.matchAll(/'?([a-z_]+)'?\s*[:=]\s*('([^']*)'|[^,}]+)/g)].map((m) => [
        m[1],
        m[3] ?? m[2].trim(),
      ]),
    ),
  );
}

async function fragmented(names) {
  const [{ rows }, map] = await Promise.all([
    api('/api/v1/marts/fct_fragmented_categories?limit=100000'),
    names,
  ]);
  const splitText = (r) =>
    structList(r.body_split)
      .map(
        (s) =>
          `${map.get(s.body_id) ?? s.body_id}: ${formatMoney(s.net_total)} (${s.supplier_entities} suppliers)`,
      )
      .join('; ');
  return dataTable({
    caption: 'Categories bought from many suppliers',
    filename: 'fragmented-categories',
    pageSize: 25,
    sort: { key: 'combined_net_total', direction: 'descending' },
    columns: [
      { key: 'proclass_code', label: 'Code' },
      {
        key: 'proclass_level2',
        label: 'Category',
        render: (r) => r.proclass_level2 ?? r.proclass_level1 ?? '–',
      },
      { key: 'bodies', label: 'Bodies', kind: 'count' },
      { key: 'supplier_entities', label: 'Suppliers', kind: 'count' },
      { key: 'combined_net_total', label: 'Combined spend', kind: 'money' },
      { key: 'top_supplier_name', label: 'Largest supplier' },
      { key: 'top_supplier_share_percent', label: 'Largest supplier share', kind: 'percent' },
      { key: 'top_3_suppliers_share_percent', label: 'Top 3 share', kind: 'percent' },
      { key: 'supplier_concentration_hhi', label: 'Concentration (HHI)', kind: 'count' },
      { key: 'body_split', label: 'Split by body', render: splitText, csv: splitText, sort: splitText },
    ],
    rows,
  });
}

async function dispersion(drill, names) {
  const { rows } = await apiArrow('/api/v1/marts/fct_price_dispersion?limit=1000000');
  const map = await names;
  return [
    h(
      'p',
      { class: 'muted' },
      `${formatCount(rows.length)} items are bought by several bodies at different prices; buying each at the best price paid would have saved ${formatMoney(sumDecimals(rows.map((r) => r.saving_at_best_price)))} (at the lower-quartile price: ${formatMoney(sumDecimals(rows.map((r) => r.saving_at_p25_price)))}). Every item is already in the savings pipeline (fct_savings_pipeline, valued at the lower-quartile price) until a contract in the savings register covers it.`,
    ),
    dataTable({
      caption: 'Items bought at different prices',
      filename: 'price-dispersion',
      pageSize: 25,
      sort: { key: 'saving_at_best_price', direction: 'descending' },
      columns: [
        {
          key: 'item_code',
          label: 'Item',
          render: (r) =>
            h(
              'button',
              {
                type: 'button',
                class: 'secondary',
                onclick: () => {
                  history.pushState(
                    null,
                    '',
                    `?item=${encodeURIComponent(r.item_code)}&unit=${encodeURIComponent(r.unit ?? '')}`,
                  );
                  drill.replaceChildren(itemDetail(r.item_code, r.unit ?? '', names));
                  drill.querySelector('h2')?.focus();
                },
              },
              `${r.item_code}${r.unit ? ` (${r.unit})` : ''}`,
            ),
        },
        { key: 'bodies', label: 'Bodies', kind: 'count' },
        { key: 'min_unit_price', label: 'Best price', kind: 'price' },
        { key: 'median_unit_price', label: 'Median price', kind: 'price' },
        { key: 'max_unit_price', label: 'Highest price', kind: 'price' },
        { key: 'spread_percent', label: 'Spread', kind: 'percent' },
        { key: 'net_amount', label: 'Spend', kind: 'money' },
        { key: 'saving_at_best_price', label: 'Saving at best price', kind: 'money' },
        { key: 'saving_at_p25_price', label: 'Saving at lower-quartile price', kind: 'money' },
        {
          key: 'cheapest_body_id',
          label: 'Cheapest',
          render: (r) => map.get(r.cheapest_body_id) ?? r.cheapest_body_id ?? '–',
          csv: (r) => r.cheapest_body_id,
        },
      ],
      rows,
    }),
  ];
}

/** One item: each body's usual price against the best and the median, then its invoice lines. */
function itemDetail(item, unit, names) {
  const query = `unit=${encodeURIComponent(unit)}`;
  const id = encodeURIComponent(item);
  const box = section(
    `Item ${item}${unit ? ` (${unit})` : ''}`,
    later(async () => {
      const [{ rows }, map] = await Promise.all([api(`/api/v1/prices/${id}/bodies?${query}`), names]);
      const best = rows[0]?.best_unit_price;
      const median = rows[0]?.median_unit_price;
      return [
        chart(
          `Bar chart of each body's usual unit price for ${item}, with the best price and the median marked`,
          {
            tooltip: { trigger: 'axis', valueFormatter: (v) => formatMoney(String(v), 4) },
            grid: { left: 220, right: 24, top: 24, bottom: 30 },
            xAxis: { type: 'value', axisLabel: { formatter: (v) => `£${v}` } },
            yAxis: {
              type: 'category',
              inverse: true,
              data: rows.map((r) => map.get(r.body_id) ?? r.body_id),
              axisLabel: { width: 210, overflow: 'truncate' },
            },
            series: [
              {
                name: 'Usual unit price',
                type: 'bar',
                data: rows.map((r) => r.unit_price),
                markLine: {
                  symbol: 'none',
                  label: { formatter: (p) => `${p.name} ${formatMoney(String(p.value), 4)}` },
                  data: [
                    { name: 'Best', xAxis: Number(best) },
                    { name: 'Median', xAxis: Number(median) },
                  ],
                },
              },
            ],
          },
          { height: Math.max(180, rows.length * 36 + 60) },
        ),
        dataTable({
          caption: `Unit price of ${item} by body`,
          filename: `item-${item}-bodies`,
          columns: [
            {
              key: 'body_id',
              label: 'Body',
              render: (r) => map.get(r.body_id) ?? r.body_id,
              csv: (r) => r.body_id,
            },
            { key: 'unit_price', label: 'Usual unit price', kind: 'price' },
            { key: 'best_unit_price', label: 'Best', kind: 'price' },
            { key: 'median_unit_price', label: 'Median', kind: 'price' },
            {
              key: 'quantity',
              label: 'Quantity',
              kind: 'price',
              render: (r) => formatCount(String(r.quantity).replace(/\.0+$/, '')),
            },
            { key: 'net_amount', label: 'Spend', kind: 'money' },
            { key: 'saving_at_best_price', label: 'Saving at best price', kind: 'money' },
            { key: 'lines_at_other_prices', label: 'Lines at other prices', kind: 'count' },
          ],
          rows,
        }),
        h('h3', {}, 'Invoice lines'),
        later(async () => {
          const lines = await apiArrow(`/api/v1/prices/${id}/lines?${query}&limit=100000`);
          return dataTable({
            caption: `Invoice lines of ${item}`,
            filename: `item-${item}-lines`,
            pageSize: 50,
            columns: [
              { key: 'spend_date', label: 'Date', kind: 'date' },
              {
                key: 'body_id',
                label: 'Body',
                render: (r) => map.get(r.body_id) ?? r.body_id,
                csv: (r) => r.body_id,
              },
              { key: 'invoice_id', label: 'Invoice' },
              { key: 'line_no', label: 'Line', kind: 'count' },
              { key: 'document_type', label: 'Type' },
              { key: 'supplier_name', label: 'Supplier' },
              { key: 'description', label: 'Description' },
              { key: 'quantity', label: 'Quantity', kind: 'price' },
              { key: 'unit_price', label: 'Unit price', kind: 'price' },
              { key: 'net_amount', label: 'Net', kind: 'money' },
            ],
            rows: lines.rows,
          });
        }),
      ];
    }),
  );
  box.querySelector('h2').setAttribute('tabindex', '-1');
  return box;
}
