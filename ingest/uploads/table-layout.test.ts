import { describe, expect, it } from 'vitest';
import { decideLayout } from './table-layout.ts';

describe('table layout from the header row', () => {
  it('detects the mapping, the amount basis and what the date means', () => {
    const layout = decideLayout(
      { row: 4, cells: ['Supplier Name', 'Posting Date', 'Gross', 'VAT', 'Description'] },
      undefined,
    );
    expect(layout.mapping.fields).toMatchObject({
      supplierName: 0,
      paymentDate: 1,
      grossAmount: 2,
      vatAmount: 3,
    });
    expect(layout.basis).toBe('gross-minus-vat');
    expect(layout.dateField).toBe('paymentDate');
    expect(layout.report).toMatchObject({
      headerRow: 4,
      amountBasis: 'net = gross "Gross" − VAT "VAT"',
      dateField: { field: 'paymentDate', column: 'Posting Date', meaning: 'posting date' },
      mapping: { source: 'detected', fingerprint: layout.fingerprint, digest: layout.digest },
    });
  });

  it('an invoice date alone is the date the rows are counted by', () => {
    const layout = decideLayout({ row: 1, cells: ['Vendor', 'Invoice Date', 'Net Amount'] }, undefined);
    expect(layout.dateField).toBe('invoiceDate');
    expect(layout.report.dateField?.meaning).toBe('invoice date');
  });

  it('refuses a header without an amount, a supplier or a date, naming what is missing', () => {
    expect(() => decideLayout({ row: 2, cells: ['Ref', 'Description', 'Amount'] }, undefined)).toThrow(
      /row 2: the header has no column for a supplier .*, a date/,
    );
    expect(() => decideLayout({ row: 2, cells: ['Payee', 'Date', 'VAT'] }, undefined)).toThrow(
      /row 2: the header has no column for an amount/,
    );
  });

  it('a saved mapping is used as saved, and one naming a missing column is refused', () => {
    const header = ['Payee', 'When', 'How much'];
    const saved = { fields: { supplierName: 'Payee', paymentDate: 'When', netAmount: '#3' } };
    const layout = decideLayout({ row: 1, cells: header }, saved);
    expect(layout.mapping.source).toBe('saved');
    expect(layout.mapping.fields).toEqual({ supplierName: 0, paymentDate: 1, netAmount: 2 });
    expect(() =>
      decideLayout({ row: 1, cells: header }, { fields: { ...saved.fields, netAmount: 'Cost' } }),
    ).toThrow(/row 1: the saved mapping names column "Cost" for netAmount/);
  });
});
