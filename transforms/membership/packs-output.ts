/**
 * A pack as files: CSV (one file a section, plus the summary and caveats) and one printable,
 * self-contained HTML page (no script, print styles; every value escaped).
 */
import { isNumericType, type ResultTable, toCsv } from '../../lib/output.ts';
import type { Pack } from './packs.ts';

const escapeHtml = (value: string) =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

const cellText = (value: unknown): string =>
  value === null || value === undefined ? '' : Array.isArray(value) ? value.join(', ') : String(value);

/** CSV files by name: `summary.csv`, `caveats.csv` and `<section>.csv`. */
export function packCsvFiles(pack: Pack): Map<string, string> {
  const files = new Map<string, string>();
  files.set(
    'summary.csv',
    toCsv({
      columns: [
        { name: 'label', type: 'VARCHAR' },
        { name: 'value', type: 'VARCHAR' },
      ],
      rows: [{ label: 'pack', value: pack.title }, { label: 'scope', value: pack.subtitle }, ...pack.summary],
    }),
  );
  files.set(
    'caveats.csv',
    toCsv({
      columns: [{ name: 'caveat', type: 'VARCHAR' }],
      rows: pack.caveats.map((caveat) => ({ caveat })),
    }),
  );
  for (const section of pack.sections) files.set(`${section.name}.csv`, toCsv(section.table));
  return files;
}

/** The most rows a section shows on the printed page (the CSV has them all). */
const PRINTED_ROWS = 200;

function tableHtml(table: ResultTable): string {
  const head = table.columns.map((c) => `<th>${escapeHtml(c.name.replaceAll('_', ' '))}</th>`).join('');
  const rows = table.rows
    .slice(0, PRINTED_ROWS)
    .map(
      (row) =>
        `<tr>${table.columns
          .map(
            (c) =>
              `<td${isNumericType(c.type) ? ' class="n"' : ''}>${escapeHtml(cellText(row[c.name]))}</td>`,
          )
          .join('')}</tr>`,
    )
    .join('\n');
  const more =
    table.rows.length > PRINTED_ROWS
      ? `<p class="note">The first ${PRINTED_ROWS} of ${table.rows.length} rows; the CSV export has them all.</p>`
      : '';
  return table.rows.length === 0
    ? '<p class="note">Nothing to show.</p>'
    : `<table><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>${more}`;
}

export function packHtml(pack: Pack): string {
  const summary = pack.summary
    .map((s) => `<tr><th>${escapeHtml(s.label)}</th><td class="n">${escapeHtml(s.value)}</td></tr>`)
    .join('\n');
  const sections = pack.sections
    .map(
      (s) =>
        `<section id="${escapeHtml(s.name)}"><h2>${escapeHtml(s.title)}</h2>${s.note ? `<p class="note">${escapeHtml(s.note)}</p>` : ''}${tableHtml(s.table)}</section>`,
    )
    .join('\n');
  const caveats = pack.caveats.map((c) => `<li>${escapeHtml(c)}</li>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>${escapeHtml(pack.title)}</title>
<style>
  body { font: 11pt/1.4 system-ui, sans-serif; margin: 2rem; color: #111; }
  h1 { font-size: 18pt; margin: 0 } h2 { font-size: 13pt; margin: 1.5rem 0 .3rem; }
  .sub, .note { color: #444; font-size: 9.5pt; }
  table { border-collapse: collapse; width: 100%; font-size: 9pt; }
  th, td { border-bottom: 1px solid #ccc; padding: 2px 6px; text-align: left; vertical-align: top; }
  td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
  table.summary { width: auto; font-size: 10.5pt; }
  section { break-inside: auto; } thead { display: table-header-group; } tr { break-inside: avoid; }
  @page { size: A4 landscape; margin: 12mm; }
  @media print { body { margin: 0; } }
</style></head>
<body>
<h1>${escapeHtml(pack.title)}</h1>
<p class="sub">${escapeHtml(pack.subtitle)}. Generated ${escapeHtml(pack.generatedAt)} by collective-spend. Amounts in GBP, net of credit notes.</p>
<table class="summary"><tbody>
${summary}
</tbody></table>
${sections}
<section id="caveats"><h2>Coverage and caveats</h2><ul>
${caveats}
</ul></section>
</body></html>
`;
}
