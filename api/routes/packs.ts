/**
 * The membership packs (docs/membership.md): the due-diligence spend pack for any partnership
 * bodies and period, and a prospective body's case for joining. JSON, one section as CSV
 * (`format=csv&section=…`), or the printable page (`format=html`).
 */
import type { Response } from 'express';
import { z } from 'zod';
import { isoDate } from '../../lib/fields.ts';
import { type Pack, packCsvFiles, packHtml, runOperation } from '../../owner/operations.ts';
import type { ApiContext } from '../context.ts';
import { HttpError } from '../problem.ts';
import { route } from '../route.ts';
import { bodyId, manyStrings } from '../schemas.ts';

const formats = {
  format: z.enum(['json', 'csv', 'html']).default('json'),
  section: z
    .string()
    .regex(/^[a-z_]{1,40}$/)
    .optional()
    .meta({ description: 'with format=csv: summary, caveats or a section name (default summary)' }),
};

const packSchema = z.object({
  kind: z.string(),
  title: z.string(),
  subtitle: z.string(),
  generatedAt: z.string(),
  summary: z.array(z.object({ label: z.string(), value: z.string() })),
  sections: z.array(
    z.object({
      name: z.string(),
      title: z.string(),
      note: z.string().optional(),
      table: z.object({
        columns: z.array(z.object({ name: z.string(), type: z.string() })),
        rows: z.array(z.record(z.string(), z.unknown())),
      }),
    }),
  ),
  caveats: z.array(z.string()),
});

function send(
  res: Response,
  pack: Pack,
  query: { format: string; section?: string },
  file: string,
): Pack | undefined {
  if (query.format === 'html') {
    res.type('text/html').send(packHtml(pack));
    return;
  }
  if (query.format === 'csv') {
    const name = `${query.section ?? 'summary'}.csv`;
    const csv = packCsvFiles(pack).get(name);
    if (csv === undefined) {
      throw new HttpError(
        404,
        `No section ${query.section}: ${['summary', 'caveats', ...pack.sections.map((s) => s.name)].join(', ')}.`,
      );
    }
    res.type('text/csv').attachment(`${file}-${name}`).send(csv);
    return;
  }
  return pack;
}

export function packRoutes(context: ApiContext) {
  return [
    route({
      method: 'get',
      path: '/api/v1/packs/due-diligence',
      tag: 'membership',
      summary:
        'Due-diligence spend pack for partnership bodies and a period: by category, supplier, body, month; contracts; addressable or not; coverage and caveats',
      access: ['procurement', 'finance', 'admin'],
      query: z.strictObject({
        bodies: manyStrings(bodyId).optional(),
        from: isoDate,
        to: isoDate,
        ...formats,
      }),
      response: packSchema,
      produces: ['text/csv', 'text/html'],
      handler: async ({ res, query }) => {
        const { format, section, ...params } = query;
        const pack = (await runOperation(context.db, 'packs.due-diligence', params)) as Pack;
        return send(res, pack, { format, section }, `due-diligence-${params.from}-${params.to}`);
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/packs/case-for-joining/:bodyId',
      tag: 'membership',
      summary:
        'A prospective body’s case for joining: addressable spend by category, shared suppliers, saving at partnership prices, contracts and windows it could join',
      access: ['body', 'procurement', 'finance', 'admin'],
      ownBodyOnly: true,
      params: z.strictObject({ bodyId }),
      query: z.strictObject({ asOf: isoDate.optional(), ...formats }),
      response: packSchema,
      produces: ['text/csv', 'text/html'],
      handler: async ({ res, params, query }) => {
        const { format, section, ...rest } = query;
        const pack = (await runOperation(context.db, 'packs.case-for-joining', {
          ...rest,
          bodyId: params.bodyId,
        })) as Pack;
        return send(res, pack, { format, section }, `case-for-joining-${params.bodyId}`);
      },
    }),
  ];
}
