/**
 * What an upload's report says of DuckDB when it is read without --wait: while the consumers are
 * still at it, how far they are, not a disagreement; a real difference still says so.
 */
import { describe, expect, it } from 'vitest';
import { uploadBytes } from '../../tests/helpers/upload-bytes.ts';
import { formatReport, type IngestedTotals } from './report.ts';

const CSV = [
  'Supplier,Payment Date,Amount',
  'Acme Ltd,01/11/2023,10.00',
  'Beta Services,02/11/2023,20.00',
  'Gamma Care,03/11/2023,30.00',
];

function totals(invoices: number, net: string, deadLettered = 0): IngestedTotals {
  return { invoices, invoiceNetTotal: net, purchaseOrders: 0, purchaseOrderNetTotal: '0.00', deadLettered };
}

describe("an upload's report of DuckDB", () => {
  it('says how far ingest is while documents are still arriving, and a difference once all are in', async () => {
    const { report } = await uploadBytes('three.csv', `${CSV.join('\n')}\n`);
    expect(report.messages.invoices).toBe(3);

    report.ingested = { ...totals(1, '10.00'), agrees: false };
    expect(formatReport(report)).toContain(
      `in DuckDB so far: 1 of 3 documents, still being ingested (spend uploads show ${report.uploadId}`,
    );

    report.ingested = { ...totals(3, '60.00'), agrees: true };
    expect(formatReport(report)).toContain(
      'in DuckDB: 3 documents, net total 60.00: equals the accepted rows',
    );

    report.ingested = { ...totals(3, '59.99'), agrees: false };
    expect(formatReport(report)).toContain('DOES NOT EQUAL the accepted rows');
  });
});
