/**
 * The owner's control channel: a Unix socket beside the database file (owner-only
 * permissions), speaking newline-delimited JSON. DuckDB lets one process open a file while it
 * is being written, so commands ask the owning `spend serve`/`spend ingest` process instead.
 * A socket nobody answers on is stale (its owner died) and counts as no owner.
 *
 * Bounded on both sides: a request line longer than the limit closes the connection, requests
 * past the concurrency limit are answered "busy", the socket is created 0600 (umask before
 * listen), and a client's call gives up after its timeout and refuses a malformed response.
 */
import { existsSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { z } from 'zod';
import type { Database } from '../lib/db.ts';
import { UserError } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';
import { isOperationName, type OperationName, runOperation } from './operations.ts';

const request = z.object({ id: z.number().int(), op: z.string(), params: z.unknown() });
const response = z.union([
  z.object({ id: z.number().int(), ok: z.literal(true), result: z.unknown() }),
  z.object({
    id: z.number().int(),
    ok: z.literal(false),
    error: z.object({ code: z.string(), message: z.string() }),
  }),
]);
type Response = z.infer<typeof response>;

export type ControlLimits = {
  /** Longest request line, in characters (contracts.load sends whole files). */
  maxRequestChars: number;
  /** Requests running at once, over all connections; more are answered "busy". */
  maxConcurrentRequests: number;
  /** Connections open at once. */
  maxConnections: number;
};

export const DEFAULT_CONTROL_LIMITS: ControlLimits = {
  maxRequestChars: 64 * 1024 * 1024,
  maxConcurrentRequests: 16,
  maxConnections: 64,
};

/** Longest response line a client reads (a query result is capped well below this). */
const MAX_RESPONSE_CHARS = 512 * 1024 * 1024;

/** How long a client waits for an answer by default: long work (a transforms run) fits. */
export const DEFAULT_CALL_TIMEOUT_MS = 30 * 60 * 1000;

export class LineTooLongError extends Error {
  override name = 'LineTooLongError';
}

/**
 * Splits a stream of text into lines. Each chunk is scanned once (a long line without a newline
 * costs no more than its length), and a line over maxChars is refused as soon as it is.
 */
export class LineSplitter {
  private parts: string[] = [];
  private length = 0;

  constructor(private readonly maxChars: number) {}

  push(chunk: string): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let newline = chunk.indexOf('\n'); newline >= 0; newline = chunk.indexOf('\n', start)) {
      this.add(chunk.slice(start, newline));
      lines.push(this.parts.join(''));
      this.parts = [];
      this.length = 0;
      start = newline + 1;
    }
    if (start < chunk.length) this.add(chunk.slice(start));
    return lines;
  }

  private add(part: string): void {
    this.length += part.length;
    if (this.length > this.maxChars) {
      throw new LineTooLongError(`a line longer than ${this.maxChars} characters`);
    }
    this.parts.push(part);
  }
}

/** Another owner answers on the socket: this process cannot own the database. */
export function ownedElsewhere(socketPath: string): UserError {
  return new UserError(
    'conflict',
    `Another process already owns this database (control socket ${socketPath}).`,
  );
}

export async function startControlServer(
  socketPath: string,
  db: Database,
  log: Logger,
  limits: ControlLimits = DEFAULT_CONTROL_LIMITS,
): Promise<Server> {
  if (existsSync(socketPath)) {
    if (await ownerAnswers(socketPath)) throw ownedElsewhere(socketPath);
    unlinkSync(socketPath);
  }
  const inFlight = { count: 0 };
  const server = createServer((socket) => serveConnection(socket, db, log, limits, inFlight));
  server.maxConnections = limits.maxConnections;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Created 0600 (umask before bind, which listen() does at once), never chmod after: no
    // window at looser permissions. The process keeps creating owner-only files afterwards.
    const previous = process.umask(0o177);
    try {
      server.listen(socketPath, () => resolve());
    } finally {
      process.umask(previous | 0o077);
    }
  });
  server.on('close', () => {
    if (existsSync(socketPath)) unlinkSync(socketPath);
  });
  return server;
}

function serveConnection(
  socket: Socket,
  db: Database,
  log: Logger,
  limits: ControlLimits,
  inFlight: { count: number },
): void {
  const lines = new LineSplitter(limits.maxRequestChars);
  const reply = (response: Response) => {
    if (!socket.destroyed) socket.write(`${JSON.stringify(response)}\n`);
  };
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    let complete: string[];
    try {
      complete = lines.push(chunk);
    } catch (error) {
      const message = `request refused: ${(error as Error).message} (SPEND_CONTROL_MAX_REQUEST_CHARS)`;
      log.warn({ limit: limits.maxRequestChars }, message);
      socket.removeAllListeners('data');
      socket.end(
        `${JSON.stringify({ id: -1, ok: false, error: { code: 'invalid-input', message } })}\n`,
        () => socket.destroy(),
      );
      return;
    }
    for (const line of complete) {
      if (inFlight.count >= limits.maxConcurrentRequests) {
        reply({
          id: idOf(line),
          ok: false,
          error: {
            code: 'unavailable',
            message: `the owner is busy (${limits.maxConcurrentRequests} requests running); try again shortly`,
          },
        });
        continue;
      }
      inFlight.count++;
      void answer(line, db, log)
        .then(reply)
        .finally(() => inFlight.count--);
    }
  });
  socket.on('error', (error) => log.debug({ err: error }, 'control client went away'));
}

/** The request's id, for an answer given without running it (-1 when it has none). */
function idOf(line: string): number {
  try {
    const parsed = request.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data.id : -1;
  } catch {
    return -1;
  }
}

async function answer(line: string, db: Database, log: Logger): Promise<Response> {
  let id = -1;
  try {
    const parsed = request.parse(JSON.parse(line));
    id = parsed.id;
    if (!isOperationName(parsed.op)) throw new UserError('invalid-input', `unknown operation ${parsed.op}`);
    // An operation that returns nothing still answers a result (JSON drops an undefined field).
    return { id, ok: true, result: (await runOperation(db, parsed.op, parsed.params ?? {})) ?? null };
  } catch (error) {
    if (error instanceof UserError)
      return { id, ok: false, error: { code: error.code, message: error.message } };
    if (error instanceof z.ZodError) {
      return { id, ok: false, error: { code: 'invalid-input', message: z.prettifyError(error) } };
    }
    log.error({ err: error }, 'control operation failed');
    return { id, ok: false, error: { code: 'internal', message: String((error as Error).message ?? error) } };
  }
}

/** A connection to the running owner, or null when there is none (no socket, or a stale one). */
export class OwnerClient {
  private nextId = 1;
  private readonly lines = new LineSplitter(MAX_RESPONSE_CHARS);
  private readonly pending = new Map<number, (response: Response) => void>();

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      try {
        for (const line of this.lines.push(chunk)) {
          const answer = response.parse(JSON.parse(line));
          this.pending.get(answer.id)?.(answer);
          this.pending.delete(answer.id);
        }
      } catch (error) {
        // Not our protocol (or cut short): nothing more on this connection can be trusted.
        this.failAll(`the owner's answer could not be read (${(error as Error).message})`);
        socket.destroy();
      }
    });
    socket.on('close', () => this.failAll('the owning process went away'));
    socket.on('error', () => undefined); // 'close' follows and fails what is pending
  }

  private failAll(message: string): void {
    for (const resolve of this.pending.values())
      resolve({ id: -1, ok: false, error: { code: 'unavailable', message } });
    this.pending.clear();
  }

  static async connect(socketPath: string): Promise<OwnerClient | null> {
    if (!existsSync(socketPath)) return null;
    const socket = await new Promise<Socket | null>((resolve) => {
      const s = createConnection(socketPath);
      s.once('connect', () => resolve(s));
      s.once('error', () => resolve(null));
    });
    return socket ? new OwnerClient(socket) : null;
  }

  /** Asks the owner to run an operation; gives up (and closes the connection) after timeoutMs. */
  async call(op: OperationName, params: unknown = {}, timeoutMs = DEFAULT_CALL_TIMEOUT_MS): Promise<unknown> {
    const id = this.nextId++;
    let timer: NodeJS.Timeout | undefined;
    const answer = await new Promise<Response>((resolve) => {
      this.pending.set(id, resolve);
      timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({
          id,
          ok: false,
          error: {
            code: 'unavailable',
            message: `the owning process did not answer ${op} within ${timeoutMs} ms`,
          },
        });
        this.socket.destroy();
      }, timeoutMs);
      this.socket.write(`${JSON.stringify({ id, op, params })}\n`);
    }).finally(() => clearTimeout(timer));
    if (answer.ok) return answer.result;
    if (answer.error.code === 'internal') throw new Error(answer.error.message);
    throw new UserError(answer.error.code as 'invalid-input', answer.error.message);
  }

  close(): void {
    this.socket.end();
  }
}

/**
 * Waits until an owner that was just started answers on its socket (the socket file alone proves
 * nothing: a killed owner leaves a stale one). `gone` says whether the owner has exited, so a
 * failed start is reported at once rather than at the timeout.
 */
export async function waitForOwner(
  socketPath: string,
  options: { timeoutMs: number; gone?: () => boolean; describe?: () => string },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (!(await ownerAnswers(socketPath))) {
    const detail = options.describe ? `:\n${options.describe()}` : '';
    if (options.gone?.()) throw new Error(`the owner exited before answering on ${socketPath}${detail}`);
    if (Date.now() > deadline) {
      throw new Error(`no owner answered on ${socketPath} within ${options.timeoutMs} ms${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Whether an owner answers on the socket (a socket nobody answers on is stale). */
export async function ownerAnswers(socketPath: string): Promise<boolean> {
  const client = await OwnerClient.connect(socketPath);
  if (!client) return false;
  try {
    await client.call('ping', {}, 2000);
    return true;
  } catch {
    return false;
  } finally {
    client.close();
  }
}
