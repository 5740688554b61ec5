/**
 * The savings statement as a printable page (`spend savings statement --html FILE`) for members
 * and scrutiny committees: one self-contained HTML file, no scripts, styled for A4 landscape.
 */
import { escapeHtml, formatPounds } from '../lib/html.ts';

export { formatPounds };

export type StatementForPage = {
  year: number;
  yearStart: string;
  yearEnd: string;
  asOf: string;
  rows: Record<string, unknown>[];
  byStream: Record<string, unknown>[];
  totals: Record<string, unknown>;
};

const COLUMNS: [string, string][] = [
  ['guaranteed', 'Guaranteed'],
  ['stretch', 'Stretch'],
  ['validated', 'Validated'],
  ['realised_not_validated', 'Realised, not yet validated'],
  ['variance_since_validation', 'Variance since sign-off'],
  ['shortfall', 'Shortfall'],
  ['due_from_partner', 'Due from partner'],
  ['gain_share_to_partner', 'Gain share to partner'],
  ['forecast_to_year_end', 'Run-rate forecast'],
];

const STREAM_NAMES: Record<string, string> = {
  procurement: 'Procurement',
  services_transferred: 'Services transferred',
  consequential: 'Consequential',
  third_party_revenue_share: 'Third-party revenue share',
};

function row(label: string, values: Record<string, unknown>, className = ''): string {
  const cells = COLUMNS.map(([key]) => `<td>${escapeHtml(formatPounds(values[key]))}</td>`).join('');
  return `<tr class="${className}"><th>${escapeHtml(label)}</th>${cells}</tr>`;
}

export function renderStatementPage(statement: StatementForPage, title: string): string {
  const head = `<tr><th></th>${COLUMNS.map(([, name]) => `<th>${escapeHtml(name)}</th>`).join('')}</tr>`;
  const sections = statement.byStream
    .map((stream) => {
      const name = String(stream.stream);
      const bodies = statement.rows.filter((r) => r.stream === name);
      return [
        `<tr class="stream"><th colspan="${COLUMNS.length + 1}">${escapeHtml(STREAM_NAMES[name] ?? name)}</th></tr>`,
        ...bodies.map((r) => row(String(r.body_id), r)),
        row(`All bodies`, stream, 'subtotal'),
      ].join('\n');
    })
    .join('\n');
  const validated = [...new Set(statement.rows.map((r) => r.validated_through).filter(Boolean))];
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
  @page { size: A4 landscape; margin: 12mm; }
  body { font: 10pt/1.35 system-ui, sans-serif; color: #111; }
  h1 { font-size: 15pt; margin: 0 0 4pt; }
  p { margin: 0 0 8pt; }
  table { border-collapse: collapse; width: 100%; }
  th, td { padding: 3pt 5pt; border-bottom: 0.5pt solid #ccc; }
  td { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
  th { text-align: left; font-weight: normal; }
  thead th { font-weight: bold; vertical-align: bottom; text-align: right; }
  tr.stream th { font-weight: bold; padding-top: 9pt; border-bottom: 1pt solid #111; }
  tr.subtotal th, tr.subtotal td, tr.total th, tr.total td { font-weight: bold; }
  tr.total th, tr.total td { border-top: 1.5pt solid #111; }
  tr { break-inside: avoid; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>Contract year ${escapeHtml(statement.year)}: ${escapeHtml(statement.yearStart)} to ${escapeHtml(statement.yearEnd)}.
${validated.length ? `Validated (signed off) through ${escapeHtml(validated.join(', '))}.` : 'Not yet signed off: nothing is validated.'}
Shortfall and amounts due are on validated figures only; the forecast is the run rate as of ${escapeHtml(statement.asOf)}.
Every figure is traced to its records: <code>spend savings explain --year ${escapeHtml(statement.year)}</code>.</p>
<table>
<thead>${head}</thead>
<tbody>
${sections}
${row('Total', statement.totals, 'total')}
</tbody>
</table>
</body>
</html>
`;
}
