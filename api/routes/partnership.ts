/**
 * Partnership performance over HTTP (docs/partnership.md): service levels against targets, the
 * documents behind breaches, the partner's investment against its commitments, and the quarterly
 * partnership report (JSON, or the print-ready HTML page). The same owner operations as
 * `spend service-levels|commitments|report partnership`. A body's key sees its own body's
 * service levels and breaches only; commitments and the report are for procurement, finance and
 * admin.
 */
import { z } from 'zod';
import { MEASURE_NAMES, renderPartnershipReport, runOperation } from '../../owner/operations.ts';
import type { Principal } from '../auth.ts';
import type { ApiContext } from '../context.ts';
import { HttpError } from '../problem.ts';
import { route } from '../route.ts';

const year = z.coerce.number().int().min(2000).max(2100);
const bodyId = z.string().min(1).max(63);
const flag = z.enum(['true', 'false']).transform((v) => v === 'true');

/** A body key is held to its own body; other roles may name any body or none. */
function scopeBody(principal: Principal, wanted: string | undefined) {
  if (principal.kind === 'key' && principal.role === 'body') {
    if (wanted && wanted !== principal.bodyId)
      throw new HttpError(403, "A body key reads its own body's service levels only.");
    return { body: principal.bodyId ?? '\u0000', bodiesOnly: true };
  }
  return { body: wanted, bodiesOnly: false };
}

export function partnershipRoutes(context: ApiContext) {
  return [
    route({
      method: 'get',
      path: '/api/v1/partnership/service-levels',
      tag: 'partnership',
      summary:
        "Service levels against the agreement's targets, by contract year or month, per body and for the partnership, with rows counted and left out (a body's key: its own rows only)",
      access: ['body', 'procurement', 'finance', 'admin'],
      query: z.strictObject({
        period: z.enum(['month', 'year']).optional(),
        year: year.optional(),
        body: bodyId.optional(),
        measure: z.enum(MEASURE_NAMES).optional(),
        breaches: flag.optional(),
      }),
      handler: async ({ query, principal }) => {
        const scope = scopeBody(principal, query.body);
        return runOperation(context.db, 'partnership.serviceLevels', {
          period: query.period ?? 'year',
          year: query.year,
          measure: query.measure,
          breachesOnly: query.breaches ?? false,
          ...scope,
        });
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/partnership/service-levels/breaches',
      tag: 'partnership',
      summary: "The documents explaining each body-month below a contractual target (a body's key: its own)",
      access: ['body', 'procurement', 'finance', 'admin'],
      query: z.strictObject({
        year: year.optional(),
        month: z
          .string()
          .regex(/^\d{4}-\d{2}$/, 'YYYY-MM')
          .optional(),
        body: bodyId.optional(),
        measure: z.enum(MEASURE_NAMES).optional(),
        limit: z.coerce.number().int().min(1).max(100_000).optional(),
      }),
      handler: async ({ query, principal }) => {
        const { body } = scopeBody(principal, query.body);
        return runOperation(context.db, 'partnership.breaches', {
          ...query,
          body,
          limit: query.limit ?? 1000,
        });
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/partnership/commitments',
      tag: 'partnership',
      summary:
        "The partner's investment against its commitments per contract year and category, with totals and (entries=true) the investment entries behind them",
      access: ['procurement', 'finance', 'admin'],
      query: z.strictObject({ year: year.optional(), entries: flag.optional() }),
      handler: async ({ query }) =>
        runOperation(context.db, 'partnership.commitments', {
          year: query.year,
          entries: query.entries ?? false,
        }),
    }),
    route({
      method: 'get',
      path: '/api/v1/partnership/report',
      tag: 'partnership',
      summary:
        'The quarterly partnership report (spend and buying power, savings against guarantees, service levels, commitments, membership): JSON, or format=html for the print-ready page',
      access: ['procurement', 'finance', 'admin'],
      query: z.strictObject({
        quarter: z.string().regex(/^\d{4}Q[1-4]$/, 'YYYYQn, e.g. 2025Q3'),
        format: z.enum(['json', 'html']).optional(),
      }),
      produces: ['text/html'],
      handler: async ({ req, res, query }) => {
        const report = (await runOperation(context.db, 'partnership.report', {
          quarter: query.quarter,
        })) as Parameters<typeof renderPartnershipReport>[0];
        const asked =
          query.format ?? (req.accepts(['application/json', 'text/html']) === 'text/html' ? 'html' : 'json');
        if (asked === 'html') {
          res.type('text/html').send(renderPartnershipReport(report));
          return;
        }
        return report;
      },
    }),
  ];
}
