/**
 * What kind of file an upload is, from its first bytes (never from its name: a PDF renamed
 * .csv is still a PDF). Text is then read as CSV/TSV, XML as Peppol UBL, a ZIP with a workbook
 * inside as XLSX; everything else is refused with a sentence saying what it looks like.
 */

export type FileKind =
  | { kind: 'text' }
  | { kind: 'xml' }
  | { kind: 'xlsx' }
  | { kind: 'refused'; reason: string };

/** How many leading bytes the sniffing needs. */
export const SNIFF_BYTES = 8192;

const startsWith = (head: Buffer, signature: number[]) => signature.every((byte, i) => head[i] === byte);

export function sniffFileKind(head: Buffer, totalBytes: number): FileKind {
  if (totalBytes === 0) return { kind: 'refused', reason: 'the file is empty' };
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') {
    return {
      kind: 'refused',
      reason: 'this is a PDF document, not a spreadsheet: upload the CSV or XLSX export',
    };
  }
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) {
    const names = head.toString('latin1');
    if (names.includes('[Content_Types].xml') || names.includes('xl/')) return { kind: 'xlsx' };
    return { kind: 'refused', reason: 'this is a ZIP archive without an Excel workbook in it' };
  }
  if (startsWith(head, [0xd0, 0xcf, 0x11, 0xe0])) {
    return {
      kind: 'refused',
      reason: 'this is an old Excel 97–2003 (.xls) workbook: save it as .xlsx or CSV and upload that',
    };
  }
  if (startsWith(head, [0x1f, 0x8b])) return { kind: 'refused', reason: 'this is a gzip-compressed file' };
  const utf16 = startsWith(head, [0xff, 0xfe]) || startsWith(head, [0xfe, 0xff]);
  if (!utf16 && looksBinary(head)) {
    return { kind: 'refused', reason: 'this is a binary file, not text, XML or an XLSX workbook' };
  }
  if (utf16 && decodeUtf16(head).trimStart().startsWith('<')) {
    // Peppol documents are UTF-8; read as text, this one would only fail as "no header row".
    return {
      kind: 'refused',
      reason:
        'this is an XML document in UTF-16: Peppol UBL documents are UTF-8; save it as UTF-8 and upload that',
    };
  }
  const text = utf16
    ? ''
    : head
        .toString('latin1')
        .replace(/^\uFEFF|^\xef\xbb\xbf/, '')
        .trimStart();
  if (text.startsWith('<')) return { kind: 'xml' };
  return { kind: 'text' };
}

/** NUL bytes, or more than 5% control characters other than tab, CR, LF and form feed. */
function looksBinary(head: Buffer): boolean {
  let controls = 0;
  for (const byte of head) {
    if (byte === 0) return true;
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c) controls++;
  }
  return controls > head.length * 0.05;
}

/** The head of a UTF-16 file (after its BOM) as text, for sniffing only. */
function decodeUtf16(head: Buffer): string {
  const bigEndian = head[0] === 0xfe;
  const body = Buffer.from(head.subarray(2, head.length - (head.length % 2)));
  if (bigEndian) body.swap16();
  return body.toString('utf16le');
}
