/**
 * Savings against guarantees over HTTP: the agreement and the CSV registers loaded as the
 * request body (the same owner operations as `spend agreements|savings`), the statement (JSON or
 * CSV), explain, and sign-off. Who loads or signs off is the calling key's name, never a field.
 */
import { z } from 'zod';
import type { JsonValue } from '../../lib/output.ts';
import { CSV_LOADS, runOperation, statementCsv } from '../../owner/operations.ts';
import type { Principal } from '../auth.ts';
import type { ApiContext } from '../context.ts';
import { HttpError } from '../problem.ts';
import { route } from '../route.ts';
import { fileName } from './uploads.ts';

const year = z.coerce.number().int().min(2000).max(2100);
const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
const loadResult = z.object({
  kind: z.string(),
  file: z.string(),
  status: z.enum(['loaded', 'unchanged']),
  version: z.number(),
  loadId: z.number(),
  rows: z.number(),
  errors: z.array(z.string()),
});

type Statement = {
  rows: Record<string, JsonValue>[];
  totals: Record<string, JsonValue>;
};

/** The request body as text (YAML or CSV, read by express.text in api/app.ts). */
function textBody(body: unknown): string {
  if (typeof body !== 'string' || body.length === 0)
    throw new HttpError(
      400,
      'Send the file as the request body (Content-Type text/csv or application/yaml).',
    );
  return body;
}

const keyName = (principal: Principal) => (principal.kind === 'key' ? principal.name : 'anonymous');

/** The media types whose bodies these routes read as text. */
export const SAVINGS_TEXT_TYPES = ['text/*', 'application/yaml', 'application/x-yaml'];

export function savingsRoutes(context: ApiContext) {
  return [
    route({
      method: 'post',
      path: '/api/v1/agreements',
      tag: 'savings',
      summary:
        'Load a new version of the agreement: the YAML file as the request body (docs/savings.md); the next transform run applies it',
      access: ['admin'],
      rawBody: 'application/yaml',
      query: z.strictObject({ filename: fileName.default('agreement.yaml') }),
      response: loadResult,
      status: 201,
      handler: async ({ req, query, principal, audit }) => {
        const result = await runOperation(context.db, 'agreements.load', {
          file: { name: query.filename, text: textBody(req.body) },
          by: keyName(principal),
        });
        audit({ target: 'agreement', after: result });
        return result;
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/savings/loads/:kind',
      tag: 'savings',
      summary:
        'Load a new version of a savings register (register, service-charges, sales, evidence, price-index): the CSV as the request body',
      access: ['finance', 'admin'],
      rawBody: 'text/csv',
      params: z.strictObject({ kind: z.enum(CSV_LOADS) }),
      query: z.strictObject({ filename: fileName.optional() }),
      response: loadResult,
      status: 201,
      handler: async ({ req, params, query, principal, audit }) => {
        const result = await runOperation(context.db, 'savings.load', {
          kind: params.kind,
          file: { name: query.filename ?? `${params.kind}.csv`, text: textBody(req.body) },
          by: keyName(principal),
        });
        audit({ target: `savings:${params.kind}`, after: result });
        return result;
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/savings/loads',
      tag: 'savings',
      summary: 'Every version loaded of the agreement and the registers: who, when, rows',
      access: ['finance', 'admin'],
      handler: async () => ({ loads: await runOperation(context.db, 'savings.loads', {}) }),
    }),
    route({
      method: 'get',
      path: '/api/v1/savings/statement',
      tag: 'savings',
      summary:
        'Delivered against guaranteed for a contract year, per stream and body, with totals (JSON, or CSV: rows then a total line)',
      access: ['procurement', 'finance', 'admin'],
      query: z.strictObject({
        year,
        body: z.string().min(1).max(63).optional(),
        asOf: isoDay.optional(),
        format: z.enum(['json', 'csv']).optional(),
      }),
      produces: ['text/csv'],
      handler: async ({ req, res, query }) => {
        const { format, ...params } = query;
        const result = (await runOperation(context.db, 'savings.statement', params)) as Statement;
        const asked =
          format ?? (req.accepts(['application/json', 'text/csv']) === 'text/csv' ? 'csv' : 'json');
        if (asked === 'csv') {
          res
            .type('text/csv')
            .attachment(`savings-statement-${query.year}.csv`)
            .send(statementCsv(result, query.year));
          return;
        }
        return result;
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/savings/explain',
      tag: 'savings',
      summary:
        'The records behind a figure (realised now, or validated at the latest sign-off), or one record in full',
      access: ['finance', 'admin'],
      query: z.strictObject({
        year,
        stream: z
          .enum(['procurement', 'services_transferred', 'consequential', 'third_party_revenue_share'])
          .optional(),
        body: z.string().min(1).max(63).optional(),
        figure: z.enum(['realised', 'validated']).optional(),
        record: z.string().min(1).max(200).optional(),
      }),
      handler: async ({ query }) => runOperation(context.db, 'savings.explain', query),
    }),
    route({
      method: 'get',
      path: '/api/v1/savings/signoffs',
      tag: 'savings',
      summary: 'Every sign-off: contract year, through when, who, the frozen total and its content hash',
      access: ['finance', 'admin'],
      handler: async () => ({ signoffs: await runOperation(context.db, 'savings.signoffs', {}) }),
    }),
    route({
      method: 'get',
      path: '/api/v1/savings/baselines',
      tag: 'savings',
      summary:
        "Each body's baseline prices, versioned: the current version of each, or (history=true) every change with before, after, the lines that caused it, when and which transforms run",
      access: ['finance', 'admin'],
      query: z.strictObject({
        body: z.string().min(1).max(63).optional(),
        history: z.enum(['true', 'false']).optional(),
      }),
      handler: async ({ query }) => {
        const history = query.history === 'true';
        const rows = await runOperation(context.db, 'savings.baselines', {
          ...(query.body ? { body: query.body } : {}),
          history,
        });
        return history ? { changes: rows } : { baselines: rows };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/savings/signoffs',
      tag: 'savings',
      summary:
        "Sign off a contract year's figures (through a month, or the whole year), freezing them; signed by the calling key",
      access: ['finance'],
      body: z.strictObject({
        year: z.number().int().min(2000).max(2100),
        period: z
          .string()
          .regex(/^\d{4}-\d{2}$/, 'YYYY-MM')
          .optional(),
        comment: z.string().trim().min(1).max(2000),
      }),
      status: 201,
      handler: async ({ body, principal, audit }) => {
        const result = await runOperation(context.db, 'savings.signoff', { ...body, by: keyName(principal) });
        audit({ target: `savings:signoff:${body.year}`, after: result });
        return result;
      },
    }),
  ];
}
