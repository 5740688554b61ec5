/**
 * The control socket's bounds, on a real database and real Unix sockets: permissions from the
 * start, a request line limit, a concurrency limit, and a client that survives a malformed or
 * missing answer.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import { Database } from '../lib/db.ts';
import { createLogger } from '../lib/log.ts';
import { DEFAULT_CONTROL_LIMITS, LineSplitter, OwnerClient, startControlServer } from './control.ts';

const dir = mkdtempSync(join(tmpdir(), 'spend-control-'));
let db: Database;
let server: Server;
const socketPath = join(dir, 'spend.sock');
const limits = { ...DEFAULT_CONTROL_LIMITS, maxRequestChars: 10_000, maxConcurrentRequests: 1 };

beforeAll(async () => {
  db = await Database.open({
    path: ':memory:',
    migrationsDir: MIGRATIONS_DIR,
    threads: 1,
    userSql: { timeoutMs: 5_000, maxResultBytes: 1_000_000 },
  });
  // however permissive the umask, the socket is its user's only from the moment it exists
  process.umask(0);
  server = await startControlServer(socketPath, db, createLogger('silent'), limits);
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Sends raw text on a new connection; resolves with every line received until it closes. */
function exchange(text: string, closeAfterLines = Number.POSITIVE_INFINITY): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    const lines = new LineSplitter(1_000_000);
    const received: string[] = [];
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received.push(...lines.push(chunk));
      if (received.length >= closeAfterLines) socket.end();
    });
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
    socket.write(text);
  });
}

describe('the control socket', () => {
  it('is created 0600 even under umask 0', () => {
    expect(statSync(socketPath).mode & 0o777).toBe(0o600);
  });

  it('closes a connection whose request line passes the limit, and serves the next', async () => {
    const [answer] = await exchange('x'.repeat(limits.maxRequestChars + 1));
    expect(JSON.parse(answer ?? '{}')).toMatchObject({
      ok: false,
      error: { code: 'invalid-input', message: expect.stringContaining('SPEND_CONTROL_MAX_REQUEST_CHARS') },
    });
    const client = await OwnerClient.connect(socketPath);
    await expect(client?.call('ping')).resolves.toMatchObject({ pong: true });
    client?.close();
  });

  it('answers "busy" past its concurrent requests, and runs them again once free', async () => {
    const slow = JSON.stringify({
      id: 1,
      op: 'query.sql',
      params: { sql: 'select count(*) from range(2000000000) a, range(2000000000) b' },
    });
    const ping = JSON.stringify({ id: 2, op: 'ping', params: {} });
    // both lines arrive together: the second is read while the first runs
    const answers = (await exchange(`${slow}\n${ping}\n`, 2)).map((line) => JSON.parse(line));
    expect(answers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: 2,
          ok: false,
          error: expect.objectContaining({ code: 'unavailable' }),
        }),
        expect.objectContaining({
          id: 1,
          ok: false,
          error: expect.objectContaining({ message: expect.stringContaining('was stopped') }),
        }),
      ]),
    );
    const client = await OwnerClient.connect(socketPath);
    await expect(client?.call('ping')).resolves.toMatchObject({ pong: true });
    client?.close();
  });

  it('line splitter: lines across chunks, several in one chunk, refusal at the limit', () => {
    const lines = new LineSplitter(5);
    expect(lines.push('ab')).toEqual([]);
    expect(lines.push('c\nde\nf')).toEqual(['abc', 'de']);
    expect(lines.push('\n')).toEqual(['f']);
    expect(() => lines.push('123456')).toThrow('a line longer than 5 characters');
  });
});

describe('the control client', () => {
  /** A process that is not a well-behaved owner, on a socket of its own. */
  async function fakeOwner(
    onLine: (socket: import('node:net').Socket) => void,
  ): Promise<{ path: string; close(): void }> {
    const path = join(dir, `fake-${Math.random().toString(36).slice(2)}.sock`);
    const fake = createServer((socket) => socket.on('data', () => onLine(socket)));
    await new Promise<void>((resolve) => fake.listen(path, resolve));
    return { path, close: () => fake.close() };
  }

  it('refuses an answer that is not the protocol, with a sentence', async () => {
    const fake = await fakeOwner((socket) => socket.write('<html>not json</html>\n'));
    const client = await OwnerClient.connect(fake.path);
    await expect(client?.call('ping')).rejects.toThrow(/the owner's answer could not be read/);
    fake.close();
  });

  it('refuses an answer of the wrong shape', async () => {
    const fake = await fakeOwner((socket) => socket.write('{"id": 1, "ok": "yes"}\n'));
    const client = await OwnerClient.connect(fake.path);
    await expect(client?.call('ping')).rejects.toThrow(/the owner's answer could not be read/);
    fake.close();
  });

  it('gives up on an owner that never answers', async () => {
    const fake = await fakeOwner(() => undefined);
    const client = await OwnerClient.connect(fake.path);
    await expect(client?.call('ping', {}, 100)).rejects.toThrow(
      'the owning process did not answer ping within 100 ms',
    );
    fake.close();
  });
});
