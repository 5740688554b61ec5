/**
 * The upload path on the hand-made fixtures (tests/fixtures/uploads/), one quirk each, with an
 * in-memory store and sink: what is sent, what is rejected (row, column, reason), what is
 * skipped, and the totals. Expected figures are worked out by hand from each fixture.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildXlsx } from '../../tests/fixtures/uploads/xlsx.ts';
import type { InvoiceV1 } from '../topics/invoices/schema.ts';
import type { SavedMapping } from './field-mapping.ts';
import { formatReport, type Overlap, type UploadReport } from './report.ts';
import type { Rejection } from './row-to-invoice.ts';
import {
  type DocumentSink,
  type OutgoingDocument,
  type UploadLimits,
  type UploadOptions,
  type UploadStart,
  type UploadStore,
  uploadFile,
  uploadStream,
} from './upload.ts';

const FIXTURES = resolve(import.meta.dirname, '../../tests/fixtures/uploads');

class MemoryStore implements UploadStore {
  readonly mappings = new Map<string, SavedMapping>();
  readonly started = new Map<string, UploadStart>();
  readonly finished: { report: UploadReport; rejections: Rejection[] }[] = [];

  async savedMappings() {
    return [...this.mappings].map(([fingerprint, mapping]) => ({ fingerprint, mapping }));
  }

  async begin(start: UploadStart) {
    const earlier = this.finished.find(
      ({ report }) =>
        report.status === 'uploaded' &&
        report.sha256 === start.sha256 &&
        this.started.get(report.uploadId)?.mappingDigest === start.mappingDigest,
    );
    if (earlier && start.mappingDigest !== null) return { duplicateOf: earlier.report };
    this.started.set(start.uploadId, start);
    return { duplicateOf: null };
  }

  async finish(report: UploadReport, rejections: Rejection[]): Promise<{ overlaps: Overlap[] }> {
    this.finished.push({ report, rejections });
    return { overlaps: [] };
  }
}

class MemorySink implements DocumentSink {
  readonly documents: OutgoingDocument[] = [];
  flushed = 0;
  async send(document: OutgoingDocument) {
    this.documents.push(document);
  }
  async flush() {
    this.flushed = this.documents.length;
  }
  invoices(): InvoiceV1[] {
    return this.documents.filter((d) => d.topic === 'invoices').map((d) => JSON.parse(d.value) as InvoiceV1);
  }
}

async function upload(
  name: string,
  options: {
    store?: MemoryStore;
    bytes?: Buffer;
    limits?: Partial<UploadLimits>;
    threshold?: Pick<UploadOptions, 'publishingThreshold' | 'registeredThreshold'>;
  } = {},
) {
  const store = options.store ?? new MemoryStore();
  const sink = new MemorySink();
  const path = join(FIXTURES, name);
  const source = options.bytes
    ? { name, open: () => Readable.from([options.bytes as Buffer]) }
    : { name, open: () => createReadStream(path, { highWaterMark: 64 }) };
  const report = await uploadFile(source, {
    bodyId: 'test-council',
    store,
    sink,
    ...(options.limits ? { limits: options.limits } : {}),
    ...options.threshold,
  });
  return { report, sink, store, invoices: sink.invoices() };
}

describe('upload path: spreadsheet quirks', () => {
  it('Windows-1252 without transaction numbers: raw-row ids, genuine repeats kept, NBSP trimmed, redaction', async () => {
    const { report, invoices } = await upload('lancashire-like-cp1252.csv');
    expect(report).toMatchObject({
      status: 'uploaded',
      encoding: 'Windows-1252',
      rowsRead: 7,
      accepted: 6,
      rejected: 0,
      skipped: 1,
      acceptedNetTotal: '8764.44',
    });
    const ids = invoices.map((i) => i.invoiceId);
    expect(new Set(ids).size).toBe(6);
    expect(ids[2]).toBe(`${ids[1]}#2`);
    expect(ids[1]).toMatch(/^row-/);
    expect(invoices.map((i) => i.supplier)).toEqual([
      { name: 'WEST LANCS PEER SUPPORT GROUP (DP)' },
      { name: '(redacted)', redacted: true },
      { name: '(redacted)', redacted: true },
      { name: 'TOTAL TOTS LTD' },
      { name: 'SPENCER CLARKE GROUP LTD' },
      { name: 'CAFÉ ROYAL' },
    ]);
    expect(invoices[3]).toMatchObject({
      netAmount: '-126.40',
      documentType: 'credit-note',
      expenseType: 'Agency Staff – Supply',
    });
    expect(invoices[4]?.netAmount).toBe('0.00');
    expect(invoices.every((i) => i.paymentDate && !i.invoiceDate)).toBe(true);
    expect(report.dateField).toMatchObject({ field: 'paymentDate', column: 'Date' });
  });

  it('the same file twice gives the same ids, and is recognised as already uploaded', async () => {
    const store = new MemoryStore();
    const first = await upload('lancashire-like-cp1252.csv', { store });
    const again = await upload('lancashire-like-cp1252.csv', { store });
    expect(again.report.status).toBe('duplicate');
    expect(again.report.duplicateOf).toBe(first.report.uploadId);
    expect(again.sink.documents).toHaveLength(0);
    const fresh = await upload('lancashire-like-cp1252.csv');
    expect(fresh.invoices.map((i) => i.invoiceId)).toEqual(first.invoices.map((i) => i.invoiceId));
  });

  it('a Unit4 report: preamble lines, * header, LIST rows, gross − VAT, Grand Total that agrees', async () => {
    const { report, invoices } = await upload('unit4-report.csv');
    expect(report).toMatchObject({
      encoding: 'UTF-8 with BOM',
      headerRow: 3,
      rowsRead: 10,
      accepted: 3,
      rejected: 0,
      skippedByKind: { marker: 2, header: 1, blank: 3, total: 1, preamble: 0 },
      acceptedNetTotal: '10100.00',
      controlTotal: { value: '10100.00', row: 9, label: 'Grand Total', agrees: true, difference: '0.00' },
    });
    expect(report.amountBasis).toMatch(/gross "Gross Value \(Detail\)" − VAT "Vat Amount"/);
    expect(invoices.map((i) => [i.invoiceId, i.netAmount, i.vatAmount, i.paymentDate])).toEqual([
      ['135669', '9000.00', '0.00', '2023-11-22'],
      ['135670', '1000.00', '200.00', '2023-11-01'],
      ['135671', '100.00', '20.00', '2023-11-03'],
    ]);
  });

  it('a header sorted into the middle of the data, and a Grand Total that does not agree', async () => {
    const { report, invoices } = await upload('header-mid-file.csv');
    expect(report).toMatchObject({
      headerRow: 4,
      rowsRead: 7,
      accepted: 3,
      skippedByKind: { preamble: 1, header: 1, blank: 1, total: 1 },
      acceptedNetTotal: '3508.48',
      controlTotal: { value: '3127.68', agrees: false, difference: '380.80' },
      period: { from: '2023-12-21', to: '2024-01-09' },
    });
    expect(invoices.map((i) => i.source?.row)).toEqual([2, 3, 5]);
  });

  it('the DOS-code-page £ in a header, and rows sharing one payment number all count', async () => {
    const { report, invoices } = await upload('dos-pound-split-payment.csv');
    expect(report.encoding).toBe('Windows-1252, with 0x9C read as £ (DOS code page)');
    expect(report.mapping?.fields.find((f) => f.field === 'netAmount')?.header).toBe('Net Amount(£)');
    expect(invoices.map((i) => [i.invoiceId, i.netAmount])).toEqual([
      ['B1/2062', '253.20'],
      ['B1/2062#2', '412.50'],
    ]);
    expect(report.acceptedNetTotal).toBe('665.70');
  });

  it('dates in every listed format; impossible and month-first dates rejected with row and column', async () => {
    const { report, invoices } = await upload('dates.csv');
    expect(invoices.map((i) => i.paymentDate)).toEqual([
      '2023-11-16',
      '2023-11-01',
      '2023-11-01',
      '2023-11-19',
      '2023-11-07',
      '2023-10-13',
      '2023-11-14',
      '2023-11-10',
    ]);
    expect(report.rejections).toEqual([
      expect.objectContaining({
        row: 10,
        column: 'Payment Date',
        field: 'paymentDate',
        reason: expect.stringMatching(/not a real date/),
      }),
      expect.objectContaining({
        row: 11,
        column: 'Payment Date',
        reason: expect.stringMatching(/day\/month\/year/),
      }),
    ]);
  });

  it('amounts in every listed form; bad ones rejected, good rows of the file still go through', async () => {
    const { report, invoices } = await upload('amounts.csv');
    expect(invoices.map((i) => i.netAmount)).toEqual([
      '1268.00',
      '9000.00',
      '-12.50',
      '-126.40',
      '-12.50',
      '-12.50',
      '1940.00',
      '-5.00',
    ]);
    expect(report).toMatchObject({ accepted: 8, rejected: 3, acceptedNetTotal: '12039.10' });
    expect(report.rejections.map((r) => [r.row, r.column, r.reason.split(':')[0]])).toEqual([
      [10, 'Amount', 'more than 2 decimal places'],
      [11, 'Amount', 'not an amount'],
      [12, 'Amount', 'no amount'],
    ]);
  });

  it('gross, VAT and net columns: the net column is used', async () => {
    const { report, invoices } = await upload('gross-vat-net.csv');
    expect(report.amountBasis).toBe('net = column "Net"');
    expect(invoices.map((i) => [i.netAmount, i.vatAmount, i.documentType])).toEqual([
      ['636.25', '127.25', 'invoice'],
      ['-665.80', '-133.16', 'credit-note'],
      ['6385.91', '0.00', 'invoice'],
    ]);
    expect(invoices[2]?.supplier.redacted).toBe(true);
    expect(report.acceptedNetTotal).toBe('6356.36');
  });

  it('SAP debit/credit indicators: S is a credit, signed amounts keep their sign; company numbers padded', async () => {
    const { report, invoices } = await upload('sap-debit-credit.csv');
    expect(invoices.map((i) => [i.invoiceId, i.netAmount, i.paymentDate, i.supplier.companyNumber])).toEqual([
      ['1900204713', '155647.00', '2023-11-01', undefined],
      ['1700023428', '-1825.17', '2023-11-07', '09927180'],
      ['1700023429', '-100.00', '2023-11-07', 'SC123456'],
    ]);
    expect(report.rejections).toEqual([
      expect.objectContaining({ row: 5, column: 'Debit/Credit Indicator' }),
    ]);
    expect(report.acceptedNetTotal).toBe('153721.83');
  });

  it('every spelling of "redacted" (and a row of asterisks) is a redaction; look-alike suppliers are not', async () => {
    const { invoices } = await upload('redaction.csv');
    expect(invoices.map((i) => i.supplier.redacted === true)).toEqual([
      ...new Array(9).fill(true),
      false,
      false,
      false,
      false,
    ]);
    expect(invoices.filter((i) => i.supplier.redacted).every((i) => i.supplier.name === '(redacted)')).toBe(
      true,
    );
  });

  it('totals rows and a title line are skipped and counted; "TOTAL TOTS LTD" is a supplier; line numbers in ids', async () => {
    const { report, invoices } = await upload('totals.csv');
    expect(report).toMatchObject({
      rowsRead: 7,
      accepted: 3,
      skippedByKind: { preamble: 1, header: 1, total: 2 },
      acceptedNetTotal: '20382.35',
      controlTotal: { value: '20382.35', label: 'Total', agrees: true },
    });
    expect(invoices.map((i) => i.invoiceId)).toEqual(['209237/1', '209237/2', '209238/1']);
  });

  it("an unlabelled total row (Bury's last row, a float artefact) is the control total, compared to the penny", async () => {
    const { report } = await upload('unlabelled-total.csv');
    expect(report).toMatchObject({
      accepted: 2,
      skippedByKind: { total: 1 },
      acceptedNetTotal: '534947.33',
      controlTotal: { value: '534947.33', agrees: true, label: '(unlabelled total row)' },
    });
  });

  it('tab-separated text, with commas inside cells', async () => {
    const { report, invoices } = await upload('tabs.tsv');
    expect(report).toMatchObject({
      format: 'tsv',
      delimiter: '\t',
      accepted: 2,
      acceptedNetTotal: '1300.00',
    });
    expect(invoices[0]).toMatchObject({ supplier: { name: 'Acme, Ltd' }, description: 'Chairs, tables' });
  });

  it('formulas in text cells are stored as text, never evaluated', async () => {
    const { report, invoices } = await upload('formula-text.csv');
    expect(invoices[0]?.supplier.name).toBe("=cmd|' /C calc'!A0");
    expect(invoices[0]?.description).toBe('=HYPERLINK("http://example.invalid","x")');
    expect(invoices[1]?.supplier.name).toBe('@SUM(1+1)');
    expect(report.notes.join(' ')).toMatch(/4 text cells start like a spreadsheet formula/);
  });
});

describe('upload path: publishing threshold', () => {
  /** A transparency file of the given net amounts, one payment a row. */
  const spendFile = (amounts: string[]) =>
    Buffer.from(
      [
        'Supplier Name,Payment Date,Amount',
        ...amounts.map((a, i) => `Supplier ${i},0${1 + (i % 9)}/11/2023,${a}`),
      ].join('\n'),
    );
  const over500 = Array.from({ length: 199 }, (_, i) => `${500 + i * 37}.00`);

  it('is read from the rows: £500 (VAT allowed for, one row in a hundred may slip under), £250, or none', async () => {
    const at500 = await upload('over-500.csv', { bytes: spendFile([...over500, '416.67', '-120.00']) });
    expect(at500.report.publishingThreshold).toEqual({
      pounds: 500,
      source: 'detected',
      reason: '1 of 201 rows are under £500 (£416.66 net of VAT)',
    });
    const at250 = await upload('over-250.csv', {
      bytes: spendFile([...over500, '250.00', '300.00', '208.33']),
    });
    expect(at250.report.publishingThreshold).toMatchObject({ pounds: 250, source: 'detected' });
    const everything = await upload('all.csv', {
      bytes: spendFile([...over500, ...Array.from({ length: 5 }, () => '12.00')]),
    });
    expect(everything.report.publishingThreshold).toMatchObject({ pounds: 0, source: 'detected' });
    expect(everything.report.publishingThreshold?.reason).toContain('5 of 204 rows are under £250');
  });

  it("the uploader's word wins, then the body's registered threshold; the report says it", async () => {
    const bytes = spendFile(over500);
    const registered = await upload('a.csv', { bytes, threshold: { registeredThreshold: 250 } });
    expect(registered.report.publishingThreshold).toMatchObject({ pounds: 250, source: 'register' });
    const said = await upload('b.csv', {
      bytes,
      threshold: { registeredThreshold: 250, publishingThreshold: 0 },
    });
    expect(said.report.publishingThreshold).toMatchObject({ pounds: 0, source: 'option' });
    expect(formatReport(said.report)).toContain('publishes every payment (no threshold) (option:');
    expect(formatReport(registered.report)).toContain('publishes payments from £250 (register:');
  });
});

describe('upload path: bad input', () => {
  it.each([
    ['empty.csv', /the file is empty/],
    ['renamed-pdf.csv', /PDF document/],
    ['binary.csv', /binary file/],
    ['header-only.csv', /row 1 is a header, and no row after it holds spend/],
    ['unknown-layout.csv', /no header row found in 3 rows/],
    ['doctype.xml', /DOCTYPE/],
    ['not-peppol.xml', /an XML document <expenses>, not a Peppol Invoice/],
  ])('%s is refused with a reason, nothing sent', async (name, reason) => {
    const { report, sink, store } = await upload(name);
    expect(report.status).toBe('failed');
    expect(report.error).toMatch(reason);
    expect(sink.documents).toHaveLength(0);
    expect(store.finished[0]?.report.status).toBe('failed');
  });

  it('a file cut short inside a quoted cell: the rows before it are sent and the report says where it stopped', async () => {
    const { report, sink } = await upload('truncated.csv');
    expect(report.status).toBe('partial');
    expect(report.error).toMatch(/^row 3: a quoted cell is never closed/);
    expect(sink.flushed).toBe(1);
  });

  it('an enormous single line is rejected by row and reading goes on, in bounded memory', async () => {
    const lineBytes = 64 * 1024 * 1024;
    const chunk = Buffer.alloc(1024 * 1024, 0x78);
    const parts = function* () {
      yield Buffer.from('Supplier Name,Payment Date,Amount\nBefore Ltd,01/11/2023,1.00\n');
      for (let i = 0; i < lineBytes / chunk.length; i++) yield chunk;
      yield Buffer.from('\nAfter Ltd,02/11/2023,2.00\n');
    };
    const report = await uploadFile(
      { name: 'one-huge-line.csv', open: () => Readable.from(parts()) },
      { bodyId: 'test-council', store: new MemoryStore(), sink: new MemorySink() },
    );
    expect(report).toMatchObject({
      status: 'uploaded',
      rowsRead: 4,
      accepted: 2,
      rejected: 1,
      acceptedNetTotal: '3.00',
    });
    expect(report.rejections[0]).toMatchObject({
      row: 3,
      reason: expect.stringMatching(/a line of 67,108,864 characters/),
    });
  });

  it('a byte stream of unknown length is spooled and read like a file', async () => {
    const bytes = readFileSync(join(FIXTURES, 'unit4-report.csv'));
    const sink = new MemorySink();
    const report = await uploadStream(Readable.from([bytes]), 'streamed.csv', {
      bodyId: 'test-council',
      store: new MemoryStore(),
      sink,
    });
    expect(report).toMatchObject({ accepted: 3, acceptedNetTotal: '10100.00', bytes: bytes.length });
  });
});

describe('upload path: saved mappings', () => {
  it('a layout nobody recognises goes in once its mapping is saved', async () => {
    const store = new MemoryStore();
    const { headerFingerprint } = await import('./field-mapping.ts');
    store.mappings.set(headerFingerprint(['Payee', 'When', 'How much', 'Ref']), {
      fields: { supplierName: 'Payee', paymentDate: 'When', netAmount: 'How much', transactionNumber: 'Ref' },
    });
    const { report, invoices } = await upload('unknown-layout.csv', { store });
    expect(report).toMatchObject({ status: 'uploaded', accepted: 2, acceptedNetTotal: '30.00' });
    expect(report.mapping?.source).toBe('saved');
    expect(invoices.map((i) => i.invoiceId)).toEqual(['A1', 'A2']);
  });
});

describe('upload path: XLSX', () => {
  const workbook = () =>
    buildXlsx([
      { name: 'Notes', rows: [['This workbook lists spend over £500']] },
      {
        name: 'Spend',
        rows: [
          ['Transparency report, November 2023'],
          ['Supplier Name', 'Payment Date', 'Amount', 'Description'],
          ['Acme Ltd', { date: 45240 }, { number: '1021.2300000000001' }, 'Chairs'],
          ["=cmd|' /C calc'!A0", { number: '45241' }, { formula: 'B5*2', cached: '20' }, null],
          ['Gamma Ltd', '14 Nov 2023', '£1,000.00', '=SUM(A1:A2)'],
          [null, null, null, null],
          ['Total', null, { number: '2041.23' }, null],
        ],
      },
    ]);

  it('reads values (cached formula results, dates, stored digits) and keeps formula-like text as text', async () => {
    const { report, invoices } = await upload('spend.xlsx', { bytes: workbook() });
    expect(report).toMatchObject({
      format: 'xlsx',
      sheet: 'Spend (sheet 2 of 2)',
      headerRow: 2,
      accepted: 3,
      acceptedNetTotal: '2041.23',
      controlTotal: { value: '2041.23', agrees: true },
    });
    expect(invoices.map((i) => [i.supplier.name, i.paymentDate, i.netAmount, i.description])).toEqual([
      ['Acme Ltd', '2023-11-10', '1021.23', 'Chairs'],
      ["=cmd|' /C calc'!A0", '2023-11-11', '20.00', undefined],
      ['Gamma Ltd', '2023-11-14', '1000.00', '=SUM(A1:A2)'],
    ]);
  });

  it('a workbook whose parts claim to unpack to more than the limit is refused (decompression bomb)', async () => {
    const bytes = Buffer.from(workbook());
    // Rewrite every central-directory entry's declared uncompressed size to 2 GB.
    for (let at = bytes.indexOf('PK\x01\x02'); at >= 0; at = bytes.indexOf('PK\x01\x02', at + 4)) {
      bytes.writeUInt32LE(2 ** 31, at + 24);
    }
    const { report } = await upload('bomb.xlsx', { bytes });
    expect(report.status).toBe('failed');
    expect(report.error).toMatch(/unpacks to [\d,]+ bytes, over the/);
  });

  it('a truncated workbook is refused as damaged', async () => {
    const bytes = workbook();
    const { report } = await upload('cut.xlsx', { bytes: bytes.subarray(0, Math.floor(bytes.length / 2)) });
    expect(report.status).toBe('failed');
    expect(report.error).toMatch(/damaged or cut short/);
  });
});
