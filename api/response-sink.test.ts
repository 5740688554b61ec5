/**
 * A streamed answer whose client hangs up while a write is waiting for the socket to drain: the
 * write must fail with ClientGoneError. It used to wait for a 'drain' that never comes, so the
 * query's work never ended and `spend serve` could not shut down (bench:api's smoke run hung so).
 * Everything here waits on events: the test can only end if the write settles.
 */
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Response } from 'express';
import { afterAll, describe, expect, it } from 'vitest';
import { ClientGoneError } from './problem.ts';
import { responseSink } from './respond.ts';

let server: Server | undefined;
afterAll(() => server?.close());

describe('the answer sink', () => {
  it('fails a write that waits to drain when the client hangs up', async () => {
    let settle: (outcome: unknown) => void = () => undefined;
    const outcome = new Promise<unknown>((resolve) => {
      settle = resolve;
    });
    // More than a socket takes at once: the first write already waits for 'drain'.
    const chunk = 'x'.repeat(8 * 2 ** 20);
    server = createServer((_req, res) => {
      const sink = responseSink(res as unknown as Response);
      res.writeHead(200, { 'content-type': 'text/plain' });
      (async () => {
        for (let i = 0; i < 100; i++) await sink.write(chunk);
        return 'all written';
      })().then(settle, settle);
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const request = get({ host: '127.0.0.1', port, path: '/' }, (res) => {
      // the first bytes, then the client goes away without reading the rest
      res.once('data', () => request.destroy());
    });
    request.on('error', () => undefined);

    expect(await outcome).toBeInstanceOf(ClientGoneError);
  });
});
