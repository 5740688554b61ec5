/**
 * Waiting until an upload is in DuckDB, and checking it there: every message the upload sent is
 * a document of the upload in DuckDB (or was dead-lettered, which the check reports), and the
 * DuckDB net total for the upload equals the accepted net total, to the penny.
 */
import { UserError } from '../../lib/errors.ts';
import { parseDecimalPence } from './amounts.ts';
import type { IngestedTotals, UploadReport } from './report.ts';

export async function waitUntilIngested(
  uploadId: string,
  expectedMessages: number,
  read: () => Promise<IngestedTotals>,
  options: { timeoutMs: number; pollMs?: number; onProgress?: (ingested: number) => void },
): Promise<IngestedTotals> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const totals = await read();
    const done = totals.invoices + totals.purchaseOrders + totals.deadLettered;
    options.onProgress?.(done);
    if (done >= expectedMessages) return totals;
    if (Date.now() > deadline) {
      throw new UserError(
        'unavailable',
        `Upload ${uploadId}: ${done.toLocaleString('en-GB')} of ${expectedMessages.toLocaleString('en-GB')} documents were in DuckDB after ${Math.round(options.timeoutMs / 1000)} s. Is "spend ingest" (or "spend serve") running and keeping up?`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
  }
}

/** Whether DuckDB holds exactly what the upload accepted: same documents, same net total, nothing dead-lettered. */
export function ingestedAgrees(report: UploadReport, totals: IngestedTotals): boolean {
  const pence = (value: string) => parseDecimalPence(value) ?? 0n;
  const accepted = report.currencyTotals.reduce((sum, c) => sum + pence(c.netTotal), 0n);
  const inDuckDb = pence(totals.invoiceNetTotal) + pence(totals.purchaseOrderNetTotal);
  return (
    totals.deadLettered === 0 &&
    totals.invoices === report.messages.invoices &&
    totals.purchaseOrders === report.messages.purchaseOrders &&
    inDuckDb === accepted
  );
}
