/**
 * Redaction markers: what councils publish instead of a name they may not disclose. Each body
 * spells it its own way (`REDACTED`, `Redacted Data`, `Redacted - Personal Data`,
 * `REDACTED UNDER DP ACT`, `****REDACTED PERSONAL INFO****`, `****REDACTED COMMERCIALLY
 * SENSITIVE****`, a row of asterisks…). Real suppliers that merely contain a similar word
 * (`P AND W CONFIDENTIAL BUSINESS`, `PEE WEES PERSONAL HOMECARE`, `… Private Hire`) are not markers:
 * besides "redacted"/"withheld" anywhere, only whole-value phrases count.
 */

const MARKER_WORD = /\b(REDACTED|REDACTION|WITHHELD)\b/;
const WHOLE_VALUE_MARKERS = new Set([
  'PERSONAL DATA',
  'PERSONAL INFORMATION',
  'PERSONAL INFO',
  'PERSONAL DETAILS',
  'DATA PROTECTION',
  'DATA PROTECTION ACT',
  'NOT DISCLOSED',
  'NOT PUBLISHED',
  'NON DISCLOSABLE',
  'COMMERCIALLY SENSITIVE',
  'COMMERCIALLY CONFIDENTIAL',
  'CONFIDENTIAL',
  'PRIVATE INDIVIDUAL',
  'PRIVATE INDIVIDUALS',
  'INDIVIDUAL',
  'REMOVED',
]);

/** Every marker above contains one of these; most cells contain none, and are answered at once. */
const MAY_BE_MARKER =
  /redact|withh|person|protect|disclos|publish|sensitiv|confiden|individ|removed|^[\s*xX#]+$/i;

export function isRedactionMarker(value: string): boolean {
  if (!MAY_BE_MARKER.test(value)) return false;
  const trimmed = value.trim();
  if (trimmed === '') return false;
  // A row of asterisks (or x's) with nothing else: the name was blanked out.
  if (/^[*xX#]{3,}$/.test(trimmed.replace(/\s+/g, ''))) return true;
  const words = trimmed
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, ' ')
    .trim();
  return MARKER_WORD.test(words) || WHOLE_VALUE_MARKERS.has(words);
}
