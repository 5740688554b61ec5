/**
 * Rebalances under load. DuckDB has one writer per file, so the product scales inside the owner
 * (SPEND_INGEST_CONCURRENCY connections over the partitions it is assigned), never with a second
 * `spend ingest`; the group is the owner's. What can still happen to the group, each mid-ingest:
 *   1. another member joins (a careless tool, tests/faults/group-member.ts, that reads what it is
 *      assigned and commits it to Kafka, so Kafka's committed offsets run ahead of DuckDB's), then
 *      dies with kill -9: its partitions come back after the session timeout;
 *   2. another such member joins, and the owner is killed with kill -9 and started again while that
 *      member is still in the group;
 *   3. that member leaves cleanly (SIGTERM, LeaveGroup);
 *   4. the topic grows from 4 to 8 partitions and the rest is produced over all 8.
 * Then the database must hold every invoice exactly once, row for row: the owner reads from the
 * offsets stored in DuckDB, never from what another member committed, and finds new partitions.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../../ingest/schema-migrations.ts';
import { Database, queryRows } from '../../lib/db.ts';
import { manyInvoices, sendInvoices } from '../helpers/messages.ts';
import { createPipeline, type Pipeline } from '../helpers/pipeline.ts';
import { expectRowForRow, ingestedPast, say } from './support.ts';

const BODY = 'rebalance-council';
const INVOICES = 6000;
const RUN_TS = resolve(import.meta.dirname, '../../bin/run-ts.js');
const MEMBER = resolve(import.meta.dirname, 'group-member.ts');

type Member = {
  child: ChildProcess;
  /** Resolves once the member was assigned at least one partition. */
  joined: Promise<void>;
  /** Resolves once the member has read `n` messages in all. */
  consumed(n: number): Promise<number>;
  exited: Promise<NodeJS.Signals | number | null>;
};

function startMember(pipeline: Pipeline): Member {
  const child = spawn(
    process.execPath,
    [
      RUN_TS,
      MEMBER,
      pipeline.config.kafkaBrokers.join(','),
      pipeline.config.consumerGroup,
      pipeline.config.topics.invoices,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<NodeJS.Signals | number | null>((r) =>
    child.on('exit', (code, signal) => r(signal ?? code)),
  );
  let total = 0;
  const waiting: { n: number; resolve: (total: number) => void }[] = [];
  let onJoined: () => void = () => undefined;
  const joined = new Promise<void>((r) => {
    onJoined = r;
  });
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    const event = JSON.parse(line) as { joined?: Record<string, number[]>; consumed?: number };
    if (event.joined && Object.values(event.joined).some((partitions) => partitions.length > 0)) onJoined();
    if (event.consumed !== undefined) {
      total = event.consumed;
      for (const w of waiting.filter((w) => total >= w.n)) w.resolve(total);
    }
  });
  return {
    child,
    joined: Promise.race([
      joined,
      exited.then((how) => Promise.reject(new Error(`group member exited: ${how}`))),
    ]),
    consumed: (n) =>
      total >= n ? Promise.resolve(total) : new Promise((resolve) => waiting.push({ n, resolve })),
    exited,
  };
}

async function partitionsUsed(dbPath: string): Promise<number> {
  const db = await Database.open({ path: dbPath, migrationsDir: MIGRATIONS_DIR });
  try {
    const [row] = await db.withConnection((conn) =>
      queryRows<{ n: number }>(conn, 'select count(distinct kafka_partition)::integer as n from invoices'),
    );
    return row?.n ?? 0;
  } finally {
    db.close();
  }
}

describe('rebalances under load', () => {
  it('ingests everything exactly once through members joining, dying and leaving, an owner restart and new partitions', async ({
    task,
  }) => {
    const FAULTS = 4;
    task.meta.faults = { tried: FAULTS, survived: 0 };
    const pipeline = await createPipeline({
      KAFKA_MAX_BYTES_PER_PARTITION: '16384',
      SPEND_INGEST_FLUSH_DOCUMENTS: '300',
      TRANSFORMS_CRON: '0 0 1 1 *',
    });
    const added = await pipeline.cli([
      'bodies',
      'add',
      BODY,
      '--name',
      'Rebalance Council',
      '--joined',
      '2023-04-01',
    ]);
    expect(added.code, added.stderr).toBe(0);
    const invoices = manyInvoices(BODY, INVOICES);
    const producer = await pipeline.producer();
    const produce = (from: number, to: number) =>
      sendInvoices(producer, pipeline.config.topics.invoices, invoices, { from, to, chunk: 250 });
    const ingested = async () => (await pipeline.stats()).bodies[0]?.invoices ?? 0;

    await produce(0, 1000);
    let owner = pipeline.startOwner('serve');
    await owner.ready();
    await ingestedPast(pipeline, 0);

    // 1. A member joins under load, reads and commits, and dies.
    const first = startMember(pipeline);
    await first.joined;
    await produce(1000, 2000);
    const read1 = await first.consumed(1);
    first.child.kill('SIGKILL');
    await first.exited;
    say(
      `1: a member joined, read and committed ${read1} messages, and was killed; ${await ingested()} of 2000 in`,
    );
    task.meta.faults = { tried: FAULTS, survived: 1 };

    // 2. Another member joins; the owner is killed and started again while it is in the group.
    const second = startMember(pipeline);
    await second.joined;
    await produce(2000, 3000);
    await second.consumed(1);
    owner.child.kill('SIGKILL');
    await owner.exited;
    owner = pipeline.startOwner('serve');
    await owner.ready();
    await produce(3000, 4000);
    const before = await ingested();
    await ingestedPast(pipeline, before);
    say(`2: the owner was killed and started again beside another member; ${await ingested()} of 4000 in`);
    task.meta.faults = { tried: FAULTS, survived: 2 };

    // 3. That member leaves cleanly.
    const read2 = await second.consumed(1);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    say(`3: the other member, having read and committed ${read2} messages, left the group`);
    task.meta.faults = { tried: FAULTS, survived: 3 };

    // 4. The topic grows to 8 partitions mid-ingest; the rest goes over all 8.
    const admin = pipeline.kafka.admin();
    await admin.connect();
    try {
      await admin.createPartitions({
        topicPartitions: [{ topic: pipeline.config.topics.invoices, count: 8 }],
      });
    } finally {
      await admin.disconnect();
    }
    // A new producer: one connected before would keep writing to 4 partitions until its metadata ages.
    const grown = await pipeline.producer();
    await sendInvoices(grown, pipeline.config.topics.invoices, invoices, {
      from: 4000,
      to: INVOICES,
      chunk: 250,
    });
    await pipeline.waitUntilIngested(240_000);
    owner.child.kill('SIGTERM');
    expect(await owner.exited).toEqual({ code: 0, signal: null });
    expect(await expectRowForRow(pipeline.config.dbPath, invoices)).toBe(INVOICES);
    const partitions = await partitionsUsed(pipeline.config.dbPath);
    expect(partitions, 'invoices from the added partitions').toBe(8);
    say(
      `4: partitions 4 → 8; all ${INVOICES} invoices in exactly once, row for row, from ${partitions} partitions`,
    );
    task.meta.faults = { tried: FAULTS, survived: FAULTS };
  });
});
