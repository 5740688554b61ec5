/**
 * When ingest gives up. A failed flush is retried by reading its batches again after a rejoin;
 * that recovers from a passing fault (a broker restart, a full disk freed), but a fault that
 * stays would loop for ever, re-reading and failing at full CPU. So: wait longer after each
 * failure in a row, and after MAX_CONSECUTIVE_FAILURES end the process with a non-zero exit
 * and a clear message, for a supervisor to restart and a person to see. A kafkajs consumer
 * crash it will not restart from (a non-retriable error) ends the process at once.
 */

export const MAX_CONSECUTIVE_FAILURES = 5;
const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;

/** Ingest cannot go on; the owning process exits non-zero with this message. */
export class FatalIngestError extends Error {
  override name = 'FatalIngestError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** What a person can do about the usual lasting faults; the exactly-once write makes a restart safe. */
function adviceFor(error: Error): string {
  if (/No space left on device|ENOSPC|disk is full/i.test(error.message)) {
    return '. The disk holding the database is full: free space and start again; nothing written is lost, the rest is read again from Kafka.';
  }
  return '';
}

export class FailurePolicy {
  private consecutive = 0;

  constructor(private readonly maxConsecutive = MAX_CONSECUTIVE_FAILURES) {}

  get failuresInARow(): number {
    return this.consecutive;
  }

  succeeded(): void {
    this.consecutive = 0;
  }

  /** Records a failed flush; returns the fatal error once there have been too many in a row. */
  failed(error: Error): FatalIngestError | undefined {
    this.consecutive++;
    if (this.consecutive < this.maxConsecutive) return undefined;
    return new FatalIngestError(
      `ingest stopped: ${this.consecutive} writes in a row failed, the last with: ${error.message}${adviceFor(error)}`,
      { cause: error },
    );
  }

  /** How long to wait before reading again after the failures so far (doubling, capped). */
  backoffMs(): number {
    if (this.consecutive === 0) return 0;
    return Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (this.consecutive - 1));
  }
}
