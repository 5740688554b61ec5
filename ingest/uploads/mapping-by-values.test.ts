/**
 * The mapping checked by the values: synthetic files, one pattern each, through the whole
 * upload path with an in-memory store and sink. Expected columns are named by hand.
 */
import { describe, expect, it } from 'vitest';
import { uploadBytes } from '../../tests/helpers/upload-bytes.ts';
import type { InvoiceV1 } from '../topics/invoices/schema.ts';
import { detectMapping } from './field-mapping.ts';
import { checkMappingByValues, profileColumn } from './mapping-by-values.ts';
import { formatReport } from './report.ts';

async function upload(lines: string[]) {
  const { report, sent } = await uploadBytes('synthetic.csv', `${lines.join('\n')}\n`);
  const invoices = sent.map((d) => JSON.parse(d.value) as InvoiceV1);
  const column = (field: string) => report.mapping?.fields.find((f) => f.field === field);
  return { report, invoices, column };
}

describe('mapping checked by the values', () => {
  it('Supplier (six-digit numbers) / Supplier(T) (names): the names are the supplier, the numbers its reference', async () => {
    const { report, invoices, column } = await upload([
      'Supplier,Supplier(T),Payment Date,Amount',
      '100234,Acme Ltd,01/11/2023,10.00',
      '100552,Beta Services,02/11/2023,20.00',
      '100871,Gamma Care,03/11/2023,30.00',
    ]);
    expect(report.status).toBe('uploaded');
    expect(column('supplierName')).toMatchObject({
      header: 'Supplier(T)',
      how: 'values',
      samples: ['Acme Ltd', 'Beta Services', 'Gamma Care'],
    });
    expect(column('supplierName')?.why).toMatch(
      /column 1 "Supplier" was the header's choice, but 3 of 3 values are numbers/,
    );
    expect(column('supplierRef')).toMatchObject({
      header: 'Supplier',
      how: 'values',
      samples: ['100234', '100552', '100871'],
    });
    expect(report.mapping?.settledByValues?.[0]).toMatch(/^supplierName: /);
    expect(invoices.map((i) => [i.supplier.name, i.supplier.ref])).toEqual([
      ['Acme Ltd', '100234'],
      ['Beta Services', '100552'],
      ['Gamma Care', '100871'],
    ]);
    expect(formatReport(report)).toContain('settled by the values: supplierName');
  });

  it('Proclass / Proclass(T) become code and label; Cost Centre / Cost Centre(T), equal by header, are settled by the values', async () => {
    const { report, invoices, column } = await upload([
      'Cost Centre,Cost Centre(T),Proclass,Proclass(T),Supplier Name,Payment Date,Amount',
      '40123,Highways North,321016,Road Maintenance,Acme Ltd,01/11/2023,10.00',
      '40124,Libraries,361600,Books,Beta Ltd,02/11/2023,20.00',
    ]);
    expect(report.status).toBe('uploaded');
    expect(column('proclassCode')?.header).toBe('Proclass');
    expect(column('proclassLabel')?.header).toBe('Proclass(T)');
    expect(column('costCentre')).toMatchObject({ header: 'Cost Centre(T)', how: 'values' });
    expect(column('costCentre')?.why).toMatch(
      /the values of column 2 "Cost Centre\(T\)" fit costCentre better/,
    );
    expect(invoices[0]).toMatchObject({
      costCentre: 'Highways North',
      category: { scheme: 'proclass', code: '321016', label: 'Road Maintenance' },
    });
  });

  it('numeric ids in the only "supplier" column: the upload stops before anything is sent, saying what to fix', async () => {
    const { report, invoices } = await upload([
      'Supplier,Payment Date,Amount',
      '100234,01/11/2023,10.00',
      '100552,02/11/2023,20.00',
      '100871,03/11/2023,30.00',
    ]);
    expect(report.status).toBe('failed');
    expect(invoices).toHaveLength(0);
    expect(report.error).toMatch(
      /values contradict the detected mapping, so nothing was sent: supplierName is column 1 "Supplier", but 3 of 3 values are numbers, not names \(e.g. 100234, 100552, 100871\); no other column fits\. .*spend mapping save/,
    );
    // The report still shows the mapping the values contradicted.
    expect(report.mapping?.fields.find((f) => f.field === 'supplierName')?.samples).toEqual([
      '100234',
      '100552',
      '100871',
    ]);
  });

  it('swapped date columns: a "date" holding amounts stops the upload and names the column that fits', async () => {
    const { report, invoices } = await upload([
      'Supplier Name,Payment Date,Amount,Paid On',
      'Acme Ltd,10.00,01/11/2023,01/11/2023',
      'Beta Ltd,20.00,02/11/2023,02/11/2023',
      'Gamma Ltd,30.00,03/11/2023,03/11/2023',
    ]);
    expect(report.status).toBe('failed');
    expect(invoices).toHaveLength(0);
    expect(report.error).toMatch(/paymentDate is column 2 "Payment Date", but 0 of 3 values are dates/);
    expect(report.error).toMatch(/netAmount is column 3 "Amount", but 0 of 3 values are amounts/);
  });

  it('payment and invoice dates swapped (payment before invoice on most rows) stop the upload', async () => {
    const { report } = await upload([
      'Supplier Name,Invoice Date,Payment Date,Amount',
      'Acme Ltd,20/11/2023,01/11/2023,10.00',
      'Beta Ltd,21/11/2023,02/11/2023,20.00',
      'Gamma Ltd,22/11/2023,03/11/2023,30.00',
    ]);
    expect(report.status).toBe('failed');
    expect(report.error).toMatch(
      /"Payment Date" \(paymentDate\) is earlier than column 2 "Invoice Date" \(invoiceDate\) on 3 of 3 rows: are the two columns swapped\?/,
    );
  });

  it('net and gross both present: net is used, gross kept; a second unmapped amount and a name column are listed', async () => {
    const { report, invoices, column } = await upload([
      'Supplier Name,Payment Date,Net Amount,Gross Amount,Fees Paid,Trading Name',
      'Acme Ltd,01/11/2023,100.00,120.00,1.50,Acme',
      'Beta Ltd,02/11/2023,50.00,60.00,2.25,Beta Care',
      'Gamma Ltd,03/11/2023,10.00,12.00,0.75,Gamma Homes',
    ]);
    expect(report.status).toBe('uploaded');
    expect(report.amountBasis).toBe('net = column "Net Amount"');
    expect(column('netAmount')?.why).toBe(
      'the header "Net Amount" reads as netAmount; 3 of 3 values are amounts',
    );
    expect(column('grossAmount')?.samples).toEqual(['120.00', '60.00', '12.00']);
    expect(invoices.map((i) => i.netAmount)).toEqual(['100.00', '50.00', '10.00']);
    const unused = Object.fromEntries((report.mapping?.unused ?? []).map((u) => [u.header, u.looksLike]));
    expect(unused['Fees Paid']).toMatch(/^a second amount/);
    expect(unused['Trading Name']).toMatch(/^names/);
  });

  it('net larger than gross on most rows: the columns are swapped, the upload stops', async () => {
    const { report } = await upload([
      'Supplier Name,Payment Date,Net Amount,Gross Amount',
      'Acme Ltd,01/11/2023,120.00,100.00',
      'Beta Ltd,02/11/2023,60.00,50.00',
      'Gamma Ltd,03/11/2023,12.00,10.00',
    ]);
    expect(report.status).toBe('failed');
    expect(report.error).toMatch(
      /"Net Amount" \(netAmount\) is larger than column 4 "Gross Amount" \(grossAmount\) on 3 of 3 rows/,
    );
  });

  it('a header-only mapping is unchanged when the values agree (and with no rows to look at)', () => {
    const header = ['Supplier Name', 'Payment Date', 'Amount'];
    const detected = detectMapping(header);
    const rows = [['Acme Ltd', '01/11/2023', '1.00']];
    expect(checkMappingByValues(header, detected, rows).mapping.fields).toEqual(detected.fields);
    expect(checkMappingByValues(header, detected, []).problems).toEqual([]);
  });

  it('profiles count what the values are', () => {
    expect(profileColumn(['100234', 'Acme Ltd', '', '01/11/2023', '12.50', 'REDACTED'])).toEqual({
      filled: 5,
      dates: 1,
      amounts: 2,
      digitsOnly: 1,
      textual: 2,
      decimals: 1,
      samples: ['100234', 'Acme Ltd', '01/11/2023'],
    });
  });
});
