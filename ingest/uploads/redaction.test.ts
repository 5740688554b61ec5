import { describe, expect, it } from 'vitest';
import { isRedactionMarker } from './redaction.ts';

describe('isRedactionMarker', () => {
  it.each([
    'REDACTED',
    'REDACTED PERSONAL DATA',
    'Redacted Data',
    'Redacted - Personal Data',
    'REDACTED UNDER DP ACT',
    '****REDACTED PERSONAL INFO****',
    '****REDACTED COMMERCIALLY SENSITIVE****',
    'REDACTED DATA',
    '**********',
    '* * * *',
    'Personal Data',
    'Withheld',
  ])('%s is a marker', (value) => {
    expect(isRedactionMarker(value)).toBe(true);
  });

  it.each([
    'P AND W CONFIDENTIAL BUSINESS',
    'PEE WEES PERSONAL HOMECARE',
    'Preston Private Hire',
    'OUTDOORS GROUP LTD THE ****5033',
    'SHARED LIVES SOUTH WEST *1614*',
    'PEARSON    EDEXCEL**FEES ONLY***',
    'TOTAL TOTS LTD',
    '',
    '**',
  ])('%s is a supplier (or nothing)', (value) => {
    expect(isRedactionMarker(value)).toBe(false);
  });
});
