import { describe, expect, it } from 'vitest';
import { headerFingerprint } from './field-mapping.ts';
import { HeaderSearch, isHeaderRow, sheetWithHeader } from './header-search.ts';
import { UploadFileError } from './upload-contract.ts';

const HEADER = ['Supplier Name', 'Payment Date', 'Amount'];

describe('header search', () => {
  it('holds the rows before the header and hands them back with it, in order', () => {
    const search = new HeaderSearch(new Map(), 10);
    expect(search.offer({ row: 1, cells: ['Spend over £500'] })).toBeNull();
    expect(search.offer({ row: 2, cells: ['Acme Ltd', '01/11/2023', '10.00'] })).toBeNull();
    const found = search.offer({ row: 3, cells: HEADER });
    expect(found?.header.row).toBe(3);
    expect(found?.before.map((r) => r.row)).toEqual([1, 2]);
    expect(found?.saved).toBeUndefined();
  });

  it('refuses a file with too many rows before any header, naming the limit', () => {
    const search = new HeaderSearch(new Map(), 2);
    search.offer({ row: 1, cells: ['a'] });
    search.offer({ row: 2, cells: ['b'] });
    expect(() => search.offer({ row: 3, cells: ['c'] })).toThrow(/no header row in the first 2 rows/);
  });

  it('says whether the file had no rows or no header among them', () => {
    expect(new HeaderSearch(new Map(), 5).notFound().message).toBe('the file has no rows');
    const search = new HeaderSearch(new Map(), 5);
    search.offer({ row: 1, cells: ['Payee', 'When'] });
    const error = search.notFound();
    expect(error).toBeInstanceOf(UploadFileError);
    expect(error.message).toMatch(/no header row found in 1 rows: .*spend mapping save/);
  });

  it('a layout with a saved mapping is a header even when no column name is recognised', () => {
    const odd = ['Payee', 'When', 'How much'];
    const mapping = { fields: { supplierName: 'Payee' } };
    const saved = new Map([[headerFingerprint(odd), mapping]]);
    expect(isHeaderRow(odd, new Map())).toBe(false);
    expect(isHeaderRow(odd, saved)).toBe(true);
    expect(new HeaderSearch(saved, 5).offer({ row: 1, cells: odd })?.saved).toBe(mapping);
  });

  it('picks the first sheet with a header within the rows looked at', () => {
    const sheets = [
      { name: 'Notes', rows: [{ row: 1, cells: ['notes'] }] },
      {
        name: 'Late',
        rows: [
          { row: 1, cells: ['x'] },
          { row: 2, cells: HEADER },
        ],
      },
      { name: 'Spend', rows: [{ row: 1, cells: HEADER }] },
    ];
    expect(sheetWithHeader(sheets, new Map())?.name).toBe('Late');
    expect(sheetWithHeader(sheets, new Map(), 1)?.name).toBe('Spend');
    expect(sheetWithHeader(sheets.slice(0, 1), new Map())).toBeUndefined();
  });
});
