import { describe, expect, it } from 'vitest';
import { readControlTotal } from './control-total.ts';

describe('control total row', () => {
  it('reads a net total and the label beside it', () => {
    expect(readControlTotal(['Total', '', '1,234.50'], { netAmount: 2 }, 'net')).toEqual({
      pence: 123450n,
      label: 'Total',
    });
  });

  it('gross − VAT, like the rows, skipping the Unit4 "*" marker for the label', () => {
    const cells = ['*', 'Grand Total', '1200.00', '200.00'];
    expect(readControlTotal(cells, { marker: 0, grossAmount: 2, vatAmount: 3 }, 'gross-minus-vat')).toEqual({
      pence: 100000n,
      label: 'Grand Total',
    });
  });

  it("an unlabelled float artefact (Bury's last row) reads as the amount it stands for", () => {
    expect(readControlTotal(['', '', '13617821.88999996'], { netAmount: 2 }, 'net')).toEqual({
      pence: 1361782189n,
      label: '(unlabelled total row)',
    });
  });

  it('a total written with more decimals than pence is rounded, and the note says so', () => {
    expect(readControlTotal(['Total', '', '1234.567'], { netAmount: 2 }, 'net')).toEqual({
      pence: 123457n,
      label: 'Total',
      note: 'written as 1234.567: compared to the penny',
    });
  });

  it('a total row without an amount is no control total', () => {
    expect(readControlTotal(['Total For Period', '', ''], { netAmount: 2 }, 'net')).toBeNull();
    expect(readControlTotal(['Total', '', 'n/a'], { netAmount: 2 }, 'net')).toBeNull();
  });
});
