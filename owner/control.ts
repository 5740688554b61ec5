/**
 * The owner's control channel: a Unix socket beside the database file (owner-only
 * permissions), speaking newline-delimited JSON. DuckDB lets one process open a file while it
 * is being written, so commands ask the owning `spend serve`/`spend ingest` process instead.
 * A socket nobody answers on is stale (its owner died) and counts as no owner.
 */
import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { z } from 'zod';
import type { Database } from '../lib/db.ts';
import { UserError } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';
import { isOperationName, type OperationName, runOperation } from './operations.ts';

const request = z.object({ id: z.number().int(), op: z.string(), params: z.unknown() });
type Response =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { code: string; message: string } };

/** Another owner answers on the socket: this process cannot own the database. */
export function ownedElsewhere(socketPath: string): UserError {
  return new UserError(
    'conflict',
    `Another process already owns this database (control socket ${socketPath}).`,
  );
}

export async function startControlServer(socketPath: string, db: Database, log: Logger): Promise<Server> {
  if (existsSync(socketPath)) {
    if (await ownerAnswers(socketPath)) throw ownedElsewhere(socketPath);
    unlinkSync(socketPath);
  }
  const server = createServer((socket) => serveConnection(socket, db, log));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  chmodSync(socketPath, 0o600);
  server.on('close', () => {
    if (existsSync(socketPath)) unlinkSync(socketPath);
  });
  return server;
}

function serveConnection(socket: Socket, db: Database, log: Logger): void {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      void answer(line, db, log).then((response) => socket.write(`${JSON.stringify(response)}\n`));
      newline = buffered.indexOf('\n');
    }
  });
  socket.on('error', (error) => log.debug({ err: error }, 'control client went away'));
}

async function answer(line: string, db: Database, log: Logger): Promise<Response> {
  let id = -1;
  try {
    const parsed = request.parse(JSON.parse(line));
    id = parsed.id;
    if (!isOperationName(parsed.op)) throw new UserError('invalid-input', `unknown operation ${parsed.op}`);
    return { id, ok: true, result: await runOperation(db, parsed.op, parsed.params ?? {}) };
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
  private buffered = '';
  private readonly pending = new Map<number, (response: Response) => void>();

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffered += chunk;
      let newline = this.buffered.indexOf('\n');
      while (newline >= 0) {
        const response = JSON.parse(this.buffered.slice(0, newline)) as Response;
        this.buffered = this.buffered.slice(newline + 1);
        this.pending.get(response.id)?.(response);
        this.pending.delete(response.id);
        newline = this.buffered.indexOf('\n');
      }
    });
    socket.on('close', () => {
      for (const resolve of this.pending.values()) {
        resolve({
          id: -1,
          ok: false,
          error: { code: 'unavailable', message: 'the owning process went away' },
        });
      }
      this.pending.clear();
    });
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

  async call(op: OperationName, params: unknown = {}): Promise<unknown> {
    const id = this.nextId++;
    const response = await new Promise<Response>((resolve) => {
      this.pending.set(id, resolve);
      this.socket.write(`${JSON.stringify({ id, op, params })}\n`);
    });
    if (response.ok) return response.result;
    if (response.error.code === 'internal') throw new Error(response.error.message);
    throw new UserError(response.error.code as 'invalid-input', response.error.message);
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
    await Promise.race([client.call('ping'), new Promise((_, reject) => setTimeout(reject, 2000))]);
    return true;
  } catch {
    return false;
  } finally {
    client.close();
  }
}
