import { describe, expect, it } from 'vitest';
import {
  applySavedMapping,
  detectMapping,
  headerFingerprint,
  looksLikeHeader,
  toSavedMapping,
} from './field-mapping.ts';

const fieldsOf = (header: string[]) =>
  Object.fromEntries(detectMapping(header).choices.map((c) => [c.field, header[c.column]?.trim()]));

describe('detectMapping', () => {
  it('maps synonyms, currency signs and odd spacing to our fields', () => {
    expect(fieldsOf(['Authority', 'Service Area', 'Description', 'Payment', ' Amount', 'Supplier'])).toEqual({
      serviceArea: 'Service Area',
      description: 'Description',
      paymentDate: 'Payment',
      netAmount: 'Amount',
      supplierName: 'Supplier',
    });
    const hyndburn = fieldsOf([
      'Service Cost Centre',
      'HBC ref no',
      'Name',
      'Payment Date',
      'Net Amount (£)',
    ]);
    expect(hyndburn).toMatchObject({
      transactionNumber: 'HBC ref no',
      supplierName: 'Name',
      netAmount: 'Net Amount (£)',
    });
    expect(fieldsOf(['Beneficiary', 'Posting date', 'Amount Excluding VAT', 'Trans No'])).toEqual({
      supplierName: 'Beneficiary',
      paymentDate: 'Posting date',
      netAmount: 'Amount Excluding VAT',
      transactionNumber: 'Trans No',
    });
  });

  it('prefers the better-ranked of two candidate columns and says why the other is unused', () => {
    const mapping = detectMapping([
      'Date',
      'Transaction Number',
      'Invoice Number',
      'Amount',
      'Supplier Name',
    ]);
    expect(mapping.fields.transactionNumber).toBe(1);
    expect(mapping.unused).toEqual([
      expect.objectContaining({
        column: 2,
        header: 'Invoice Number',
        why: expect.stringMatching(/also reads as transactionNumber/),
      }),
    ]);
  });

  it('maps layouts not in the shared data: the LGA spend schema, purchase-card and ERP exports', () => {
    // The LGA's spend data schema (column names as its template spells them).
    expect(
      fieldsOf([
        'Body Name',
        'Body ID',
        'Service Category Label',
        'Service Division Label',
        'Expenses Type',
        'Detailed Expenses Type',
        'Expenses Code',
        'Narrative',
        'Payment Date',
        'Transaction Number',
        'Amount',
        'Irrecoverable VAT',
        'Supplier Name',
        'Supplier ID',
        'Purchase Order Number',
        'Contract Number',
        'Responsible Unit',
      ]),
    ).toEqual({
      serviceArea: 'Service Category Label',
      expenseType: 'Expenses Type',
      expenseCode: 'Expenses Code',
      description: 'Narrative',
      paymentDate: 'Payment Date',
      transactionNumber: 'Transaction Number',
      netAmount: 'Amount',
      supplierName: 'Supplier Name',
      supplierRef: 'Supplier ID',
      poNumber: 'Purchase Order Number',
      contractRef: 'Contract Number',
      costCentre: 'Responsible Unit',
    });
    // A purchase-card file.
    expect(
      fieldsOf([
        'Cardholder',
        'Transaction Date',
        'Merchant Name',
        'Merchant Category',
        'MCC',
        'Transaction Value',
        'VAT Total',
      ]),
    ).toEqual({
      paymentDate: 'Transaction Date',
      supplierName: 'Merchant Name',
      expenseType: 'Merchant Category',
      expenseCode: 'MCC',
      netAmount: 'Transaction Value',
      vatAmount: 'VAT Total',
    });
    // An ERP accounts-payable export.
    expect(
      fieldsOf([
        'Doc Ref',
        'Pay Date',
        'Inv Date',
        'Paid To',
        'GL Account Description',
        'Cost Element',
        'Invoice Amount',
        'Gross Total',
      ]),
    ).toEqual({
      transactionNumber: 'Doc Ref',
      paymentDate: 'Pay Date',
      invoiceDate: 'Inv Date',
      supplierName: 'Paid To',
      expenseType: 'GL Account Description',
      expenseCode: 'Cost Element',
      netAmount: 'Invoice Amount',
      grossAmount: 'Gross Total',
    });
    expect(looksLikeHeader(['Doc Ref', 'Pay Date', 'Paid To', 'Invoice Amount'])).toBe(true);
  });

  it('says what a date column means', () => {
    const mapping = detectMapping(['Posting date', 'Vendor', 'Actual Value']);
    expect(mapping.choices.find((c) => c.field === 'paymentDate')?.meaning).toBe('posting date');
  });
});

describe('looksLikeHeader', () => {
  it('needs three known names including an amount and a supplier or date', () => {
    expect(looksLikeHeader(['*', 'Body Name', 'Supplier Name', 'Payment Date', 'Gross Value (Detail)'])).toBe(
      true,
    );
    expect(looksLikeHeader(['LIST', 'Blackpool Council', 'Acme', '22/11/2023', '9,000.00'])).toBe(false);
    expect(looksLikeHeader(['Supplier Name', 'Description', 'Service Area'])).toBe(false);
  });
});

describe('saved mappings', () => {
  it('round-trip through column references, including unnamed and repeated columns', () => {
    const header = ['Supplier', '', 'Amount', 'Amount', 'When'];
    const mapping = detectMapping(header);
    const saved = toSavedMapping(header, {
      ...mapping,
      choices: [
        ...mapping.choices,
        { field: 'paymentDate', column: 4, header: 'When', how: 'header' },
        { field: 'vatAmount', column: 3, header: 'Amount', how: 'header' },
        { field: 'description', column: 1, header: '', how: 'header' },
      ],
    });
    expect(saved.fields).toEqual({
      supplierName: 'Supplier',
      netAmount: 'Amount',
      paymentDate: 'When',
      vatAmount: '#4',
      description: '#2',
    });
    expect(applySavedMapping(header, saved).fields).toEqual({
      supplierName: 0,
      description: 1,
      netAmount: 2,
      vatAmount: 3,
      paymentDate: 4,
    });
  });

  it('fingerprint a layout regardless of case, spacing and trailing empty columns', () => {
    expect(headerFingerprint(['Supplier Name', 'Amount', '', ''])).toBe(
      headerFingerprint([' supplier  name', 'AMOUNT']),
    );
    expect(headerFingerprint(['Supplier Name', 'Amount'])).not.toBe(
      headerFingerprint(['Amount', 'Supplier Name']),
    );
  });
});
