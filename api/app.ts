/**
 * The HTTP API, hosted by `spend serve`. For now: health and per-body stats, as JSON or as
 * Arrow IPC (Accept: application/vnd.apache.arrow.stream) for the dashboards. Money stays a
 * decimal string in both forms.
 */
import type { Server } from 'node:http';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Database } from '../lib/db.ts';
import type { Logger } from '../lib/log.ts';
import { readStats } from '../lib/stats.ts';

const ARROW_STREAM = 'application/vnd.apache.arrow.stream';

export function createApp(db: Database, log: Logger): express.Express {
  const app = express();
  app.disable('x-powered-by');

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/api/stats', async (req, res) => {
    const stats = await db.withConnection(readStats);
    if (req.accepts(['application/json', ARROW_STREAM]) === ARROW_STREAM) {
      const b = stats.bodies;
      const table = tableFromArrays({
        bodyId: b.map((x) => x.bodyId),
        invoices: Int32Array.from(b.map((x) => x.invoices)),
        invoiceLines: Int32Array.from(b.map((x) => x.invoiceLines)),
        purchaseOrders: Int32Array.from(b.map((x) => x.purchaseOrders)),
        rejected: Int32Array.from(b.map((x) => x.rejected)),
        netTotal: b.map((x) => x.netTotal),
        firstInvoiceDate: b.map((x) => x.firstInvoiceDate ?? ''),
        lastInvoiceDate: b.map((x) => x.lastInvoiceDate ?? ''),
      });
      res.type(ARROW_STREAM).send(Buffer.from(tableToIPC(table, 'stream')));
      return;
    }
    res.json(stats);
  });

  // One error boundary: unknown errors are logged and answered with a plain problem+json 500.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    log.error({ err: error }, 'API request failed');
    res.status(500).type('application/problem+json').json({ title: 'Internal Server Error', status: 500 });
  });
  return app;
}

export function startApi(db: Database, port: number, log: Logger, host = '127.0.0.1'): Promise<Server> {
  const app = createApp(db, log);
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, () => resolve(server));
    server.once('error', reject);
  });
}
