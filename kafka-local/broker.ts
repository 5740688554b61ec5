/**
 * A real, single-node Kafka broker for development and tests, without Docker: the broker's jars
 * come from Maven Central once (kafka-local/pom.xml) into a per-user cache, and the broker runs as
 * a detached java process (combined KRaft broker + controller) listening on 127.0.0.1 only.
 *
 * Ports default to 19092 (clients) and 19093 (controller) so they never clash with a Kafka the
 * user already runs on 9092. Each port gets its own runtime dir holding server.properties, the
 * pid file, the log file and the data (log.dirs), so several brokers can coexist.
 * Every function is idempotent: starting a running broker or stopping a stopped one does nothing.
 *
 * startPrivateBroker() is for a run that must own its broker (the test suite): free ports, a
 * fresh state folder, never a broker that was already there, gone when its owner is gone.
 */
import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import {
  mkdir,
  mkdtemp,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { type AddressInfo, connect, createServer, type Server } from 'node:net';
import { homedir, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { probeCluster, probeClusterId } from '../ingest/kafka/client.ts';
import type { KafkaAuth } from '../lib/config.ts';
import { processAlive } from '../lib/processes.ts';

export const DEFAULT_PORT = 19092;
export const DEFAULT_CONTROLLER_PORT = 19093;
const HOST = '127.0.0.1';

export type LocalBrokerOptions = {
  /** Client port on 127.0.0.1 (default 19092). */
  port?: number;
  /** KRaft controller port on 127.0.0.1 (default 19093). */
  controllerPort?: number;
  /** Folder for server.properties, pid, log and data (default: per-user runtime dir, see below). */
  runtimeDir?: string;
  /** Java max heap (default 512m: plenty for a dev broker). */
  heap?: string;
  /** How long start may take before giving up (default 90 s). */
  startTimeoutMs?: number;
  /** Progress messages (default: stderr). */
  log?: (message: string) => void;
  /**
   * Stop the broker once this process is gone, even after kill -9 (a detached watchdog shell polls
   * it every second). For brokers that belong to one run; `kafka:start` leaves it unset.
   */
  stopWhenGone?: number;
  /** With stopWhenGone: also delete the runtime dir then (a private broker's throw-away state). */
  removeWhenGone?: boolean;
  /**
   * Clients must log in (SASL/SCRAM-SHA-512 on the client port, still 127.0.0.1 only) and are
   * authorised by ACLs (StandardAuthorizer). `admin` is the super user the broker itself and
   * brokerAdminAuth() use; `users` get no rights until ACLs grant them some. The users are
   * created when the storage is formatted: a broker's first start decides them.
   */
  sasl?: SaslSetup;
};

export type SaslSetup = { adminPassword: string; users?: { name: string; password: string }[] };

/** The credentials of a SASL broker's super user, for admin clients and probes. */
export function brokerAdminAuth(sasl: SaslSetup): KafkaAuth {
  return { sasl: { mechanism: 'scram-sha-512', username: 'admin', password: sasl.adminPassword } };
}

export type LocalBrokerStatus = {
  /** A broker process started by this module is alive. */
  running: boolean;
  /** Something answers Kafka metadata requests on the bootstrap address. */
  reachable: boolean;
  pid: number | undefined;
  bootstrap: string;
  runtimeDir: string;
  logFile: string;
};

export type StartResult = {
  /** False when a broker was already running or reachable. */
  started: boolean;
  pid: number | undefined;
  bootstrap: string;
  /** From spawning java to the broker answering metadata requests (undefined if not started). */
  startMs: number | undefined;
  logFile: string;
};

const defaultLog = (message: string) => process.stderr.write(`kafka-local: ${message}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Jars

const POM = fileURLToPath(new URL('./pom.xml', import.meta.url));
const MARKER = 'jars.complete.json';

/** The Kafka version pinned in kafka-local/pom.xml (its single source). */
export function kafkaVersion(): string {
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(POM, 'utf8'));
  if (!match?.[1]) throw new Error(`no <kafka.version> in ${POM}`);
  return match[1].trim();
}

/** ${XDG_CACHE_HOME:-~/.cache}/collective-spend/kafka-<version> */
function kafkaHome(version: string): string {
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'collective-spend', `kafka-${version}`);
}

async function jarsComplete(libDir: string, marker: string): Promise<boolean> {
  try {
    const { jars } = JSON.parse(await readFile(marker, 'utf8')) as { jars: string[] };
    const present = new Set(await readdir(libDir));
    return jars.length > 0 && jars.every((jar) => present.has(jar));
  } catch {
    return false;
  }
}

/**
 * Makes sure the broker's jars are in the per-user cache, fetching them with Maven on the first
 * run only (a marker file lists the jars of a completed copy; later runs need no network).
 */
export async function ensureKafkaJars(
  options: { log?: (message: string) => void } = {},
): Promise<{ version: string; libDir: string; fetched: boolean }> {
  const log = options.log ?? defaultLog;
  const version = kafkaVersion();
  const home = kafkaHome(version);
  const libDir = join(home, 'lib');
  const marker = join(home, MARKER);
  if (await jarsComplete(libDir, marker)) return { version, libDir, fetched: false };

  log(`fetching Kafka ${version} jars from Maven Central (first run only)…`);
  const began = Date.now();
  await mkdir(home, { recursive: true });
  const staging = join(home, `lib.partial-${process.pid}`);
  const workDir = join(home, `maven-target-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  try {
    await run('mvn', [
      '-B',
      '-q',
      '-f',
      POM,
      'dependency:copy-dependencies',
      `-Dkafka.lib.dir=${staging}`,
      `-Dkafka.work.dir=${workDir}`,
    ]).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        throw new Error(
          'Maven (mvn) is needed once to fetch the Kafka jars; install it (e.g. apt-get install maven)',
        );
      }
      throw error;
    });
    const jars = (await readdir(staging)).filter((name) => name.endsWith('.jar')).sort();
    if (!jars.includes(`kafka_2.13-${version}.jar`)) {
      throw new Error(`Maven finished but ${staging} lacks kafka_2.13-${version}.jar`);
    }
    if (await jarsComplete(libDir, marker)) return { version, libDir, fetched: false };
    await rm(marker, { force: true });
    await rm(libDir, { recursive: true, force: true });
    await rename(staging, libDir);
    await writeFile(
      marker,
      `${JSON.stringify({ version, jars, fetchedAt: new Date().toISOString() }, null, 2)}\n`,
    );
    let bytes = 0;
    for (const jar of jars) bytes += (await stat(join(libDir, jar))).size;
    const seconds = ((Date.now() - began) / 1000).toFixed(1);
    log(`fetched ${jars.length} jars (${Math.round(bytes / 2 ** 20)} MiB) in ${seconds} s into ${libDir}`);
    return { version, libDir, fetched: true };
  } finally {
    await rm(staging, { recursive: true, force: true });
    await rm(workDir, { recursive: true, force: true });
  }
}

/** The lib dir of already fetched jars, or undefined (never fetches). */
export async function cachedKafkaJars(): Promise<string | undefined> {
  const home = kafkaHome(kafkaVersion());
  const libDir = join(home, 'lib');
  return (await jarsComplete(libDir, join(home, MARKER))) ? libDir : undefined;
}

/**
 * Runs one of Kafka's own command-line tools (e.g. org.apache.kafka.tools.ProducerPerformance)
 * with the cached jars; resolves with its stdout.
 */
export async function runKafkaTool(mainClass: string, args: string[]): Promise<string> {
  const { libDir } = await ensureKafkaJars();
  return runJava(libDir, [mainClass, ...args]);
}

/** Runs a command, resolving with its output; rejects with the output's tail when it fails. */
function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 64 * 2 ** 20 }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return reject(error);
      const tail = `${stdout}${stderr}`.trim().split('\n').slice(-40).join('\n');
      reject(new Error(`${command} ${args.join(' ')} failed:\n${tail}`));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Paths and settings

type Resolved = {
  port: number;
  controllerPort: number;
  bootstrap: string;
  runtimeDir: string;
  dataDir: string;
  propsFile: string;
  pidFile: string;
  logFile: string;
  lockFile: string;
  /** Holds the pid of a broker being stopped: it still answers for a few seconds, and must not be used. */
  stoppingFile: string;
  heap: string;
  startTimeoutMs: number;
  log: (message: string) => void;
  stopWhenGone: number | undefined;
  removeWhenGone: boolean;
  sasl: SaslSetup | undefined;
  /** How this module's own probes log in (none on a plaintext broker). */
  probeAuth: KafkaAuth | undefined;
};

/**
 * <tmp>/collective-spend-<user>: per user, not per work tree. Not $XDG_RUNTIME_DIR, which is a
 * small tmpfs: the broker's data (log.dirs) lives here too and a benchmark can fill it.
 */
function runtimeBase(): string {
  return join(tmpdir(), `collective-spend-${userInfo().username}`);
}

function resolveOptions(options: LocalBrokerOptions = {}): Resolved {
  const port = options.port ?? DEFAULT_PORT;
  const controllerPort = options.controllerPort ?? (options.port ? port + 1 : DEFAULT_CONTROLLER_PORT);
  const runtimeDir = options.runtimeDir ?? join(runtimeBase(), `kafka-${port}`);
  return {
    port,
    controllerPort,
    bootstrap: `${HOST}:${port}`,
    runtimeDir,
    dataDir: join(runtimeDir, 'data'),
    propsFile: join(runtimeDir, 'server.properties'),
    pidFile: join(runtimeDir, 'broker.pid'),
    logFile: join(runtimeDir, 'broker.log'),
    lockFile: join(runtimeDir, 'start.lock'),
    stoppingFile: join(runtimeDir, 'broker.stopping'),
    heap: options.heap ?? '512m',
    startTimeoutMs: options.startTimeoutMs ?? 90_000,
    log: options.log ?? defaultLog,
    stopWhenGone: options.stopWhenGone,
    removeWhenGone: options.removeWhenGone ?? false,
    sasl: options.sasl,
    probeAuth: options.sasl ? brokerAdminAuth(options.sasl) : undefined,
  };
}

/** The client listener: plaintext, or SASL/SCRAM with ACLs (the controller's stays on loopback). */
function listenerSettings(r: Resolved): Array<[string, string | number, string?]> {
  const client = r.sasl ? 'SASL_PLAINTEXT' : 'PLAINTEXT';
  const settings: Array<[string, string | number, string?]> = [
    ['listeners', `${client}://${HOST}:${r.port},CONTROLLER://${HOST}:${r.controllerPort}`, 'loopback only'],
    ['advertised.listeners', `${client}://${HOST}:${r.port}`],
    ['inter.broker.listener.name', client],
    ['listener.security.protocol.map', `CONTROLLER:PLAINTEXT,${client}:${client}`],
  ];
  if (!r.sasl) return settings;
  const jaas = `org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${r.sasl.adminPassword}";`;
  return [
    ...settings,
    ['sasl.enabled.mechanisms', 'SCRAM-SHA-512,SCRAM-SHA-256'],
    ['sasl.mechanism.inter.broker.protocol', 'SCRAM-SHA-512'],
    // Each enabled mechanism needs its own login entry (the broker's own, as admin).
    ['listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config', jaas],
    ['listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config', jaas],
    ['authorizer.class.name', 'org.apache.kafka.metadata.authorizer.StandardAuthorizer'],
    // ANONYMOUS is the broker reaching its own controller over the loopback-only CONTROLLER listener.
    ['super.users', 'User:admin;User:ANONYMOUS', 'everyone else needs ACLs'],
    ['allow.everyone.if.no.acl.found', 'false'],
  ];
}

function serverProperties(r: Resolved): string {
  const settings: Array<[string, string | number, string?]> = [
    ['process.roles', 'broker,controller', 'one JVM is both broker and KRaft controller'],
    ['node.id', 1],
    ['controller.quorum.voters', `1@${HOST}:${r.controllerPort}`],
    ['controller.listener.names', 'CONTROLLER'],
    ...listenerSettings(r),
    ['log.dirs', r.dataDir],
    ['num.partitions', 4],
    ['default.replication.factor', 1],
    ['min.insync.replicas', 1],
    ['auto.create.topics.enable', 'false', 'topics are created on purpose (kafka:start, tests)'],
    ['offsets.topic.replication.factor', 1, 'without it no group coordinator on one node'],
    ['offsets.topic.num.partitions', 10, 'default 50: slower first group join, no use here'],
    ['transaction.state.log.replication.factor', 1],
    ['transaction.state.log.min.isr', 1],
    ['transaction.state.log.num.partitions', 4],
    ['share.coordinator.state.topic.replication.factor', 1],
    ['share.coordinator.state.topic.min.isr', 1],
    ['group.initial.rebalance.delay.ms', 0, 'the first member of a group starts at once'],
    ['group.min.session.timeout.ms', 1000, 'lets tests use short session timeouts'],
  ];
  const lines = settings.map(([key, value, why]) => `${why ? `# ${why}\n` : ''}${key}=${value}`);
  return `# Written by kafka-local/broker.ts at every start: change the code, not this file.\n${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Process helpers

async function readPid(pidFile: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt(await readFile(pidFile, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Alive and really our broker (guards against a stale pid file whose pid was reused). */
async function isOurBroker(pid: number, propsFile: string): Promise<boolean> {
  if (!processAlive(pid)) return false;
  let commandLine: string;
  try {
    commandLine = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
  } catch {
    commandLine = await run('ps', ['-o', 'command=', '-p', String(pid)]).catch(() => '');
  }
  return commandLine.includes('kafka.Kafka') && commandLine.includes(propsFile);
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

async function logTail(logFile: string, lines = 30): Promise<string> {
  try {
    return (await readFile(logFile, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function javaBinary(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

function runJava(libDir: string, args: string[]): Promise<string> {
  return run(javaBinary(), ['-Xmx256m', '-cp', join(libDir, '*'), ...args]).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') throw new Error('java not found: Kafka 4 needs Java 17+ (set JAVA_HOME)');
      throw error;
    },
  );
}

/** StorageTool arguments creating the SCRAM users (KRaft takes them at format time). */
function scramUsers(sasl: SaslSetup | undefined): string[] {
  if (!sasl) return [];
  const users = [{ name: 'admin', password: sasl.adminPassword }, ...(sasl.users ?? [])];
  return users.flatMap(({ name, password }) =>
    ['SCRAM-SHA-512', 'SCRAM-SHA-256'].flatMap((mechanism) => [
      '--add-scram',
      `${mechanism}=[name=${name},password=${password}]`,
    ]),
  );
}

/** One starter at a time per runtime dir; a lock left by a dead process is taken over. */
async function withStartLock<T>(r: Resolved, body: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + r.startTimeoutMs + 30_000;
  for (;;) {
    try {
      const handle = await open(r.lockFile, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = await readPid(r.lockFile);
      if (holder === undefined || !processAlive(holder)) {
        await unlink(r.lockFile).catch(() => {});
        continue;
      }
      if (Date.now() > deadline) throw new Error(`another process (pid ${holder}) holds ${r.lockFile}`);
      await sleep(250);
    }
  }
  try {
    return await body();
  } finally {
    await unlink(r.lockFile).catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------
// Public API

/** Whether a Kafka cluster answers metadata requests at these addresses within timeoutMs. */
export function isBrokerReachable(brokers: string[], timeoutMs = 2000): Promise<boolean> {
  return probeCluster(brokers, timeoutMs);
}

export async function localBrokerStatus(options: LocalBrokerOptions = {}): Promise<LocalBrokerStatus> {
  const r = resolveOptions(options);
  const pid = await readPid(r.pidFile);
  const running = pid !== undefined && (await isOurBroker(pid, r.propsFile));
  const reachable = await probeCluster([r.bootstrap], 1500, r.probeAuth);
  return {
    running,
    reachable,
    pid: running ? pid : undefined,
    bootstrap: r.bootstrap,
    runtimeDir: r.runtimeDir,
    logFile: r.logFile,
  };
}

/**
 * Starts the local broker unless one already answers on its address, and resolves once it serves
 * requests. Fetches the jars first if needed and formats the KRaft storage on first use.
 */
export async function startLocalBroker(options: LocalBrokerOptions = {}): Promise<StartResult> {
  const r = resolveOptions(options);
  const { libDir } = await ensureKafkaJars({ log: r.log });
  await mkdir(r.runtimeDir, { recursive: true, mode: 0o700 });

  return withStartLock(r, async () => {
    const stopping = await stoppingBrokerPid(r);
    if (stopping !== undefined) {
      r.log(`waiting for the broker being stopped (pid ${stopping}) to exit`);
      await waitForExit(stopping, 60_000);
    }
    await rm(r.stoppingFile, { force: true });
    const status = await localBrokerStatus(options);
    const already = {
      started: false,
      pid: status.pid,
      bootstrap: r.bootstrap,
      startMs: undefined,
      logFile: r.logFile,
    };
    if (status.reachable) return already;
    if (status.running && status.pid !== undefined) {
      await waitUntilServing(r, status.pid, () => undefined);
      return already;
    }
    for (const port of [r.port, r.controllerPort]) {
      if (await portInUse(port)) {
        throw new PortTakenError(`${HOST}:${port} is taken by another program; choose other ports (--port)`);
      }
    }

    await writeFile(r.propsFile, serverProperties(r));
    const metaFile = join(r.dataDir, 'meta.properties');
    if (!existsSync(metaFile)) {
      r.log(`formatting KRaft storage in ${r.dataDir}`);
      const clusterId = (await runJava(libDir, ['kafka.tools.StorageTool', 'random-uuid'])).trim();
      await runJava(libDir, [
        'kafka.tools.StorageTool',
        'format',
        '-t',
        clusterId,
        '-c',
        r.propsFile,
        '--ignore-formatted',
        ...scramUsers(r.sasl),
      ]);
    }
    // The broker we start answers with this id; another one on the same address would not.
    const clusterId = /^cluster\.id=(.+)$/m.exec(await readFile(metaFile, 'utf8'))?.[1]?.trim();

    const began = Date.now();
    const logFd = openSync(r.logFile, 'w');
    const child = spawn(
      javaBinary(),
      [
        `-Xmx${r.heap}`,
        '-Xms128m',
        '-XX:+UseG1GC',
        '-XX:MaxGCPauseMillis=20',
        '-Djava.awt.headless=true',
        '-Dorg.slf4j.simpleLogger.showDateTime=true',
        "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSZ",
        '-Dorg.slf4j.simpleLogger.logFile=System.out',
        '-cp',
        join(libDir, '*'),
        'kafka.Kafka',
        r.propsFile,
      ],
      { cwd: r.runtimeDir, detached: true, stdio: ['ignore', logFd, logFd] },
    );
    closeSync(logFd);
    let exit: string | undefined;
    child.once('exit', (code, signal) => {
      exit = signal ? `killed by ${signal}` : `exited with code ${code}`;
    });
    child.once('error', (error) => {
      exit = error.message;
    });
    child.unref();
    const pid = child.pid;
    if (pid === undefined) {
      throw new Error(
        `could not run ${javaBinary()}: Kafka 4 needs Java 17+ (set JAVA_HOME or put java on the PATH)`,
      );
    }
    await writeFile(r.pidFile, `${pid}\n`);
    if (r.stopWhenGone !== undefined) startWatchdog(r, r.stopWhenGone, pid);

    try {
      await waitUntilServing(r, pid, () => exit, clusterId);
    } catch (error) {
      await stopLocalBroker(options);
      throw error;
    }
    return { started: true, pid, bootstrap: r.bootstrap, startMs: Date.now() - began, logFile: r.logFile };
  });
}

async function waitUntilServing(
  r: Resolved,
  pid: number,
  exited: () => string | undefined,
  clusterId?: string,
): Promise<void> {
  const deadline = Date.now() + r.startTimeoutMs;
  for (;;) {
    const answering = await probeClusterId([r.bootstrap], 1000, r.probeAuth);
    if (answering !== undefined && (clusterId === undefined || answering === clusterId)) return;
    if (answering !== undefined) {
      throw new PortTakenError(
        `another Kafka broker (cluster ${answering}) answers on ${r.bootstrap}, not the one started here`,
      );
    }
    const exit = exited() ?? (processAlive(pid) ? undefined : 'exited');
    if (exit) {
      const tail = await logTail(r.logFile);
      const message = `Kafka broker ${exit} before serving on ${r.bootstrap}; log ${r.logFile} ends with:\n${tail}`;
      throw /Address already in use/.test(tail) ? new PortTakenError(message) : new Error(message);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Kafka broker (pid ${pid}) did not serve on ${r.bootstrap} within ${r.startTimeoutMs / 1000} s; see ${r.logFile}`,
      );
    }
    await sleep(200);
  }
}

/**
 * Stops the local broker: SIGTERM (a clean shutdown), then SIGKILL if it lingers.
 * Does nothing when it is not running.
 */
export async function stopLocalBroker(
  options: LocalBrokerOptions & { graceMs?: number } = {},
): Promise<{ stopped: boolean; pid: number | undefined; stopMs: number }> {
  const r = resolveOptions(options);
  const began = Date.now();
  const pid = await readPid(r.pidFile);
  if (pid === undefined || !(await isOurBroker(pid, r.propsFile))) {
    await rm(r.pidFile, { force: true });
    return { stopped: false, pid: undefined, stopMs: 0 };
  }
  await writeFile(r.stoppingFile, `${pid}\n`);
  process.kill(pid, 'SIGTERM');
  if (!(await waitForExit(pid, options.graceMs ?? 30_000))) {
    r.log(`broker pid ${pid} ignored SIGTERM; sending SIGKILL`);
    process.kill(pid, 'SIGKILL');
    await waitForExit(pid, 5000);
  }
  await rm(r.pidFile, { force: true });
  await rm(r.stoppingFile, { force: true });
  return { stopped: true, pid, stopMs: Date.now() - began };
}

async function stoppingBrokerPid(r: Resolved): Promise<number | undefined> {
  const pid = await readPid(r.stoppingFile);
  return pid !== undefined && (await isOurBroker(pid, r.propsFile)) ? pid : undefined;
}

/** Whether the local broker is being stopped (it may still answer, but not for long). */
export async function localBrokerStopping(options: LocalBrokerOptions = {}): Promise<boolean> {
  return (await stoppingBrokerPid(resolveOptions(options))) !== undefined;
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!processAlive(pid)) return true;
    await sleep(100);
  }
  return !processAlive(pid);
}

/** A port was taken by another program (between choosing it and the broker binding it, perhaps). */
class PortTakenError extends Error {}

/**
 * A detached shell that stops the broker (TERM, then KILL after 30 s) once `ownerPid` is gone, and
 * then deletes the runtime dir when asked; it exits by itself as soon as the broker has stopped.
 */
function startWatchdog(r: Resolved, ownerPid: number, brokerPid: number): void {
  const script = [
    'owner=$1 broker=$2 dir=$3',
    'alive() { kill -0 "$1" 2>/dev/null; }',
    'while alive "$owner" && alive "$broker"; do sleep 1; done',
    'if alive "$broker"; then',
    '  kill -TERM "$broker"; i=0',
    '  while alive "$broker" && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done',
    '  kill -KILL "$broker" 2>/dev/null',
    'fi',
    // Only once the owner is gone: a broker its owner stopped may be started again (pause/resume).
    'if [ -n "$dir" ] && ! alive "$owner"; then rm -rf "$dir"; fi',
  ].join('\n');
  const dir = r.removeWhenGone ? r.runtimeDir : '';
  spawn('sh', ['-c', script, 'kafka-local-watchdog', String(ownerPid), String(brokerPid), dir], {
    detached: true,
    stdio: 'ignore',
  }).unref();
}

/** Ports nobody listens on now: the kernel's choice for port 0, held together so they differ. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, HOST, () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

export type PrivateBroker = {
  bootstrap: string;
  /** From spawning java to the broker answering metadata requests. */
  startMs: number;
  runtimeDir: string;
  logFile: string;
  /** Stops the broker (waiting until it has exited) and deletes its state; idempotent. */
  stop: () => Promise<void>;
  /**
   * Stops the broker process cleanly but keeps its state and ports: a broker outage, for a fault
   * test. resume() starts it again on the same ports with the same topics and offsets.
   */
  pause: () => Promise<void>;
  resume: () => Promise<void>;
  /**
   * kill -9 of the broker process (no clean shutdown: no controlled leadership move, no flush,
   * log recovery on the next start), waiting until it is gone; resume() starts it again.
   */
  kill: () => Promise<void>;
};

/**
 * Starts a broker that belongs to the calling process alone: on free ports, with its state in a
 * fresh folder, and stopped (state deleted) when stop() is called or, failing that, when this
 * process is gone. It never adopts a broker that was already there: a broker of another cluster
 * answering on the chosen port is a clash, and the start is retried on other ports.
 */
export async function startPrivateBroker(
  options: { heap?: string; log?: (message: string) => void; sasl?: SaslSetup } = {},
): Promise<PrivateBroker> {
  await ensureKafkaJars({ log: options.log });
  await mkdir(runtimeBase(), { recursive: true, mode: 0o700 });
  for (let attempt = 1; ; attempt++) {
    const [port, controllerPort] = await freePorts(2);
    const runtimeDir = await mkdtemp(join(runtimeBase(), `kafka-private-${port}-`));
    const log = options.log ?? defaultLog;
    const brokerOptions: LocalBrokerOptions = {
      ...options,
      // a fresh folder is always formatted: not news worth a line
      log: (message) => (message.startsWith('formatting KRaft storage') ? undefined : log(message)),
      port,
      controllerPort,
      runtimeDir,
      stopWhenGone: process.pid,
      removeWhenGone: true,
    };
    try {
      const started = await startLocalBroker(brokerOptions);
      if (!started.started) throw new PortTakenError(`a broker already answered on ${started.bootstrap}`);
      let stopping: Promise<void> | undefined;
      const stop = () => {
        stopping ??= (async () => {
          await stopLocalBroker(brokerOptions);
          await rm(runtimeDir, { recursive: true, force: true });
        })();
        return stopping;
      };
      return {
        bootstrap: started.bootstrap,
        startMs: started.startMs ?? 0,
        runtimeDir,
        logFile: started.logFile,
        stop,
        pause: async () => {
          await stopLocalBroker(brokerOptions);
        },
        resume: async () => {
          await startLocalBroker(brokerOptions);
        },
        kill: async () => {
          const { pidFile } = resolveOptions(brokerOptions);
          const pid = await readPid(pidFile);
          if (pid === undefined || !processAlive(pid)) return;
          process.kill(pid, 'SIGKILL');
          if (!(await waitForExit(pid, 10_000))) throw new Error(`broker pid ${pid} outlived SIGKILL`);
          await rm(pidFile, { force: true });
        },
      };
    } catch (error) {
      await stopLocalBroker(brokerOptions).catch(() => undefined);
      await rm(runtimeDir, { recursive: true, force: true });
      if (!(error instanceof PortTakenError) || attempt >= 3) throw error;
    }
  }
}
