/**
 * The pipeline's Prometheus metrics beside the HTTP ones (api/app.ts): what ingest has taken in,
 * how far each partition lags, the dead letters waiting for replay, transform runs' durations, and
 * the answer cache. Ingest figures are read when /metrics is scraped, from the source that already
 * knows them (the ingest service's progress, consumer lag from Kafka and DuckDB, dead letters from
 * DuckDB); transform runs are observed as they finish (lib/transform-events.ts).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { queryRows } from '../lib/db.ts';
import { onFinishedRun } from '../lib/transform-events.ts';
import type { CacheOutcome } from './cache.ts';
import type { ApiContext } from './context.ts';

/** Transform models take from milliseconds (small marts) to minutes (a full refresh of 10M lines). */
const SECONDS_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

/** The ingest service's progress fields counted as messages, by outcome. */
const MESSAGE_OUTCOMES = {
  accepted: 'accepted',
  retracted: 'retracted',
  rejected: 'rejected',
  alreadyIngested: 'redelivered',
} as const;

export function registerPipelineMetrics(
  registry: Registry,
  context: Pick<ApiContext, 'db' | 'log' | 'ingestStatus' | 'consumerLag'>,
): { cacheOutcome(outcome: CacheOutcome): void; close(): void } {
  // The ingest service counts since it started; the counters follow its totals at each scrape.
  new Counter({
    name: 'spend_ingest_messages_total',
    help: 'Kafka messages the ingest service has staged for DuckDB since it started, by outcome',
    labelNames: ['outcome'],
    registers: [registry],
    async collect() {
      const status = await context.ingestStatus();
      this.reset();
      for (const [field, outcome] of Object.entries(MESSAGE_OUTCOMES)) {
        const value = status[field];
        if (typeof value === 'number') this.inc({ outcome }, value);
      }
    },
  });
  new Counter({
    name: 'spend_ingest_invoice_lines_total',
    help: 'Invoice and order lines of the accepted messages since the ingest service started',
    registers: [registry],
    async collect() {
      const status = await context.ingestStatus();
      this.reset();
      if (typeof status.lines === 'number') this.inc(status.lines);
    },
  });
  new Gauge({
    name: 'spend_ingest_consumer_lag_messages',
    help: "Messages on each partition past the offset stored in DuckDB (the topic's end minus the stored offset)",
    labelNames: ['topic', 'partition'],
    registers: [registry],
    async collect() {
      this.reset();
      if (!context.consumerLag) return;
      try {
        for (const row of await context.consumerLag()) {
          this.set({ topic: row.topic, partition: String(row.partition) }, Number(row.behind));
        }
      } catch (error) {
        // the broker is down: no lag figures this scrape (readyz says why)
        context.log.warn({ err: error }, 'metrics: consumer lag unavailable');
      }
    },
  });

  new Gauge({
    name: 'spend_dead_letters',
    help: 'Rejected messages kept in DuckDB and not yet replayed, by reason (spend dead-letters list)',
    labelNames: ['reason'],
    registers: [registry],
    async collect() {
      const rows = await context.db.withConnection((conn) =>
        queryRows<{ reason: string; n: number }>(
          conn,
          'select reason_code as reason, count(*)::integer as n from rejected_messages where replayed_at is null group by 1',
        ),
      );
      this.reset();
      for (const row of rows) this.set({ reason: row.reason }, row.n);
    },
  });

  const modelSeconds = new Histogram({
    name: 'spend_transform_model_duration_seconds',
    help: 'How long each model of a transform run took, by model, status and mode',
    labelNames: ['model', 'status', 'mode'],
    buckets: SECONDS_BUCKETS,
    registers: [registry],
  });
  const runSeconds = new Histogram({
    name: 'spend_transform_run_duration_seconds',
    help: 'Wall time of whole transform runs (scheduled, API or CLI through this process), by outcome',
    labelNames: ['outcome'],
    buckets: SECONDS_BUCKETS,
    registers: [registry],
  });
  const lastRun = new Gauge({
    name: 'spend_transform_last_run_id',
    help: 'The latest transform run this process finished',
    registers: [registry],
  });
  const unsubscribe = onFinishedRun(context.db, (run) => {
    const failed = run.models.some((m) => m.status !== 'success');
    runSeconds.observe({ outcome: failed ? 'failed' : 'success' }, run.durationMs / 1000);
    for (const m of run.models) {
      modelSeconds.observe({ model: m.model, status: m.status, mode: m.mode }, m.durationMs / 1000);
    }
    lastRun.set(run.runId);
  });

  const cache = new Counter({
    name: 'spend_api_cache_answers_total',
    help: 'Read answers over the marts by cache outcome: hit, miss, not-modified (304)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  return { cacheOutcome: (outcome) => cache.inc({ outcome }), close: unsubscribe };
}
