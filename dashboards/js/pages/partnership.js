/**
 * Partnership performance (docs/partnership.md): a contract year's service levels against the
 * agreement's targets (per body and for the partnership, with rows counted and left out), the
 * documents behind the breaches, the partner's investment against its commitments, and a link to
 * the quarterly partnership report (the print-ready page the API renders). A body's key sees its
 * own service levels only.
 */
import { api, bodyNames } from '../api.js';
import { h, later, notice, section } from '../dom.js';
import { readFilters, writeFilters } from '../filters.js';
import { formatMoney } from '../format.js';
import { dataTable } from '../table.js';

const FILTERS = { year: 'year', quarter: 'text' };
const MEASURES = {
  days_to_pay: 'Average days from invoice to payment',
  paid_within_30_days_pct: 'Invoices paid within 30 days (%)',
  small_suppliers_paid_within_10_days_pct: 'Small-supplier invoices paid within 10 days (%)',
  po_spend_pct: 'Spend under a purchase order (%)',
  contract_spend_pct: 'Spend with a contract reference (%)',
  e_invoice_pct: 'Invoices received as e-invoices (%)',
  clean_uploads_pct: 'Uploads reconciled without rejections (%)',
};
const CATEGORIES = {
  maintaining_services: 'Maintaining services',
  improving_services: 'Improving services',
  community_development: 'Community development',
  savings_team: 'Savings team',
};
const STAFF = new Set(['procurement', 'finance', 'admin']);

/** The calendar quarter of today, written YYYYQn. */
function currentQuarter() {
  const now = new Date();
  return `${now.getUTCFullYear()}Q${Math.floor(now.getUTCMonth() / 3) + 1}`;
}

/** The latest contract year that has service levels (this year when there are none yet). */
async function latestYear() {
  const { rows } = await api('/api/v1/partnership/service-levels');
  const years = rows.map((r) => Number(r.contract_year)).filter(Number.isInteger);
  return years.length > 0 ? Math.max(...years) : new Date().getUTCFullYear();
}

export async function render(root, { who }) {
  const state = readFilters(location.search, FILTERS);
  // with no year in the URL, open on the latest year with figures, not an empty current one
  const year = state.year ? Number(state.year) : await latestYear();
  const quarter = /^\d{4}Q[1-4]$/.test(state.quarter ?? '') ? state.quarter : currentQuarter();
  const staff = STAFF.has(who.role);
  const levels = api(`/api/v1/partnership/service-levels?year=${year}`);
  root.replaceChildren(
    filterForm(year, quarter, staff),
    section(
      `Service levels against targets, contract year ${year}`,
      later(() => levelTable(levels, year)),
    ),
    section(
      'Breaches and the documents behind them',
      later(() => breachTable(year)),
    ),
    staff
      ? section(
          `The partner's investment against its commitments, contract year ${year}`,
          later(() => commitmentTable(year)),
        )
      : '',
    staff
      ? section(
          'Partnership report',
          h(
            'p',
            {},
            'The quarterly report for the board and elected members (spend and buying power, savings, service levels, commitments, membership), as a page to print or save as PDF: ',
            h(
              'a',
              { href: `/api/v1/partnership/report?quarter=${quarter}&format=html`, target: '_blank' },
              `Open the ${quarter} partnership report`,
            ),
            '.',
          ),
        )
      : '',
  );
}

function filterForm(year, quarter, staff) {
  const now = new Date().getUTCFullYear();
  const years = [];
  for (let y = now; y >= now - 10; y--) years.push(y);
  const yearSelect = h(
    'select',
    { id: 'partnership-year', name: 'year' },
    years.map((y) => h('option', { value: y, selected: y === year }, String(y))),
  );
  const quarterInput = h('input', {
    id: 'partnership-quarter',
    name: 'quarter',
    value: quarter,
    pattern: '\\d{4}Q[1-4]',
    size: 7,
  });
  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Filters' },
    h('div', { class: 'field' }, h('label', { for: 'partnership-year' }, 'Contract year'), yearSelect),
    staff
      ? h(
          'div',
          { class: 'field' },
          h('label', { for: 'partnership-quarter' }, 'Report quarter'),
          quarterInput,
        )
      : '',
    h('div', { class: 'field actions' }, h('button', { type: 'submit' }, 'Show')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    location.assign(
      `/partnership${writeFilters({ year: yearSelect.value, quarter: staff ? quarterInput.value : '' }, FILTERS)}`,
    );
  });
  return form;
}

async function levelTable(levels, year) {
  const { rows } = await levels;
  const names = await bodyNames();
  if (rows.length === 0)
    return notice(
      `No service levels for contract year ${year} (is the agreement loaded and the transforms run?).`,
    );
  return dataTable({
    caption: `Service levels, contract year ${year}`,
    filename: `service-levels-${year}`,
    pageSize: 50,
    columns: [
      { key: 'measure', label: 'Measure', render: (r) => MEASURES[r.measure] ?? r.measure },
      {
        key: 'body_id',
        label: 'Body',
        render: (r) => (r.body_id === null ? 'The partnership' : (names.get(r.body_id) ?? r.body_id)),
        csv: (r) => r.body_id ?? 'partnership',
      },
      { key: 'value', label: 'Value', kind: 'percent', render: (r) => r.value ?? '–' },
      { key: 'contractual', label: 'Contractual target', render: (r) => r.contractual ?? '–' },
      { key: 'stretch', label: 'Stretch target', render: (r) => r.stretch ?? '–' },
      {
        key: 'status',
        label: 'Status',
        render: (r) => h('span', { class: r.breach ? 'error' : undefined }, r.status),
        csv: (r) => r.status,
      },
      { key: 'rows_counted', label: 'Rows counted', kind: 'count' },
      { key: 'rows_excluded', label: 'Rows left out', kind: 'count' },
      { key: 'months_in_breach', label: 'Months in breach', kind: 'count' },
    ],
    rows,
  });
}

async function breachTable(year) {
  const { rows, total } = await api(`/api/v1/partnership/service-levels/breaches?year=${year}&limit=500`);
  const names = await bodyNames();
  return [
    h(
      'p',
      { class: 'muted' },
      `${total} documents explain the months below a contractual target${total > rows.length ? ` (the first ${rows.length} shown)` : ''}.`,
    ),
    dataTable({
      caption: `Documents behind breaches, contract year ${year}`,
      filename: `service-level-breaches-${year}`,
      pageSize: 50,
      empty: 'No month below a contractual target.',
      columns: [
        { key: 'month', label: 'Month', kind: 'month' },
        {
          key: 'body_id',
          label: 'Body',
          render: (r) => names.get(r.body_id) ?? r.body_id,
          csv: (r) => r.body_id,
        },
        { key: 'measure', label: 'Measure', render: (r) => MEASURES[r.measure] ?? r.measure },
        { key: 'document_id', label: 'Document' },
        { key: 'supplier_name', label: 'Supplier' },
        { key: 'days_to_pay', label: 'Days to pay', kind: 'count' },
        { key: 'net_amount', label: 'Net amount', kind: 'money' },
        { key: 'reason', label: 'Why it counts against the target' },
      ],
      rows,
    }),
  ];
}

async function commitmentTable(year) {
  const { rows, totals } = await api(`/api/v1/partnership/commitments?year=${year}&entries=true`);
  const total = totals[0];
  return [
    total
      ? h(
          'p',
          {},
          `${formatMoney(total.delivered)} delivered of ${formatMoney(total.committed)} committed; shortfall ${formatMoney(total.shortfall)}.`,
        )
      : notice(`No commitments or investment for contract year ${year}.`),
    dataTable({
      caption: `Investment against commitment, contract year ${year}`,
      filename: `commitments-${year}`,
      columns: [
        { key: 'category', label: 'Category', render: (r) => CATEGORIES[r.category] ?? r.category },
        { key: 'committed', label: 'Committed', kind: 'money' },
        { key: 'delivered', label: 'Delivered', kind: 'money' },
        { key: 'shortfall', label: 'Shortfall', kind: 'money' },
        { key: 'entries', label: 'Entries', kind: 'count' },
        { key: 'status', label: 'Status' },
      ],
      rows,
    }),
  ];
}
