/**
 * Configuration, read once at start-up from the environment and validated with zod.
 * No other module reads process.env: commands call loadConfig() and pass the result down.
 * Every variable is documented in .env.example (a test keeps the two in step).
 */
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { type SpendTopics, TOPIC_LAYOUTS, type TopicLayout } from './topics.ts';

/** The repository's root folder (this file is lib/config.ts). */
const REPO_ROOT = resolve(import.meta.dirname, '..');

/** The code lists shipped with the product (reference/SOURCES.md gives their origin and licence). */
export const REFERENCE_CODELISTS_DIR = join(REPO_ROOT, 'reference', 'codelists');
/** The local authority register, the resolver's identifier source for councils (reference/SOURCES.md). */
export const REFERENCE_REGISTERS_DIR = join(REPO_ROOT, 'reference', 'registers');

/** Our own seeds (transforms/seeds/): reference data shipped in the repository, read through DuckDB. */
export const OWN_SEEDS_DIR = resolve(REPO_ROOT, 'transforms', 'seeds');

/** UN/ECE Rec 20 units and the free-text forms that mean them (reference/SOURCES.md). */
export const REFERENCE_UNITS_DIR = join(REPO_ROOT, 'reference', 'units');

/** Where the project's own local broker listens (see kafka-local/). */
export const LOCAL_KAFKA_BOOTSTRAP = '127.0.0.1:19092';

/** SASL mechanisms the Kafka client speaks (kafkajs' names). */
export const SASL_MECHANISMS = ['scram-sha-256', 'scram-sha-512', 'plain'] as const;

/** How the client authenticates to Kafka: SASL credentials and/or TLS (none: plaintext, no login). */
export type KafkaAuth = {
  sasl?: { mechanism: (typeof SASL_MECHANISMS)[number]; username: string; password: string };
  /** TLS to the brokers; `ca` (PEM) when their certificate is not signed by a public CA. */
  tls?: { ca?: string };
};

/** The places where a test may deliberately crash the ingest process (see docs/reliability.md). */
export const CRASH_POINTS = [
  'after-validate',
  'after-stage',
  'after-append',
  'before-duckdb-commit',
  'after-duckdb-commit',
  'after-kafka-commit',
] as const;
/**
 * Crash points of a transform run (transforms/runner.ts): after a model's transaction committed
 * and before its run is recorded; in an incremental model's merge, between its delete and its
 * insert; after every model, before the run is recorded as finished. SPEND_CRASH_AFTER_BATCHES
 * counts how often the point was reached (the N-th model, the N-th merge).
 */
export const TRANSFORM_CRASH_POINTS = [
  'transform-after-model',
  'transform-mid-merge',
  'transform-before-run-recorded',
] as const;
/**
 * Crash points of an upload (ingest/uploads/upload.ts), in the process that reads the file
 * (`spend upload`, or `spend serve` for an HTTP upload): once the upload is recorded as begun,
 * after the N-th batch of messages the broker acknowledged, and once everything is sent but
 * before the report is stored.
 */
export const UPLOAD_CRASH_POINTS = [
  'upload-after-begin',
  'upload-after-send',
  'upload-before-finish',
] as const;
export type CrashPoint =
  | (typeof CRASH_POINTS)[number]
  | (typeof TRANSFORM_CRASH_POINTS)[number]
  | (typeof UPLOAD_CRASH_POINTS)[number];

const topicName = z
  .string()
  .regex(/^[a-zA-Z0-9._-]{1,249}$/, 'a Kafka topic name: letters, digits, ".", "_" or "-"');

const positiveInt = z.coerce.number().int().positive();

/** An optional variable: unset and empty (as in .env.example) both mean "not set". */
const optionalText = z
  .string()
  .optional()
  .transform((value) => (value?.trim() ? value : undefined));

const SIZE = /^(\d+(?:\.\d+)?)\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i;
const UNIT_BYTES: Record<string, number> = {
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};
/** A size as DuckDB spells it ("1GB", "512MiB") in bytes. */
export function sizeInBytes(size: string): number {
  const match = SIZE.exec(size.trim());
  if (!match) throw new Error(`not a size: ${size}`);
  return Number(match[1]) * (UNIT_BYTES[(match[2] as string).toLowerCase()] as number);
}
const duckdbSize = z.string().regex(SIZE, 'a size such as "1GB" or "512MiB"');
// 64MiB: the small memory profile's limit, with flushes of 8 MiB (DuckDB spills past it).
const MIN_MEMORY_LIMIT_BYTES = 64 * 2 ** 20;

/**
 * SPEND_MEMORY_PROFILE: settings a profile gives when the environment does not set them.
 * `small` is for an ingest-only process (`spend ingest`) where memory matters: it kept the peak
 * RSS of 1M messages under 400 MiB for about twice the CPU time, since flushes under a row group
 * go through DuckDB's write-ahead log (BENCHMARKS.md, "Ingest memory"). Not for `spend serve`:
 * the transforms need far more than 64MiB at scale.
 */
export const MEMORY_PROFILES = {
  default: {},
  small: {
    DUCKDB_MEMORY_LIMIT: '64MiB',
    SPEND_INGEST_FLUSH_BYTES: String(8 * 2 ** 20),
    KAFKA_MAX_BYTES_PER_PARTITION: String(512 * 1024),
  },
} as const satisfies Record<string, Record<string, string>>;
const memoryProfile = z
  .enum(Object.keys(MEMORY_PROFILES) as [keyof typeof MEMORY_PROFILES])
  .default('default');

const envSchema = z.object({
  SPEND_MEMORY_PROFILE: z.preprocess((value) => (value === '' ? undefined : value), memoryProfile),
  KAFKA_BROKERS: z
    .string()
    .optional()
    .transform((value) => (value?.trim() ? value : undefined))
    .pipe(
      z
        .string()
        .regex(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, 'a comma-separated list of host:port')
        .optional(),
    ),
  KAFKA_CLIENT_ID: z.string().min(1).default('collective-spend'),
  KAFKA_SASL_MECHANISM: optionalText.pipe(z.enum(SASL_MECHANISMS).optional()),
  KAFKA_SASL_USERNAME: optionalText,
  KAFKA_SASL_PASSWORD: optionalText,
  KAFKA_SASL_PASSWORD_FILE: optionalText,
  KAFKA_TLS: z.enum(['true', 'false', '']).default('false'),
  KAFKA_TLS_CA_FILE: optionalText,
  KAFKA_ADMIN_SASL_USERNAME: optionalText,
  KAFKA_ADMIN_SASL_PASSWORD_FILE: optionalText,
  KAFKA_SESSION_TIMEOUT_MS: positiveInt.min(1000).default(6000),
  KAFKA_MAX_BYTES_PER_PARTITION: positiveInt.default(4 * 1024 * 1024),
  SPEND_TOPIC_INVOICES: topicName.default('spend.invoices.v1'),
  SPEND_TOPIC_PURCHASE_ORDERS: topicName.default('spend.purchase-orders.v1'),
  SPEND_TOPIC_DEAD_LETTER: topicName.default('spend.dead-letter.v1'),
  SPEND_TOPIC_PARTITIONS: positiveInt.max(64).default(4),
  SPEND_TOPIC_LAYOUT: z.enum(TOPIC_LAYOUTS).default('shared'),
  SPEND_TOPIC_REFRESH_MS: positiveInt.min(1000).default(30_000),
  SPEND_CONSUMER_GROUP: z.string().min(1).default('spend-ingest'),
  SPEND_DB: z.string().min(1).default('./data/spend.duckdb'),
  SPEND_SOCKET: z.string().min(1).optional(),
  DUCKDB_MEMORY_LIMIT: duckdbSize
    .default('1GB')
    .refine(
      (size) => !SIZE.test(size) || sizeInBytes(size) >= MIN_MEMORY_LIMIT_BYTES,
      'at least 64MiB: ingest stages whole batches in memory',
    )
    .refine(
      (size) => !SIZE.test(size) || sizeInBytes(size) <= totalmem(),
      `at most this machine's memory (${Math.floor(totalmem() / 2 ** 20)} MiB)`,
    ),
  // DuckDB spills to <file>.tmp past its memory limit; by default it may fill the whole disk.
  DUCKDB_MAX_TEMP_DIRECTORY_SIZE: duckdbSize.default('10GiB'),
  DUCKDB_THREADS: positiveInt.max(256).default(2),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  API_QUERY_TIMEOUT_MS: positiveInt.min(100).default(30_000),
  API_RATE_LIMIT_PER_MINUTE: positiveInt.default(600),
  API_MAX_UPLOAD_BYTES: positiveInt.default(512 * 1024 * 1024),
  // DuckDB queries the API runs at once; more requests wait their turn (api/query-gate.ts)
  API_MAX_CONCURRENT_QUERIES: positiveInt.max(64).default(4),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRANSFORMS_CRON: z.string().min(1).default('*/15 * * * *'),
  SPEND_CODELISTS_DIR: z
    .string()
    .optional()
    .transform((value) => (value?.trim() ? value : undefined)),
  SPEND_BACKUP_DIR: z
    .string()
    .optional()
    .transform((value) => (value?.trim() ? value : undefined)),
  SPEND_SQL_TIMEOUT_MS: positiveInt.default(30_000),
  SPEND_SQL_MAX_RESULT_BYTES: positiveInt.default(64 * 1024 * 1024),
  SPEND_CONTROL_MAX_REQUEST_CHARS: positiveInt.default(64 * 1024 * 1024),
  SPEND_CONTROL_MAX_REQUESTS: positiveInt.default(16),
  SPEND_INGEST_CONCURRENCY: positiveInt.max(16).default(2),
  // One DuckDB row group: a flush this large is written straight to the file, not to the log.
  SPEND_INGEST_FLUSH_DOCUMENTS: positiveInt.default(122_880),
  SPEND_INGEST_FLUSH_MS: positiveInt.default(15_000),
  // Staged JSON costs memory whatever the document count: large documents flush sooner.
  SPEND_INGEST_FLUSH_BYTES: positiveInt.default(128 * 1024 * 1024),
  SPEND_INGEST_CHECKPOINT_WAL_BYTES: positiveInt.default(32 * 1024 * 1024),
  // What an uploaded file may make the reader do (ingest/uploads/upload-contract.ts).
  SPEND_UPLOAD_MAX_LINE_CHARS: positiveInt.default(1024 * 1024),
  SPEND_UPLOAD_MAX_ROWS: positiveInt.default(5_000_000),
  SPEND_UPLOAD_MAX_WORKBOOK_BYTES: positiveInt.default(100 * 1024 * 1024),
  SPEND_UPLOAD_MAX_UNPACKED_BYTES: positiveInt.default(1024 * 1024 * 1024),
  SPEND_UPLOAD_MAX_UNPACK_RATIO: positiveInt.default(100),
  SPEND_UPLOAD_MAX_XML_BYTES: positiveInt.default(20 * 1024 * 1024),
  SPEND_CRASH_AT: z.enum([...CRASH_POINTS, ...TRANSFORM_CRASH_POINTS, ...UPLOAD_CRASH_POINTS]).optional(),
  SPEND_CRASH_AFTER_BATCHES: z.coerce.number().int().min(0).default(3),
  SPEND_CRASH_MODE: z.enum(['kill', 'fail']).default('kill'),
});

/** Every environment variable the configuration reads (a test keeps .env.example in step). */
export const CONFIG_VARIABLES = Object.keys(envSchema.shape);

export type Config = {
  kafkaBrokers: string[];
  /** True when KAFKA_BROKERS was not set and the project's local broker is meant. */
  usesLocalBroker: boolean;
  kafkaClientId: string;
  /** Credentials and TLS for every Kafka client the product makes (see docs/kafka.md). */
  kafkaAuth: KafkaAuth;
  /**
   * The Kafka admin principal's login (KAFKA_ADMIN_SASL_*), when configured: it creates the
   * per-body topics and ACLs (`spend kafka provision`, `spend bodies add`). Same mechanism and TLS.
   */
  kafkaAdminAuth: KafkaAuth | undefined;
  sessionTimeoutMs: number;
  maxBytesPerPartition: number;
  topics: SpendTopics;
  topicPartitions: number;
  /** `shared` topics for every body, or a topic pair per body written by that body alone (lib/topics.ts). */
  topicLayout: TopicLayout;
  /** per-body layout: how often the ingest consumer looks for new bodies' topics (ms). */
  topicRefreshMs: number;
  consumerGroup: string;
  dbPath: string;
  socketPath: string;
  duckdb: {
    memoryLimit: string;
    /** The most DuckDB may spill to its temp folder (<file>.tmp) past the memory limit. */
    maxTempDirectorySize: string;
    threads: number;
    /** The only folders DuckDB may read or write files in, besides the database's own files. */
    allowedDirectories: string[];
  };
  host: string;
  port: number;
  /** The HTTP API's limits: every query interrupted after this long, requests per key per minute, upload size. */
  api: {
    queryTimeoutMs: number;
    rateLimitPerMinute: number;
    maxUploadBytes: number;
    maxConcurrentQueries: number;
  };
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  transformsCron: string;
  /** Where the CPV and ProClass code lists are read from at run time (default: reference/codelists). */
  codelistsDir: string;
  /** Where `spend backup` writes its exports (one folder per backup). */
  backupDir: string;
  /** Bounds on an analyst's `spend sql` / `spend query`: DuckDB interrupts it past the time. */
  userSql: { timeoutMs: number; maxResultBytes: number };
  /** Bounds on the owner's control socket: longest request line, requests running at once. */
  control: { maxRequestChars: number; maxConcurrentRequests: number };
  /** DuckDB connections of the ingest service: one stages batches while another flushes. */
  ingestConcurrency: number;
  /** Staged batches are flushed in one transaction once they hold this many documents, or a
   * batch reaches its partition's end… */
  ingestFlushDocuments: number;
  /** …or once the oldest staged batch is this old (ms), whichever comes first. */
  ingestFlushMs: number;
  /** …or once the staged documents' JSON holds this many bytes (bounds memory for large documents). */
  ingestFlushBytes: number;
  /** Checkpoint explicitly once the write-ahead log passes this many bytes. */
  ingestCheckpointWalBytes: number;
  /** What an uploaded file may make the reader do; a refusal names the variable it hit. */
  uploadLimits: {
    maxLineChars: number;
    maxRows: number;
    maxWorkbookBytes: number;
    maxUnpackedBytes: number;
    maxUnpackRatio: number;
    maxXmlBytes: number;
  };
  /**
   * Test-only: crash at this point once this many batches have been written (ingest points) or
   * once it was reached this many times (transform and upload points).
   */
  crashAt: CrashPoint | undefined;
  crashAfterBatches: number;
  /** Test-only: kill the process there, or throw once (a failed write the service must recover from). */
  crashMode: 'kill' | 'fail';
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(givenEnv: NodeJS.ProcessEnv = process.env): Config {
  // A memory profile fills in what the environment leaves unset; an unknown one is refused below.
  const profile = memoryProfile.safeParse(givenEnv.SPEND_MEMORY_PROFILE || undefined);
  const env: NodeJS.ProcessEnv = { ...(profile.success ? MEMORY_PROFILES[profile.data] : {}), ...givenEnv };
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? '?');
      return `  ${variable}=${JSON.stringify(env[variable] ?? '')}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration (see .env.example):\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dbPath = resolve(e.SPEND_DB);
  // The code lists ship with the product (reference/SOURCES.md); a user may point elsewhere.
  const codelistsDir = e.SPEND_CODELISTS_DIR ? resolve(e.SPEND_CODELISTS_DIR) : REFERENCE_CODELISTS_DIR;
  const backupDir = resolve(e.SPEND_BACKUP_DIR ?? join(dirname(dbPath), 'backups'));
  const auth = kafkaAuth(e, (e.KAFKA_BROKERS ?? LOCAL_KAFKA_BOOTSTRAP).split(','));
  return {
    kafkaBrokers: (e.KAFKA_BROKERS ?? LOCAL_KAFKA_BOOTSTRAP).split(','),
    usesLocalBroker: e.KAFKA_BROKERS === undefined,
    kafkaClientId: e.KAFKA_CLIENT_ID,
    kafkaAuth: auth,
    kafkaAdminAuth: kafkaAdminAuth(e, auth),
    sessionTimeoutMs: e.KAFKA_SESSION_TIMEOUT_MS,
    maxBytesPerPartition: e.KAFKA_MAX_BYTES_PER_PARTITION,
    topics: {
      invoices: e.SPEND_TOPIC_INVOICES,
      purchaseOrders: e.SPEND_TOPIC_PURCHASE_ORDERS,
      deadLetter: e.SPEND_TOPIC_DEAD_LETTER,
    },
    topicPartitions: e.SPEND_TOPIC_PARTITIONS,
    topicLayout: e.SPEND_TOPIC_LAYOUT,
    topicRefreshMs: e.SPEND_TOPIC_REFRESH_MS,
    consumerGroup: e.SPEND_CONSUMER_GROUP,
    dbPath,
    // The owner's control socket sits beside the database file it owns.
    socketPath: resolve(e.SPEND_SOCKET ?? join(dirname(dbPath), `${basename(dbPath)}.sock`)),
    duckdb: {
      memoryLimit: e.DUCKDB_MEMORY_LIMIT,
      maxTempDirectorySize: e.DUCKDB_MAX_TEMP_DIRECTORY_SIZE,
      threads: e.DUCKDB_THREADS,
      allowedDirectories: [codelistsDir, OWN_SEEDS_DIR, REFERENCE_UNITS_DIR, backupDir],
    },
    host: e.HOST,
    port: e.PORT,
    api: {
      queryTimeoutMs: e.API_QUERY_TIMEOUT_MS,
      rateLimitPerMinute: e.API_RATE_LIMIT_PER_MINUTE,
      maxUploadBytes: e.API_MAX_UPLOAD_BYTES,
      maxConcurrentQueries: e.API_MAX_CONCURRENT_QUERIES,
    },
    logLevel: e.LOG_LEVEL,
    transformsCron: e.TRANSFORMS_CRON,
    codelistsDir,
    backupDir,
    userSql: { timeoutMs: e.SPEND_SQL_TIMEOUT_MS, maxResultBytes: e.SPEND_SQL_MAX_RESULT_BYTES },
    control: {
      maxRequestChars: e.SPEND_CONTROL_MAX_REQUEST_CHARS,
      maxConcurrentRequests: e.SPEND_CONTROL_MAX_REQUESTS,
    },
    ingestConcurrency: e.SPEND_INGEST_CONCURRENCY,
    ingestFlushDocuments: e.SPEND_INGEST_FLUSH_DOCUMENTS,
    ingestFlushMs: e.SPEND_INGEST_FLUSH_MS,
    ingestFlushBytes: e.SPEND_INGEST_FLUSH_BYTES,
    ingestCheckpointWalBytes: e.SPEND_INGEST_CHECKPOINT_WAL_BYTES,
    uploadLimits: {
      maxLineChars: e.SPEND_UPLOAD_MAX_LINE_CHARS,
      maxRows: e.SPEND_UPLOAD_MAX_ROWS,
      maxWorkbookBytes: e.SPEND_UPLOAD_MAX_WORKBOOK_BYTES,
      maxUnpackedBytes: e.SPEND_UPLOAD_MAX_UNPACKED_BYTES,
      maxUnpackRatio: e.SPEND_UPLOAD_MAX_UNPACK_RATIO,
      maxXmlBytes: e.SPEND_UPLOAD_MAX_XML_BYTES,
    },
    crashAt: e.SPEND_CRASH_AT,
    crashAfterBatches: e.SPEND_CRASH_AFTER_BATCHES,
    crashMode: e.SPEND_CRASH_MODE,
  };
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]|::1)$/;

/**
 * The Kafka credentials, checked together: a mechanism needs a user and exactly one of a password
 * and a password file (read now, once); SASL without TLS sends the password in clear, so it is
 * allowed only to brokers on this machine.
 */
function kafkaAuth(e: z.infer<typeof envSchema>, brokers: string[]): KafkaAuth {
  const problems: string[] = [];
  const tls =
    e.KAFKA_TLS === 'true'
      ? {
          ...(e.KAFKA_TLS_CA_FILE
            ? { ca: readSecret(e.KAFKA_TLS_CA_FILE, 'KAFKA_TLS_CA_FILE', problems) }
            : {}),
        }
      : undefined;
  if (!tls && e.KAFKA_TLS_CA_FILE) problems.push('KAFKA_TLS_CA_FILE is set but KAFKA_TLS is not "true"');
  let sasl: KafkaAuth['sasl'];
  const mechanism = e.KAFKA_SASL_MECHANISM;
  if (mechanism) {
    if (!e.KAFKA_SASL_USERNAME) problems.push(`KAFKA_SASL_MECHANISM=${mechanism} needs KAFKA_SASL_USERNAME`);
    if (Boolean(e.KAFKA_SASL_PASSWORD) === Boolean(e.KAFKA_SASL_PASSWORD_FILE)) {
      problems.push(
        'KAFKA_SASL_MECHANISM needs exactly one of KAFKA_SASL_PASSWORD and KAFKA_SASL_PASSWORD_FILE',
      );
    }
    const password = e.KAFKA_SASL_PASSWORD_FILE
      ? readSecret(e.KAFKA_SASL_PASSWORD_FILE, 'KAFKA_SASL_PASSWORD_FILE', problems).replace(/\r?\n$/, '')
      : (e.KAFKA_SASL_PASSWORD ?? '');
    sasl = { mechanism, username: e.KAFKA_SASL_USERNAME ?? '', password };
    const remote = brokers.filter((broker) => !LOOPBACK.test(broker.slice(0, broker.lastIndexOf(':'))));
    if (!tls && remote.length > 0) {
      problems.push(
        `SASL without TLS would send the password in clear to ${remote.join(',')}: set KAFKA_TLS=true (plaintext SASL is for brokers on this machine only)`,
      );
    }
  } else if (e.KAFKA_SASL_USERNAME || e.KAFKA_SASL_PASSWORD || e.KAFKA_SASL_PASSWORD_FILE) {
    problems.push('KAFKA_SASL_USERNAME/PASSWORD are set but KAFKA_SASL_MECHANISM is not');
  }
  if (problems.length > 0) {
    throw new ConfigError(
      `Invalid Kafka authentication (see .env.example and docs/kafka.md):\n  ${problems.join('\n  ')}`,
    );
  }
  return { ...(sasl ? { sasl } : {}), ...(tls ? { tls } : {}) };
}

/**
 * The admin principal's login: its own user and password file, the client's mechanism and TLS
 * (the same brokers, so the same rule about passwords in clear has already been applied).
 */
function kafkaAdminAuth(e: z.infer<typeof envSchema>, client: KafkaAuth): KafkaAuth | undefined {
  const user = e.KAFKA_ADMIN_SASL_USERNAME;
  const file = e.KAFKA_ADMIN_SASL_PASSWORD_FILE;
  if (!user && !file) return undefined;
  const problems: string[] = [];
  if (!user || !file)
    problems.push('KAFKA_ADMIN_SASL_USERNAME and KAFKA_ADMIN_SASL_PASSWORD_FILE go together');
  if (!client.sasl)
    problems.push('KAFKA_ADMIN_SASL_* needs KAFKA_SASL_MECHANISM (the admin logs in the same way)');
  const password = file
    ? readSecret(file, 'KAFKA_ADMIN_SASL_PASSWORD_FILE', problems).replace(/\r?\n$/, '')
    : '';
  if (problems.length > 0 || !client.sasl || !user) {
    throw new ConfigError(
      `Invalid Kafka authentication (see .env.example and docs/kafka.md):\n  ${problems.join('\n  ')}`,
    );
  }
  return { ...client, sasl: { mechanism: client.sasl.mechanism, username: user, password } };
}

function readSecret(path: string, variable: string, problems: string[]): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    problems.push(`${variable}=${path}: ${(error as Error).message}`);
    return '';
  }
}
