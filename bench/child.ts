/**
 * Child processes for the benchmark: each consumer runs in a process of its own so that its peak
 * memory (VmHWM in /proc/<pid>/status, the kernel's high-water mark of resident memory) is its
 * own, and so that they never share an event loop with the benchmark driver.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export type Measured = {
  child: ChildProcess;
  /** performance.now() when the process was spawned. */
  spawnedAt: number;
  /** machineBusySeconds() when the process was spawned. */
  machineBusyAtSpawn: number;
  /** Peak resident memory seen so far, in bytes (VmHWM, polled while the process lives). */
  peakRssBytes(): number;
  /** CPU time (user + system, all threads) used so far, in seconds (polled while the process lives). */
  cpuSeconds(): number;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited (the RSS poller is stopped by then). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** Called with every complete stderr line as it arrives. */
  onStderrLine(listener: (line: string) => void): void;
};

const RSS_POLL_MS = 100;

/** Spawns a command and keeps polling its VmHWM until it exits. */
export function spawnMeasured(command: string, args: string[], env: NodeJS.ProcessEnv): Measured {
  const spawnedAt = performance.now();
  const machineBusyAtSpawn = machineBusySeconds();
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let partial = '';
  let peak = 0;
  let cpu = 0;
  const listeners: ((line: string) => void)[] = [];
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d: Buffer) => {
    const text = d.toString('utf8');
    stderr += text;
    partial += text;
    let newline = partial.indexOf('\n');
    while (newline >= 0) {
      const line = partial.slice(0, newline);
      partial = partial.slice(newline + 1);
      for (const listener of listeners) listener(line);
      newline = partial.indexOf('\n');
    }
  });
  const sample = () => {
    if (child.pid === undefined) return;
    peak = Math.max(peak, readPeakRss(child.pid));
    cpu = Math.max(cpu, readCpuSeconds(child.pid));
  };
  const poller = setInterval(sample, RSS_POLL_MS);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>(
    (resolve) => {
      child.on('exit', (code, signal) => {
        clearInterval(poller);
        resolve({ code, signal, at: performance.now() });
      });
    },
  );
  return {
    child,
    spawnedAt,
    machineBusyAtSpawn,
    peakRssBytes: () => {
      sample();
      return peak;
    },
    cpuSeconds: () => {
      sample();
      return cpu;
    },
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    onStderrLine: (listener) => listeners.push(listener),
  };
}

/** VmHWM of a live process in bytes; 0 once it is gone. */
export function readPeakRss(pid: number): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

const CLOCK_TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux

/** utime + stime of a live process (all its threads) in seconds; 0 once it is gone. */
export function readCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** CPU seconds all processes on the machine have used since boot (from /proc/stat). */
export function machineBusySeconds(): number {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = fields.reduce((a, b) => a + b, 0) - (fields[3] ?? 0) - (fields[4] ?? 0);
  return busy / CLOCK_TICKS_PER_SECOND;
}

/** CPU seconds used on the machine since the spawn by everything but this process (broker, others). */
export function otherCpuSeconds(measured: Measured): number {
  return Math.max(0, machineBusySeconds() - measured.machineBusyAtSpawn - measured.cpuSeconds());
}

/** Waits for exit and throws, with the tail of stderr, unless the process ended with code 0. */
export async function expectCleanExit(measured: Measured, what: string): Promise<number> {
  const { code, signal, at } = await measured.exited;
  if (code !== 0) {
    const tail = measured.stderr().trim().split('\n').slice(-30).join('\n');
    throw new Error(`${what} ended with ${signal ?? `code ${code}`}:\n${tail}`);
  }
  return at;
}

/** Logs a line every intervalMs while the promise is pending. */
export async function withTicker<T>(promise: Promise<T>, intervalMs: number, line: () => string): Promise<T> {
  const timer = setInterval(() => process.stdout.write(`  … ${line()}\n`), intervalMs);
  try {
    return await promise;
  } finally {
    clearInterval(timer);
  }
}
