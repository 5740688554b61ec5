/**
 * The running counts of an upload, kept exact (pence as BigInt), from which its report is
 * built: rows by outcome, accepted totals per currency, accepted rows per month (for the
 * overlap check), the first rejections in full, and the file's own control total.
 */
import { formatPence } from './amounts.ts';
import type { ControlTotal } from './report.ts';
import { emptySkipped } from './report.ts';
import type { SkippedKind } from './row-classification.ts';
import type { Rejection } from './row-to-invoice.ts';
import { UNDER_250_NET_PENCE, UNDER_500_NET_PENCE } from './threshold.ts';

export class Tally {
  rowsRead = 0;
  accepted = 0;
  rejected = 0;
  readonly skipped = emptySkipped();
  readonly rejections: Rejection[] = [];
  rejectionsNotKept = 0;
  invoices = 0;
  purchaseOrders = 0;
  private readonly totals = new Map<string, { pence: bigint; documents: number }>();
  private readonly months = new Map<string, number>();
  private firstDate: string | null = null;
  private lastDate: string | null = null;
  private control: { pence: bigint; row: number; label: string; note?: string } | null = null;
  /**
   * Accepted rows by size (absolute net amount) below what a £250 or £500 threshold lets through,
   * allowing for VAT (a body applying it to the gross amount publishes £208.33 net at £250):
   * what the file's publishing threshold looks like (threshold.ts).
   */
  readonly sizes = { under250: 0, under500: 0 };

  constructor(private readonly keepRejections: number) {}

  accept(netPence: bigint, currency: string, date: string | undefined): void {
    this.accepted++;
    const total = this.totals.get(currency) ?? { pence: 0n, documents: 0 };
    total.pence += netPence;
    total.documents++;
    this.totals.set(currency, total);
    const size = netPence < 0n ? -netPence : netPence;
    if (size < UNDER_250_NET_PENCE) this.sizes.under250++;
    if (size < UNDER_500_NET_PENCE) this.sizes.under500++;
    if (date) {
      const month = date.slice(0, 7);
      this.months.set(month, (this.months.get(month) ?? 0) + 1);
      if (this.firstDate === null || date < this.firstDate) this.firstDate = date;
      if (this.lastDate === null || date > this.lastDate) this.lastDate = date;
    }
  }

  reject(rejections: Rejection[]): void {
    this.rejected++;
    for (const rejection of rejections) {
      if (this.rejections.length < this.keepRejections) this.rejections.push(rejection);
      else this.rejectionsNotKept++;
    }
  }

  skip(kind: SkippedKind): void {
    this.skipped[kind]++;
  }

  /** The last total row with a value is the file's control total. */
  controlTotal(pence: bigint, row: number, label: string, note?: string): void {
    this.control = { pence, row, label, ...(note ? { note } : {}) };
  }

  get skippedCount(): number {
    return Object.values(this.skipped).reduce((a, b) => a + b, 0);
  }

  /** The accepted net total: of the one currency, or of GBP when the file mixes currencies. */
  get acceptedPence(): bigint {
    if (this.totals.size === 1) return [...this.totals.values()][0]?.pence ?? 0n;
    return this.totals.get('GBP')?.pence ?? 0n;
  }

  currencyTotals(): { currency: string; netTotal: string; documents: number }[] {
    return [...this.totals]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, t]) => ({ currency, netTotal: formatPence(t.pence), documents: t.documents }));
  }

  monthCounts(): Record<string, number> {
    return Object.fromEntries([...this.months].sort(([a], [b]) => a.localeCompare(b)));
  }

  period(): { from: string; to: string } | null {
    return this.firstDate && this.lastDate ? { from: this.firstDate, to: this.lastDate } : null;
  }

  controlTotalReport(): ControlTotal | null {
    if (!this.control) return null;
    const difference = this.acceptedPence - this.control.pence;
    return {
      value: formatPence(this.control.pence),
      row: this.control.row,
      label: this.control.label,
      agrees: difference === 0n,
      difference: formatPence(difference),
      ...(this.control.note ? { note: this.control.note } : {}),
    };
  }
}
