import { describe, expect, it } from 'vitest';
import type { InvoiceV1 } from '../topics/invoices/schema.ts';
import type { UploadReport } from './report.ts';
import type { Rejection } from './row-to-invoice.ts';
import { TableUpload } from './table-upload.ts';
import { Tally } from './tally.ts';
import { DEFAULT_LIMITS, type OutgoingDocument, type UploadSteps } from './upload-contract.ts';

class Steps implements UploadSteps {
  readonly tally = new Tally(100);
  readonly report: Partial<UploadReport> = {};
  readonly notes: string[] = [];
  readonly sent: OutgoingDocument[] = [];
  readonly rejected: Rejection[] = [];
  begun: [string | null, string | null][] = [];
  async begin(fingerprint: string | null, digest: string | null) {
    this.begun.push([fingerprint, digest]);
  }
  send(document: OutgoingDocument) {
    this.sent.push(document);
    return undefined;
  }
  reject(rejections: Rejection[]) {
    this.tally.reject(rejections);
    this.rejected.push(...rejections);
  }
}

const tableUpload = (steps: Steps) =>
  new TableUpload(steps, {
    bodyId: 'b',
    uploadId: 'up',
    file: 'f.csv',
    limits: DEFAULT_LIMITS,
    saved: new Map(),
  });

const rows = (lines: string[][]) => [lines.map((cells, i) => ({ row: i + 1, cells }))];

describe('table upload', () => {
  it('reads rows held before a mid-file header; preamble, totals and bad rows are counted, not sent', async () => {
    const steps = new Steps();
    const table = tableUpload(steps);
    await table.read(
      rows([
        ['Spend report'],
        ['Early Ltd', '01/11/2023', '5.00'],
        ['Supplier Name', 'Payment Date', 'Amount'],
        ['Late Ltd', '02/11/2023', '7.50'],
        ['Bad Ltd', '02/11/2023', 'seven'],
        ['', '', ''],
        ['Total', '', '12.50'],
      ]),
    );
    const sent = steps.sent.map((d) => JSON.parse(d.value) as InvoiceV1);
    expect(sent.map((i) => [i.supplier.name, i.netAmount, i.source?.row])).toEqual([
      ['Early Ltd', '5.00', 2],
      ['Late Ltd', '7.50', 4],
    ]);
    expect(steps.begun).toHaveLength(1);
    expect(steps.report.headerRow).toBe(3);
    expect(steps.rejected).toMatchObject([{ row: 5, column: 'Amount', field: 'netAmount' }]);
    expect(steps.tally).toMatchObject({ rowsRead: 7, accepted: 2, rejected: 1 });
    expect(steps.tally.skipped).toMatchObject({ preamble: 1, header: 1, blank: 1, total: 1 });
    expect(steps.tally.controlTotalReport()).toMatchObject({ value: '12.50', agrees: true });
  });

  it('with no header anywhere, nothing begins and the error says so', async () => {
    const steps = new Steps();
    const table = tableUpload(steps);
    await expect(
      table.read(
        rows([
          ['a', 'b'],
          ['c', 'd'],
        ]),
      ),
    ).rejects.toThrow(/no header row found in 2 rows/);
    expect(steps.begun).toHaveLength(0);
  });

  it('a payment with a date and an amount but no supplier name is kept, unnamed and flagged; a row with no amount is not a payment', async () => {
    const steps = new Steps();
    const table = tableUpload(steps);
    await table.read(
      rows([
        ['Name', 'Payment Date', 'Net Amount'],
        ['Acme Ltd', '21/11/2023', '10.00'],
        ['', '21/11/2023', '290.00'],
        ['', '22/11/2023', 'n/a'],
      ]),
    );
    const sent = steps.sent.map((d) => JSON.parse(d.value) as InvoiceV1);
    expect(sent.map((i) => [i.supplier, i.netAmount])).toEqual([
      [{ name: 'Acme Ltd' }, '10.00'],
      [{ name: '(unnamed)', redacted: true }, '290.00'],
    ]);
    expect(table.counters?.unnamedSuppliers).toBe(1);
    expect(steps.tally.acceptedPence).toBe(30_000n);
    expect(steps.rejected).toMatchObject([{ row: 4, field: 'netAmount' }]);
  });

  it("a row the invoice.v1 contract refuses is rejected with zod's reason, naming the column; the rows around it are sent", async () => {
    // Valid rows pass the compiled quick check; the refused ones fall to zod, which says why.
    const steps = new Steps();
    const table = tableUpload(steps);
    await table.read(
      rows([
        ['Supplier Name', 'Payment Date', 'Amount', 'Currency'],
        ['Acme Ltd', '01/11/2023', '5.00', 'GBP'],
        ['Acme Ltd', '01/11/2023', '6.00', 'XXY'],
        ['N'.repeat(501), '01/11/2023', '7.00', ''],
        ['Acme Ltd', '02/11/2023', '8.00', 'eur'],
      ]),
    );
    const sent = steps.sent.map((d) => JSON.parse(d.value) as InvoiceV1);
    expect(sent.map((i) => [i.netAmount, i.currency])).toEqual([
      ['5.00', 'GBP'],
      ['8.00', 'EUR'],
    ]);
    expect(steps.rejected).toMatchObject([
      {
        row: 3,
        column: 'Currency',
        field: 'currency',
        reason: expect.stringMatching(/^invoice\.v1 currency: /),
      },
      {
        row: 4,
        column: 'Supplier Name',
        field: 'supplierName',
        reason: expect.stringMatching(/^invoice\.v1 supplier\.name: /),
      },
    ]);
  });
});
