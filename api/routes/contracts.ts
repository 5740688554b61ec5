/** The contract register (from OCDS releases), and loading release packages. */
import { z } from 'zod';
import { runOperation } from '../../owner/operations.ts';
import type { ApiContext } from '../context.ts';
import { route } from '../route.ts';
import { bodyId, manyStrings, pageQuery, TABLE_MEDIA, tableResponse } from '../schemas.ts';
import { sendMart } from './marts.ts';
import { fileName } from './uploads.ts';

export function contractRoutes(context: ApiContext) {
  return [
    route({
      method: 'get',
      path: '/api/v1/contracts',
      tag: 'contracts',
      summary: 'The contract register (fct_contracts), filtered on its columns',
      access: ['procurement', 'finance', 'admin'],
      query: z.strictObject({ where: manyStrings(z.string().min(1).max(500)).optional(), ...pageQuery }),
      response: tableResponse,
      produces: TABLE_MEDIA,
      handler: async ({ req, res, query, principal }) => {
        await sendMart(context, { req, res }, principal, 'fct_contracts', query);
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/contracts',
      tag: 'contracts',
      summary: 'Load OCDS release packages (JSON text); contracts appear after the next transform run',
      access: ['admin'],
      body: z.strictObject({
        files: z
          .array(z.strictObject({ name: fileName, text: z.string().max(20_000_000) }))
          .min(1)
          .max(50),
        bodyId: bodyId.optional(),
      }),
      status: 201,
      handler: async ({ body, audit }) => {
        const result = await runOperation(context.db, 'contracts.load', body);
        audit({ target: 'contracts', after: result });
        return result;
      },
    }),
  ];
}
