/**
 * The printable statement: money grouped from its decimal text, names escaped, every stream's
 * rows, subtotal and the total present.
 */
import { describe, expect, it } from 'vitest';
import { formatPounds, renderStatementPage } from '../cli/savings-page.ts';

describe('printable savings statement', () => {
  it('formats pounds from their text', () => {
    expect(formatPounds('1234567.80')).toBe('£1,234,567.80');
    expect(formatPounds('-5.00')).toBe('−£5.00');
    expect(formatPounds('999.99')).toBe('£999.99');
    expect(formatPounds(null)).toBe('');
  });

  it('lays out streams, bodies, subtotals and the total, escaping names', () => {
    const page = renderStatementPage(
      {
        year: 2024,
        yearStart: '2024-04-01',
        yearEnd: '2025-03-31',
        asOf: '2024-12-15',
        rows: [
          {
            stream: 'procurement',
            body_id: 'b<1>',
            guaranteed: '60.00',
            validated: '90.00',
            validated_through: '2024-09-30',
          },
        ],
        byStream: [{ stream: 'procurement', guaranteed: '60.00', validated: '90.00' }],
        totals: { guaranteed: '1060.00', validated: '90.00' },
      },
      'Savings & guarantees',
    );
    expect(page).toContain('<title>Savings &#38; guarantees</title>');
    expect(page).toContain('<th>b&#60;1&#62;</th><td>£60.00</td>');
    expect(page).toContain('Validated (signed off) through 2024-09-30.');
    expect(page).toContain('<tr class="total"><th>Total</th><td>£1,060.00</td>');
    expect(page).toContain('<th colspan="10">Procurement</th>');
  });
});
