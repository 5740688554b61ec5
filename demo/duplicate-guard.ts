/**
 * Keeps accidental duplicate payments out of the demo data, so that the planted ones are the only
 * ones: no two documents of a body may have the same supplier, currency and amount with dates
 * (invoice or payment) within DUPLICATE_WINDOW_DAYS of each other, unless the generator plants them.
 */
import type { Day } from './calendar.ts';

export const DUPLICATE_WINDOW_DAYS = 21;

/** Who was paid: a supplier entity id, or the redaction marker for personal payments; and the currency. */
export type Payment = { supplier: string; currency: string; net: bigint };

export class DuplicateGuard {
  /** supplier + currency → amount → [day, owner, day, owner, …]; compact, as it holds weeks of documents. */
  private readonly seen = new Map<string, Map<bigint, number[]>>();
  private nextOwner = 1;

  static samePayment(a: Payment, b: Payment): boolean {
    return a.supplier === b.supplier && a.currency === b.currency && a.net === b.net;
  }

  static close(a: readonly Day[], b: readonly Day[]): boolean {
    return a.some((dayA) => b.some((dayB) => Math.abs(dayA - dayB) <= DUPLICATE_WINDOW_DAYS));
  }

  /** True if an earlier document (other than `ignoreOwner`'s) looks like the same payment. */
  conflicts(payment: Payment, days: readonly Day[], ignoreOwner?: number): boolean {
    const earlier = this.seen.get(slot(payment))?.get(payment.net);
    if (!earlier) return false;
    for (let i = 0; i < earlier.length; i += 2) {
      if (earlier[i + 1] !== ignoreOwner && DuplicateGuard.close([earlier[i] as Day], days)) return true;
    }
    return false;
  }

  /** Remembers a payment; returns its owner id (pass one to file a new version under the same owner). */
  remember(payment: Payment, days: readonly Day[], owner = this.nextOwner++): number {
    let amounts = this.seen.get(slot(payment));
    if (!amounts) {
      amounts = new Map();
      this.seen.set(slot(payment), amounts);
    }
    const pairs = days.flatMap((day) => [day, owner]);
    const earlier = amounts.get(payment.net);
    amounts.set(payment.net, earlier ? earlier.concat(pairs) : pairs);
    return owner;
  }

  /** Drops what can no longer clash with documents dated on or after `day` (keeps memory bounded). */
  forgetBefore(day: Day): void {
    const cutoff = day - DUPLICATE_WINDOW_DAYS - 1;
    for (const [supplier, amounts] of this.seen) {
      for (const [net, entries] of amounts) {
        if (entries.every((value, i) => i % 2 === 1 || value < cutoff)) amounts.delete(net);
      }
      if (amounts.size === 0) this.seen.delete(supplier);
    }
  }
}

function slot(payment: Payment): string {
  return `${payment.supplier} ${payment.currency}`;
}
