/**
 * Savings vs guarantees (finance): a contract year's statement per stream and body, guaranteed
 * vs stretch vs validated vs realised (a chart with the guarantee marked on every stream),
 * shortfall and amount due, drill-down to the traced records, sign-off, and a printable statement.
 */
import { api, apiPost, bodyNames } from '../api.js';
import { chart, moneyAxis } from '../chart.js';
import { errorNote, h, later, section } from '../dom.js';
import { readFilters, writeFilters } from '../filters.js';
import { formatMoney, formatMonth } from '../format.js';
import { dataTable } from '../table.js';

const FILTERS = { year: 'year', body: 'text' };
const STREAMS = {
  procurement: 'Procurement',
  services_transferred: 'Services transferred',
  consequential: 'Consequential',
  third_party_revenue_share: 'Third-party revenue share',
};
const FIGURES = [
  ['guaranteed', 'Guaranteed'],
  ['stretch', 'Stretch'],
  ['validated', 'Validated'],
  ['realised_not_validated', 'Realised, not yet validated'],
  ['realised', 'Realised'],
  ['shortfall', 'Shortfall'],
  ['due_from_partner', 'Due from partner'],
  ['gain_share_to_partner', 'Gain share to partner'],
  ['forecast_to_year_end', 'Run-rate forecast'],
];

export async function render(root, { who }) {
  const signoffs = api('/api/v1/savings/signoffs');
  const state = readFilters(location.search, FILTERS);
  const { signoffs: list } = await signoffs;
  const signedYears = list.map((s) => s.contract_year);
  const year = Number(
    state.year ?? (signedYears.length ? Math.max(...signedYears) + 1 : new Date().getUTCFullYear()),
  );
  const bodyQuery = state.body ? `&body=${encodeURIComponent(state.body)}` : '';
  const statement = api(`/api/v1/savings/statement?year=${year}${bodyQuery}`);
  const trace = h('div');
  const parts = [
    filterForm(year, state.body),
    h(
      'div',
      { class: 'tiles' },
      later(() => tiles(statement)),
    ),
    section(
      `Contract year ${year}: delivered against guaranteed`,
      later(() => streamChart(statement)),
      later(() => tables(statement, who, trace, year)),
    ),
    trace,
    who.role === 'finance' ? section('Sign off', signOffForm(year)) : '',
    section(
      'Sign-offs',
      later(() => signoffTable(list)),
    ),
  ];
  root.replaceChildren(...parts.filter(Boolean));
}

function filterForm(year, body) {
  const now = new Date().getUTCFullYear();
  const years = [];
  for (let y = now; y >= now - 10; y--) years.push(y);
  const yearSelect = h(
    'select',
    { id: 'savings-year', name: 'year' },
    years.map((y) => h('option', { value: y, selected: y === year }, String(y))),
  );
  const bodySelect = h(
    'select',
    { id: 'savings-body', name: 'body' },
    h('option', { value: '' }, 'All bodies'),
  );
  bodyNames().then((map) => {
    for (const [id, name] of map) bodySelect.append(h('option', { value: id, selected: id === body }, name));
  });
  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Filters' },
    h('div', { class: 'field' }, h('label', { for: 'savings-year' }, 'Contract year'), yearSelect),
    h('div', { class: 'field' }, h('label', { for: 'savings-body' }, 'Body'), bodySelect),
    h(
      'div',
      { class: 'field actions' },
      h('button', { type: 'submit' }, 'Show statement'),
      h('button', { type: 'button', class: 'secondary', onclick: () => window.print() }, 'Print statement'),
      h(
        'a',
        {
          class: 'button secondary',
          href: `/api/v1/savings/statement?year=${year}${body ? `&body=${encodeURIComponent(body)}` : ''}&format=csv`,
        },
        'Download statement CSV',
      ),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    location.assign(`/savings${writeFilters({ year: yearSelect.value, body: bodySelect.value }, FILTERS)}`);
  });
  return form;
}

async function tiles(statement) {
  const { totals, yearStart, yearEnd, asOf } = await statement;
  const tile = (label, value, extra) =>
    h(
      'div',
      { class: 'tile' },
      h('span', { class: 'tile-label' }, label),
      h('strong', {}, value),
      extra ?? null,
    );
  return [
    tile(
      'Guaranteed',
      formatMoney(totals.guaranteed),
      h('span', { class: 'tile-label' }, `${yearStart} to ${yearEnd}, as of ${asOf}`),
    ),
    tile('Stretch', formatMoney(totals.stretch)),
    tile('Validated', formatMoney(totals.validated)),
    tile('Realised', formatMoney(totals.realised)),
    tile('Shortfall', formatMoney(totals.shortfall)),
    tile('Due from partner', formatMoney(totals.due_from_partner)),
    tile('Gain share to partner', formatMoney(totals.gain_share_to_partner)),
  ];
}

async function streamChart(statement) {
  const { byStream } = await statement;
  const names = byStream.map((s) => STREAMS[s.stream] ?? s.stream);
  const mark = (name, key, colour, dashed) => ({
    name,
    type: 'scatter',
    symbol: 'rect',
    symbolSize: [70, dashed ? 2 : 4],
    itemStyle: { color: colour },
    z: 5,
    data: byStream.map((s) => s[key]),
  });
  return chart(
    'Bar chart per savings stream: validated and realised-not-yet-validated savings stacked, with the guarantee and the stretch target marked as horizontal lines',
    {
      tooltip: { trigger: 'axis', valueFormatter: (v) => formatMoney(String(v)) },
      legend: { bottom: 0 },
      grid: { left: 80, right: 16, top: 16, bottom: 50 },
      xAxis: { type: 'category', data: names },
      yAxis: moneyAxis,
      series: [
        {
          name: 'Validated',
          type: 'bar',
          stack: 'delivered',
          barWidth: 60,
          itemStyle: { color: '#009E73' },
          data: byStream.map((s) => s.validated),
        },
        {
          name: 'Realised, not yet validated',
          type: 'bar',
          stack: 'delivered',
          itemStyle: { color: '#56B4E9' },
          data: byStream.map((s) => s.realised_not_validated),
        },
        mark('Guaranteed', 'guaranteed', '#a4161a', false),
        mark('Stretch', 'stretch', '#1b1b1b', true),
      ],
    },
    { height: 340 },
  );
}

async function tables(statement, who, trace, year) {
  const { byStream, rows } = await statement;
  const names = await bodyNames();
  const canTrace = who.role === 'finance' || who.role === 'admin';
  const money = FIGURES.map(([key, label]) => ({ key, label, kind: 'money' }));
  return [
    dataTable({
      caption: `Savings by stream, contract year ${year}`,
      filename: `savings-${year}-by-stream`,
      columns: [{ key: 'stream', label: 'Stream', render: (r) => STREAMS[r.stream] ?? r.stream }, ...money],
      rows: byStream,
    }),
    dataTable({
      caption: `Savings by stream and body, contract year ${year}`,
      filename: `savings-${year}-by-body`,
      pageSize: 50,
      columns: [
        { key: 'stream', label: 'Stream', render: (r) => STREAMS[r.stream] ?? r.stream },
        {
          key: 'body_id',
          label: 'Body',
          render: (r) => names.get(r.body_id) ?? r.body_id,
          csv: (r) => r.body_id,
        },
        ...money,
        { key: 'validated_through', label: 'Validated through', kind: 'date' },
        ...(canTrace
          ? [
              {
                key: 'records',
                label: 'Records',
                render: (r) =>
                  h(
                    'button',
                    { type: 'button', class: 'secondary', onclick: () => showTrace(trace, year, r, names) },
                    `Trace ${r.records ?? ''} records: ${STREAMS[r.stream] ?? r.stream}, ${r.body_id}`,
                  ),
                csv: (r) => r.records,
              },
            ]
          : []),
      ],
      rows,
    }),
  ];
}

function showTrace(trace, year, row, names) {
  const query = new URLSearchParams({ year: String(year), stream: row.stream, body: row.body_id });
  trace.replaceChildren(
    section(
      'Traced records',
      h(
        'p',
        {},
        `${STREAMS[row.stream] ?? row.stream}, ${names.get(row.body_id) ?? row.body_id}, contract year ${year}: the records behind the realised figure.`,
      ),
      later(async () => {
        const explained = await api(`/api/v1/savings/explain?${query}`);
        return [
          h('p', {}, `Total ${formatMoney(explained.total)} from ${explained.records.length} records.`),
          dataTable({
            caption: 'Records behind the figure',
            filename: `savings-${year}-${row.stream}-${row.body_id}`,
            columns: [
              { key: 'record_id', label: 'Record' },
              { key: 'record_date', label: 'Date', kind: 'date' },
              { key: 'amount', label: 'Amount', kind: 'money' },
              { key: 'detail', label: 'Detail' },
              { key: 'source_ref', label: 'Source' },
            ],
            rows: explained.records,
          }),
        ];
      }),
    ),
  );
  trace.querySelector('h2')?.setAttribute('tabindex', '-1');
  trace.querySelector('h2')?.focus();
}

function signOffForm(year) {
  const period = h('input', { id: 'signoff-period', type: 'month', placeholder: 'YYYY-MM' });
  const comment = h('textarea', { id: 'signoff-comment', rows: 3, required: true, maxlength: '2000' });
  const message = h('p', { role: 'status' });
  const button = h('button', { type: 'submit' }, `Sign off contract year ${year}`);
  const form = h(
    'form',
    { 'aria-label': `Sign off contract year ${year}` },
    h(
      'p',
      { class: 'muted' },
      "Signing off freezes the figures of the records dated up to the end of the month given (the whole year without one), under your key's name.",
    ),
    h('div', { class: 'field' }, h('label', { for: 'signoff-period' }, 'Through month (optional)'), period),
    h('div', { class: 'field' }, h('label', { for: 'signoff-comment' }, 'Comment'), comment),
    button,
    message,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true;
    try {
      const result = await apiPost('/api/v1/savings/signoffs', {
        year,
        ...(period.value ? { period: period.value } : {}),
        comment: comment.value,
      });
      message.className = 'ok';
      message.textContent = `Signed off: ${formatMoney(result.total ?? '')} over ${result.records ?? ''} records. Reload to see the validated figures.`;
    } catch (error) {
      message.replaceChildren(errorNote(error));
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

function signoffTable(list) {
  return dataTable({
    caption: 'Every sign-off',
    filename: 'savings-signoffs',
    columns: [
      { key: 'contract_year', label: 'Contract year' },
      {
        key: 'through_date',
        label: 'Through',
        render: (r) => formatMonth(r.through_date),
        csv: (r) => r.through_date,
      },
      { key: 'signed_by', label: 'Signed by' },
      { key: 'signed_at', label: 'Signed at', kind: 'datetime' },
      { key: 'total', label: 'Total frozen', kind: 'money' },
      { key: 'records', label: 'Records', kind: 'count' },
      { key: 'comment', label: 'Comment' },
      {
        key: 'content_sha256',
        label: 'Content hash',
        render: (r) => h('code', {}, String(r.content_sha256).slice(0, 12)),
      },
    ],
    rows: list,
    sort: { key: 'signed_at', direction: 'descending' },
  });
}
