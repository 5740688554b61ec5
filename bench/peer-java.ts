/**
 * Peer A: Kafka's own consumer benchmark, org.apache.kafka.tools.ConsumerPerformance, run from the
 * cached Kafka jars with a fresh group. It is the ceiling: the Java client, reading and counting
 * records without looking at them. Its summary line gives two rates: nMsg.sec over the whole run
 * (group join included) and fetch.nMsg.sec over the fetching only (join excluded).
 */
import { join } from 'node:path';
import { ensureKafkaJars } from '../kafka-local/broker.ts';
import { expectCleanExit, otherCpuSeconds, spawnMeasured, withTicker } from './child.ts';

export type ConsumerPerfResult = {
  messages: number;
  mb: number;
  /** Whole run as the tool measures it: subscribe, group join, fetching. */
  totalMs: number;
  rebalanceMs: number;
  /** Fetching only (totalMs minus the group join). */
  fetchMs: number;
  /** Spawn of the JVM to its exit, measured here. */
  wallMs: number;
  peakRssBytes: number;
  cpuSeconds: number;
  otherCpuSeconds: number;
  raw: string;
};

export async function runConsumerPerformance(options: {
  brokers: string[];
  topic: string;
  group: string;
  messages: number;
}): Promise<ConsumerPerfResult> {
  const { libDir } = await ensureKafkaJars();
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const args = [
    '-Xmx512m',
    '-cp',
    join(libDir, '*'),
    'org.apache.kafka.tools.ConsumerPerformance',
    '--bootstrap-server',
    options.brokers.join(','),
    '--topic',
    options.topic,
    '--messages',
    String(options.messages),
    '--group',
    options.group,
    '--timeout',
    '60000',
  ];
  const run = spawnMeasured(java, args, process.env);
  const exitedAt = await withTicker(
    expectCleanExit(run, 'ConsumerPerformance'),
    5000,
    () => `ConsumerPerformance running for ${((performance.now() - run.spawnedAt) / 1000).toFixed(0)} s`,
  );
  const summary = parseSummary(run.stdout());
  return {
    ...summary,
    wallMs: exitedAt - run.spawnedAt,
    peakRssBytes: run.peakRssBytes(),
    cpuSeconds: run.cpuSeconds(),
    otherCpuSeconds: otherCpuSeconds(run),
    raw: run.stdout().trim(),
  };
}

/**
 * The tool prints a CSV-ish header and one line of values:
 * start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec,
 * rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
 */
export function parseSummary(
  stdout: string,
): Pick<ConsumerPerfResult, 'messages' | 'mb' | 'totalMs' | 'rebalanceMs' | 'fetchMs'> {
  const lines = stdout.split('\n').map((line) => line.trim());
  const headerAt = lines.findIndex((line) => line.includes('nMsg.sec'));
  const header = lines[headerAt]?.split(',').map((h) => h.trim());
  const values = lines[headerAt + 1]?.split(',').map((v) => v.trim());
  if (headerAt < 0 || !header || !values || values.length !== header.length) {
    throw new Error(`could not read ConsumerPerformance's summary from:\n${stdout}`);
  }
  const field = (name: string): number => {
    const value = Number(values[header.indexOf(name)]);
    if (!Number.isFinite(value))
      throw new Error(`ConsumerPerformance printed no number for ${name}:\n${stdout}`);
    return value;
  };
  const messages = field('data.consumed.in.nMsg');
  const mb = field('data.consumed.in.MB');
  const rebalanceMs = field('rebalance.time.ms');
  const fetchMs = field('fetch.time.ms');
  // start.time/end.time are timestamps; the whole-run time follows from the MB and MB.sec columns.
  const totalMs = (mb / field('MB.sec')) * 1000;
  return { messages, mb, totalMs, rebalanceMs, fetchMs };
}
