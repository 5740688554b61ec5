/**
 * The partnership report as one self-contained, print-ready HTML page (A4 portrait, no scripts,
 * no external resources): `spend report partnership --quarter 2025Q3 --out report.html` and the
 * API's /api/v1/partnership/report?format=html write it; a browser's "Print to PDF" makes the PDF.
 * Each section carries `data-section` for readers and tests, and a commentary box: the text
 * written for it, or a ruled space to write in by hand.
 */
import { escapeHtml, formatPounds } from '../../lib/html.ts';
import type { PartnershipReport, ReportSection } from './report.ts';

const STREAM_NAMES: Record<string, string> = {
  procurement: 'Procurement',
  services_transferred: 'Services transferred',
  consequential: 'Consequential',
  third_party_revenue_share: 'Third-party revenue share',
};
const CATEGORY_NAMES: Record<string, string> = {
  maintaining_services: 'Maintaining services',
  improving_services: 'Improving services',
  community_development: 'Community development',
  savings_team: 'Savings team',
};

const h = escapeHtml;
const td = (value: unknown, className = '') => `<td class="${className}">${h(value)}</td>`;
const money = (value: unknown) => `<td class="num">${h(formatPounds(value))}</td>`;
const table = (head: string[], rows: string[]) =>
  rows.length === 0
    ? '<p class="empty">Nothing to report for this period.</p>'
    : `<table><thead><tr>${head.map((c) => `<th>${h(c)}</th>`).join('')}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;

function paragraphs(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((p) => `<p>${h(p.trim()).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
}

function commentary(report: PartnershipReport, section: ReportSection | 'summary'): string {
  const text = report.commentary[section];
  return text
    ? `<div class="commentary"><h3>Commentary</h3>${paragraphs(text)}</div>`
    : '<div class="commentary blank"><h3>Commentary</h3><div class="lines"></div></div>';
}

const statusClass = (status: string) => status.replace(/\s+/g, '-');
const measureValue = (measure: string, value: string | null) =>
  value === null ? '–' : measure === 'days_to_pay' ? `${value} days` : `${value} %`;

function spendSection(report: PartnershipReport): string {
  const s = report.spend;
  return `<section data-section="spend">
<h2>1. Spend and collective buying power</h2>
<p class="lead">The partnership's bodies spent <strong data-figure="spend-total">${h(formatPounds(s.total))}</strong>
(GBP, net) on <span data-figure="spend-invoices">${h(s.invoices)}</span> invoices with ${h(s.suppliers)} suppliers this quarter.
<span data-figure="shared-suppliers">${h(s.shared.suppliers)}</span> suppliers were paid by two or more bodies, together
<strong data-figure="shared-spend">${h(formatPounds(s.shared.spend))}</strong>: demand the partnership can combine.</p>
${table(
  ['Body', 'Invoices', 'Spend'],
  s.byBody.map(
    (b) =>
      `<tr data-body="${h(b.body_id)}">${td(b.name ?? b.body_id)}${td(b.invoices, 'num')}${money(b.spend)}</tr>`,
  ),
)}
<h3>Largest shared suppliers</h3>
${table(
  ['Supplier', 'Bodies', 'Combined spend'],
  s.topShared.map((r) => `<tr>${td(r.supplier)}${td(r.bodies, 'num')}${money(r.spend)}</tr>`),
)}
${commentary(report, 'spend')}
</section>`;
}

function savingsSection(report: PartnershipReport): string {
  const s = report.savings;
  const body = s
    ? `<p class="lead">Contract year ${h(s.year)} (${h(s.yearStart)} to ${h(s.yearEnd)}), as of ${h(s.asOf)}:
<strong data-figure="savings-realised">${h(formatPounds(s.totals.realised))}</strong> realised against
<strong data-figure="savings-guaranteed">${h(formatPounds(s.totals.guaranteed))}</strong> guaranteed;
${h(formatPounds(s.totals.validated))} validated (signed off). Shortfall and amounts due are on validated figures only.</p>
${table(
  ['Stream', 'Guaranteed', 'Stretch', 'Realised', 'Validated', 'Shortfall', 'Run-rate forecast'],
  [
    ...s.byStream.map(
      (r) =>
        `<tr data-stream="${h(r.stream)}">${td(STREAM_NAMES[r.stream] ?? r.stream)}${money(r.guaranteed)}${money(r.stretch)}${money(r.realised)}${money(r.validated)}${money(r.shortfall)}${money(r.forecast_to_year_end)}</tr>`,
    ),
    `<tr class="total">${td('Total')}${money(s.totals.guaranteed)}${money(s.totals.stretch)}${money(s.totals.realised)}${money(s.totals.validated)}${money(s.totals.shortfall)}${money(s.totals.forecast_to_year_end)}</tr>`,
  ],
)}`
    : '<p class="empty">No savings statement for this contract year: the agreement has no guarantees for it, or the savings are not built yet.</p>';
  return `<section data-section="savings">
<h2>2. Savings against guarantees</h2>
${body}
${commentary(report, 'savings')}
</section>`;
}

function serviceLevelSection(report: PartnershipReport): string {
  const s = report.serviceLevels;
  const rows = s.measures.map(
    (m) =>
      `<tr data-measure="${h(m.measure)}" class="${statusClass(m.status)}">${td(m.label)}${td(measureValue(m.measure, m.value), 'num')}${td(m.contractual ?? '–', 'num')}${td(m.stretch ?? '–', 'num')}${td(m.status, 'status')}${td(m.rows_counted, 'num')}${td(m.rows_excluded, 'num')}</tr>`,
  );
  const bodyBreaches = s.measures.flatMap((m) =>
    m.bodies
      .filter((b) => b.status === 'breach')
      .map(
        (b) =>
          `<tr data-measure="${h(m.measure)}" data-body="${h(b.body_id)}">${td(m.label)}${td(b.body_id)}${td(measureValue(m.measure, b.value), 'num')}${td(m.contractual, 'num')}${td(b.months_in_breach, 'num')}</tr>`,
      ),
  );
  return `<section data-section="service-levels">
<h2>3. Service levels against targets</h2>
<p class="lead">Measured from the bodies' own invoices and uploads over the quarter, against contract year ${h(s.contractYear)}'s
targets. Only rows carrying what a measure needs count (both dates for time to pay); the last two columns say how many
counted and how many were left out.</p>
${table(['Measure', 'Quarter', 'Contractual', 'Stretch', 'Status', 'Rows counted', 'Rows left out'], rows)}
<h3>Bodies below a contractual target this quarter</h3>
${table(['Measure', 'Body', 'Quarter', 'Contractual', 'Months in breach'], bodyBreaches)}
<h3>What explains the breaches</h3>
<p><span data-figure="breach-documents">${h(s.breachDocuments)}</span> documents explain the months in breach
(<code>spend service-levels --explain</code> lists them all); the first of them:</p>
${table(
  ['Body', 'Month', 'Measure', 'Document', 'Supplier', 'Reason'],
  s.explanations.map(
    (e) =>
      `<tr>${td(e.body_id)}${td(e.month)}${td(e.measure)}${td(e.document_id)}${td(e.supplier_name ?? '')}${td(e.reason)}</tr>`,
  ),
)}
${commentary(report, 'service-levels')}
</section>`;
}

function commitmentsSection(report: PartnershipReport): string {
  const c = report.commitments;
  const rows = c.rows.map(
    (r) =>
      `<tr data-category="${h(r.category)}">${td(CATEGORY_NAMES[String(r.category)] ?? r.category)}${money(r.committed)}${money(r.delivered)}${money(r.shortfall)}${td(r.entries, 'num')}${td(r.status, 'status')}</tr>`,
  );
  if (c.totals)
    rows.push(
      `<tr class="total">${td('Total')}${money(c.totals.committed)}${money(c.totals.delivered)}${money(c.totals.shortfall)}${td('', 'num')}${td('')}</tr>`,
    );
  return `<section data-section="commitments">
<h2>4. The partner's investment against its commitments</h2>
<p class="lead">Contract year ${h(report.contractYear)}: <strong data-figure="commitments-delivered">${h(formatPounds(c.totals?.delivered ?? '0'))}</strong>
delivered of <strong data-figure="commitments-committed">${h(formatPounds(c.totals?.committed ?? '0'))}</strong> committed, each pound
evidenced in the investment register (${h(c.entriesInQuarter.length)} entries this quarter).</p>
${table(['Category', 'Committed', 'Delivered', 'Shortfall', 'Entries', 'Status'], rows)}
${commentary(report, 'commitments')}
</section>`;
}

function membershipSection(report: PartnershipReport): string {
  const m = report.membership;
  const list = (
    bodies: {
      body_id: string;
      name: string;
      kind: string;
      joined_on: string | null;
      left_on: string | null;
    }[],
  ) =>
    bodies.map(
      (b) =>
        `<tr data-body="${h(b.body_id)}">${td(b.name)}${td(b.kind)}${td(b.joined_on ?? '')}${td(b.left_on ?? '')}</tr>`,
    );
  const head = ['Body', 'Kind', 'Joined', 'Left'];
  return `<section data-section="membership">
<h2>5. Membership</h2>
<p class="lead"><span data-figure="members">${h(m.members.length)}</span> member bodies on ${h(m.asOf)};
<span data-figure="membership-changes">${h(m.changes.length)}</span> changes took effect this quarter
(${h(m.joined.length)} joined, ${h(m.left.length)} left); ${h(m.prospective.length)} prospective bodies, whose figures stay
out of every partnership total.</p>
<h3>Changes this quarter</h3>
${table(
  ['Body', 'Change', 'Status after', 'Effective', 'Services in scope', 'Note'],
  m.changes.map(
    (c) =>
      `<tr data-body="${h(c.body_id)}">${td(c.name)}${td(c.change)}${td(c.status)}${td(c.effective_on)}${td(c.services)}${td(c.note ?? '')}</tr>`,
  ),
)}
<h3>Prospective bodies</h3>${table(head, list(m.prospective))}
<h3>Members at the quarter's end</h3>${table(head, list(m.members))}
${commentary(report, 'membership')}
</section>`;
}

export function renderPartnershipReport(report: PartnershipReport): string {
  const title = `${report.agreement.id}: partnership report, ${report.quarter}`;
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>${h(title)}</title>
<style>
  @page { size: A4 portrait; margin: 15mm 14mm; }
  body { font: 10pt/1.4 system-ui, sans-serif; color: #111; max-width: 190mm; margin: 0 auto; }
  h1 { font-size: 17pt; margin: 0 0 2pt; }
  h2 { font-size: 13pt; margin: 16pt 0 4pt; border-bottom: 1.5pt solid #111; }
  h3 { font-size: 10.5pt; margin: 9pt 0 3pt; }
  p { margin: 0 0 6pt; }
  .meta { color: #444; }
  table { border-collapse: collapse; width: 100%; margin-bottom: 6pt; }
  th, td { padding: 2pt 4pt; border-bottom: 0.5pt solid #ccc; text-align: left; vertical-align: top; }
  thead th { font-weight: bold; border-bottom: 1pt solid #111; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
  tr.total td { font-weight: bold; border-top: 1.5pt solid #111; }
  tr.breach td.status, td.status:is(.breach) { color: #a00; font-weight: bold; }
  tr.stretch-met td.status { color: #060; }
  .empty { color: #555; font-style: italic; }
  .commentary { border: 0.75pt solid #888; padding: 4pt 6pt; margin-top: 6pt; break-inside: avoid; }
  .commentary h3 { margin: 0 0 3pt; font-size: 9.5pt; }
  .commentary.blank .lines { height: 28mm; background: repeating-linear-gradient(#fff 0 6.5mm, #bbb 6.5mm 6.75mm); }
  section { break-inside: auto; }
  tr, .lead { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  @media print { a { color: inherit; text-decoration: none; } }
</style>
</head>
<body>
<header>
<h1>${h(title)}</h1>
<p class="meta">${h(report.agreement.partner)} · ${h(report.start)} to ${h(report.end)} · contract year ${h(report.contractYear)} ·
generated ${h(report.generatedAt)} UTC from the partnership's marts (<code>spend report partnership --quarter ${h(report.quarter)}</code>).</p>
<div data-section="summary">${commentary(report, 'summary')}</div>
</header>
${spendSection(report)}
${savingsSection(report)}
${serviceLevelSection(report)}
${commitmentsSection(report)}
${membershipSection(report)}
</body>
</html>
`;
}
