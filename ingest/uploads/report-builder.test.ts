import { describe, expect, it } from 'vitest';
import { buildReport, countersNotes, duplicateReport, redactedSuppliers } from './report-builder.ts';
import { newRowCounters } from './row-to-invoice.ts';
import { EMPTY_SCAN } from './scan.ts';
import { Tally } from './tally.ts';

describe('report builder', () => {
  it('builds the report from the tally and what was read; totals exact', () => {
    const tally = new Tally(10);
    tally.rowsRead = 5;
    tally.accept(10_001n, 'GBP', '2023-11-02');
    tally.accept(-1n, 'GBP', '2023-12-01');
    tally.reject([{ row: 4, column: 'Amount', field: 'netAmount', reason: 'no amount' }]);
    tally.skip('header');
    tally.controlTotal(10_000n, 5, 'Total');
    const report = buildReport({
      uploadId: 'up-1',
      bodyId: 'b',
      file: 'f.csv',
      scan: { ...EMPTY_SCAN, sha256: 'abc', bytes: 99 },
      status: 'uploaded',
      error: undefined,
      read: { format: 'csv', delimiter: ',', headerRow: 1 },
      tally,
      counters: null,
      notes: ['n'],
      publishingThreshold: 500,
      registeredThreshold: null,
      startedAt: 'then',
    });
    expect(report).toMatchObject({
      status: 'uploaded',
      format: 'csv',
      delimiter: ',',
      headerRow: 1,
      sha256: 'abc',
      bytes: 99,
      accepted: 2,
      rejected: 1,
      skipped: 1,
      acceptedNetTotal: '100.00',
      controlTotal: { value: '100.00', agrees: true, difference: '0.00' },
      period: { from: '2023-11-02', to: '2023-12-01' },
      months: { '2023-11': 1, '2023-12': 1 },
      notes: ['n'],
      publishingThreshold: { pounds: 500 },
    });
    expect(report).not.toHaveProperty('error');
    expect(report).not.toHaveProperty('encoding');
  });

  it('redactions most first, and the counters as notes', () => {
    const counters = newRowCounters();
    counters.redactedSuppliers.set('REDACTED', 2).set('Redacted Data', 5);
    counters.paddedCompanyNumbers = 1_234;
    expect(redactedSuppliers(counters)).toEqual([
      { marker: 'Redacted Data', rows: 5 },
      { marker: 'REDACTED', rows: 2 },
    ]);
    expect(countersNotes(counters)).toEqual([
      '1,234 company numbers had lost their leading zeros and were padded to 8 digits',
    ]);
    expect(countersNotes(null)).toEqual([]);
  });

  it('a duplicate is the earlier report, marked, under this file name', () => {
    const earlier = buildReport({
      uploadId: 'up-0',
      bodyId: 'b',
      file: 'first.csv',
      scan: EMPTY_SCAN,
      status: 'uploaded',
      error: undefined,
      read: {},
      tally: new Tally(1),
      counters: null,
      notes: [],
      publishingThreshold: undefined,
      registeredThreshold: 250,
      startedAt: 'then',
    });
    const again = duplicateReport(earlier, 'again.csv');
    expect(again).toMatchObject({ status: 'duplicate', duplicateOf: 'up-0', file: 'again.csv' });
    expect(again.notes[0]).toMatch(/^the same file was uploaded as up-0 \(first.csv\)/);
  });
});
