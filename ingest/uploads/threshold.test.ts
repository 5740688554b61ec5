import { describe, expect, it } from 'vitest';
import { decideThreshold, detectThreshold } from './threshold.ts';

describe('publishing threshold', () => {
  it('is detected from the share of rows under £500 and £250 (net of VAT), 1 % tolerated', () => {
    expect(detectThreshold({ rows: 12_195, under250: 0, under500: 0 }).pounds).toBe(500);
    // Liverpool Nov 2023: 5 of 11,040 rows under the line
    expect(detectThreshold({ rows: 11_040, under250: 4, under500: 5 }).pounds).toBe(500);
    // Blackpool: from £250
    expect(detectThreshold({ rows: 8_636, under250: 0, under500: 1_619 }).pounds).toBe(250);
    expect(detectThreshold({ rows: 100, under250: 1, under500: 2 }).pounds).toBe(250);
    // Lancashire: thousands of small payments
    expect(detectThreshold({ rows: 28_533, under250: 1_304, under500: 6_259 }).pounds).toBe(0);
    expect(detectThreshold({ rows: 19, under250: 0, under500: 0 })).toMatchObject({
      pounds: 0,
      reason: expect.stringContaining('too few'),
    });
  });

  it('comes from the option, else an e-invoice sends everything, else the register, else detection', () => {
    const sizes = { rows: 1000, under250: 0, under500: 0 };
    expect(decideThreshold({ option: 250, registered: 500, eInvoice: true, sizes })).toMatchObject({
      pounds: 250,
      source: 'option',
    });
    expect(decideThreshold({ option: undefined, registered: 500, eInvoice: true, sizes })).toMatchObject({
      pounds: 0,
      source: 'e-invoice',
    });
    expect(decideThreshold({ option: undefined, registered: 0, eInvoice: false, sizes })).toMatchObject({
      pounds: 0,
      source: 'register',
    });
    expect(decideThreshold({ option: undefined, registered: null, eInvoice: false, sizes })).toMatchObject({
      pounds: 500,
      source: 'detected',
    });
  });
});
