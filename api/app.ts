/**
 * The HTTP API, hosted by `spend serve`: express 5, everything under /api/v1 declared once in
 * api/routes/ (one file per resource), validated with zod, described by the OpenAPI document
 * generated from the same schemas, guarded by API keys and roles (api/auth.ts). Errors are
 * problem+json (api/problem.ts). Tables answer JSON, CSV or Arrow IPC through lib/output.ts.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import cookieParser from 'cookie-parser';
import express from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { toArrowIpc } from '../lib/arrow.ts';
import type { Database } from '../lib/db.ts';
import type { Logger } from '../lib/log.ts';
import { type Column, MEDIA_TYPES } from '../lib/output.ts';
import { readStats } from '../lib/stats.ts';
import { recordAudit } from './audit.ts';
import { AccessControl, SESSION_COOKIE } from './auth.ts';
import { AnswerCache } from './cache.ts';
import {
  type ApiContext,
  type ApiSettings,
  DEFAULT_SETTINGS,
  type PartitionLagRow,
  type Uploader,
} from './context.ts';
import { dashboardRouter } from './dashboards.ts';
import { registerPipelineMetrics } from './metrics.ts';
import { docsRouter, openApiDocument } from './openapi.ts';
import { HttpError, problemHandler } from './problem.ts';
import { gatedDatabase, QueryGate, requestScope } from './query-gate.ts';
import { mountRoutes, type RouteSpec, route } from './route.ts';
import { accessRoutes } from './routes/access.ts';
import { bodyRoutes } from './routes/bodies.ts';
import { contractRoutes } from './routes/contracts.ts';
import { cubeRoutes } from './routes/cube.ts';
import { healthRoutes } from './routes/health.ts';
import { ingestRoutes } from './routes/ingest.ts';
import { itemRoutes } from './routes/items.ts';
import { mappingRoutes } from './routes/mappings.ts';
import { martRoutes } from './routes/marts.ts';
import { membershipRoutes } from './routes/membership.ts';
import { packRoutes } from './routes/packs.ts';
import { partnershipRoutes } from './routes/partnership.ts';
import { priceLineRoutes } from './routes/price-lines.ts';
import { SAVINGS_TEXT_TYPES, savingsRoutes } from './routes/savings.ts';
import { supplierRoutes } from './routes/suppliers.ts';
import { transformRoutes } from './routes/transforms.ts';
import { uploadRoutes } from './routes/uploads.ts';

export type ApiOptions = {
  settings?: Partial<ApiSettings>;
  uploader?: Uploader;
  brokerReachable?: () => Promise<boolean>;
  ingestStatus?: () => Promise<Record<string, unknown>>;
  consumerLag?: () => Promise<PartitionLagRow[]>;
  topics?: { invoices: string; purchaseOrders: string };
};

const STATS_COLUMNS: Column[] = [
  { name: 'bodyId', type: 'VARCHAR' },
  { name: 'invoices', type: 'INTEGER' },
  { name: 'invoiceLines', type: 'INTEGER' },
  { name: 'purchaseOrders', type: 'INTEGER' },
  { name: 'rejected', type: 'INTEGER' },
  // a decimal string, as in the JSON answer (the stats are summed in TypeScript, not typed by DuckDB)
  { name: 'netTotal', type: 'VARCHAR' },
  { name: 'firstInvoiceDate', type: 'VARCHAR' },
  { name: 'lastInvoiceDate', type: 'VARCHAR' },
];

function statsRoutes(context: ApiContext): RouteSpec[] {
  const handler: RouteSpec['handler'] = async ({ req, res }) => {
    const stats = await context.db.withConnection(readStats);
    if (req.accepts(['application/json', MEDIA_TYPES.arrow]) === MEDIA_TYPES.arrow) {
      const rows = stats.bodies.map((b) => ({
        ...b,
        firstInvoiceDate: b.firstInvoiceDate ?? '',
        lastInvoiceDate: b.lastInvoiceDate ?? '',
      }));
      res.type(MEDIA_TYPES.arrow).send(Buffer.from(toArrowIpc({ columns: STATS_COLUMNS, rows })));
      return;
    }
    return stats;
  };
  const spec = { tag: 'stats', summary: 'What is in the database, per body (JSON or Arrow IPC)', handler };
  return [
    route({ ...spec, method: 'get', path: '/api/v1/stats', access: ['procurement', 'finance', 'admin'] }),
    route({ ...spec, method: 'get', path: '/api/stats', access: ['procurement', 'finance', 'admin'] }),
  ];
}

/** The routes, for the app and for the OpenAPI document. */
export function apiRoutes(context: ApiContext): RouteSpec[] {
  return [
    ...healthRoutes(context),
    ...statsRoutes(context),
    ...bodyRoutes(context),
    ...membershipRoutes(context),
    ...packRoutes(context),
    ...uploadRoutes(context),
    ...mappingRoutes(context),
    ...cubeRoutes(context),
    ...martRoutes(context),
    ...priceLineRoutes(context),
    ...supplierRoutes(context),
    ...itemRoutes(context),
    ...contractRoutes(context),
    ...savingsRoutes(context),
    ...partnershipRoutes(context),
    ...transformRoutes(context),
    ...ingestRoutes(context),
    ...accessRoutes(context),
  ];
}

/** The key id in `Bearer cs_<keyId>_…` (never the secret), for rate limits and logs. */
const keyIdOf = (header: string | undefined) => /^Bearer\s+cs_([a-f0-9]{16})_/i.exec(header ?? '')?.[1];

export function createApp(rawDb: Database, log: Logger, options: ApiOptions = {}): express.Express {
  const settings = { ...DEFAULT_SETTINGS, ...options.settings };
  // every query a request makes waits for one of a few slots (the audit log, written after the
  // answer, does not)
  const gate = new QueryGate(settings.maxConcurrentQueries, settings.queryTimeoutMs);
  const db = gatedDatabase(rawDb, gate);
  const access = new AccessControl(db);
  const context: ApiContext = {
    db,
    log,
    settings,
    access,
    uploader: options.uploader,
    brokerReachable: options.brokerReachable ?? (async () => false),
    ingestStatus: options.ingestStatus ?? (async () => ({ running: false })),
    consumerLag: options.consumerLag,
    topics: options.topics,
  };
  const routes = apiRoutes(context);
  const document = openApiDocument([
    ...routes,
    route({
      method: 'get',
      path: '/api/v1/openapi.json',
      tag: 'meta',
      summary: 'This document',
      access: 'public',
      handler: async () => undefined,
    }),
    route({
      method: 'get',
      path: '/metrics',
      tag: 'meta',
      summary: 'Prometheus metrics',
      access: 'public',
      produces: ['text/plain'],
      handler: async () => undefined,
    }),
  ]);

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const latency = new Histogram({
    name: 'spend_http_request_duration_seconds',
    help: 'HTTP request latency by route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const uploads = new Counter({
    name: 'spend_uploads_total',
    help: 'Uploads over HTTP by outcome',
    labelNames: ['status'],
    registers: [registry],
  });
  const pipeline = registerPipelineMetrics(registry, context);
  const answers = new AnswerCache(db, pipeline.cacheOutcome);

  const app = express();
  app.locals.closeMetrics = () => {
    pipeline.close();
    access.dispose();
  };
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(
    pinoHttp<express.Request, express.Response, never>({
      logger: log,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id =
          typeof incoming === 'string' && /^[A-Za-z0-9._-]{1,100}$/.test(incoming) ? incoming : randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      // keys and session cookies never reach the log
      redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
    }),
  );
  app.use(helmet());
  app.use((req, res, next) => {
    const stop = latency.startTimer({ method: req.method });
    res.on('finish', () => {
      stop({
        route: (req.route as { path?: string } | undefined)?.path ?? 'unmatched',
        status: String(res.statusCode),
      });
      if (req.method === 'POST' && req.path === '/api/v1/uploads/multipart') {
        const statuses = (res.locals.uploadStatuses as string[] | undefined) ?? ['refused'];
        for (const status of statuses) uploads.inc({ status });
      }
      if (req.method === 'POST' && req.path === '/api/v1/uploads') {
        uploads.inc({
          status:
            res.statusCode < 300 ? String((res.locals.uploadStatus as string) ?? 'uploaded') : 'refused',
        });
      }
      recordAudit(rawDb, log, req, res);
    });
    next();
  });
  // the pages and their static files (no data in them) come before the API's rate limit
  app.use(dashboardRouter());
  app.use(
    rateLimit({
      windowMs: 60_000,
      limit: settings.rateLimitPerMinute,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      keyGenerator: (req) => {
        const keyId = keyIdOf(req.get('authorization'));
        if (keyId) return `key:${keyId}`;
        const session = (req.headers.cookie ?? '').includes(`${SESSION_COOKIE}=`);
        return `${session ? 'session' : 'address'}:${ipKeyGenerator(req.ip ?? '')}`;
      },
      handler: (_req, _res, next) =>
        next(new HttpError(429, 'Too many requests: slow down and try again in a minute.')),
    }),
  );
  // failed logins, per address: guessing keys is slow
  app.use(
    '/api/v1/session',
    rateLimit({
      windowMs: 15 * 60_000,
      limit: 20,
      skipSuccessfulRequests: true,
      keyGenerator: (req) => ipKeyGenerator(req.ip ?? ''),
      handler: (_req, _res, next) =>
        next(new HttpError(429, 'Too many failed logins from this address: wait 15 minutes.')),
    }),
  );
  app.use(cookieParser());
  app.use('/api/v1/contracts', express.json({ limit: '25mb' }));
  // agreements (YAML) and savings registers (CSV) come as the request body, as text
  app.use(
    ['/api/v1/agreements', '/api/v1/savings/loads'],
    express.text({ type: SAVINGS_TEXT_TYPES, limit: '25mb' }),
  );
  app.use(express.json({ limit: '1mb' }));

  app.get('/api/v1/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.use('/api/v1/docs', docsRouter());
  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  app.use(requestScope);
  const router = express.Router();
  mountRoutes(router, routes, (req, spec) => access.authorize(req, spec), answers);
  app.use(router);
  app.use((req, _res, next) =>
    next(new HttpError(404, `No route ${req.method} ${req.path}; see /api/v1/openapi.json.`)),
  );
  app.use(problemHandler(log));
  return app;
}

export function startApi(
  db: Database,
  port: number,
  log: Logger,
  host = '127.0.0.1',
  options: ApiOptions = {},
): Promise<Server> {
  const app = createApp(db, log, options);
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, () => resolve(server));
    server.on('close', () => (app.locals.closeMetrics as () => void)());
    server.once('error', reject);
  });
}
