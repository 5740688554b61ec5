/** A body's saved column mappings (file layout → fields), as `spend mapping show|save` reads and writes them. */
import { z } from 'zod';
import { OPERATIONS, runOperation } from '../../owner/operations.ts';
import type { Principal } from '../auth.ts';
import type { ApiContext } from '../context.ts';
import { HttpError } from '../problem.ts';
import { route } from '../route.ts';
import { bodyId } from '../schemas.ts';

function forBody(principal: Principal, wanted: string): void {
  if (principal.kind === 'key' && principal.role === 'body' && principal.bodyId !== wanted) {
    throw new HttpError(403, "A body key reads and saves its own body's mappings only.");
  }
}

export function mappingRoutes(context: ApiContext) {
  return [
    route({
      method: 'get',
      path: '/api/v1/bodies/:bodyId/mappings',
      tag: 'mappings',
      summary: "The body's saved column mappings, by file layout fingerprint",
      access: ['body', 'procurement', 'admin'],
      ownBodyOnly: true,
      params: z.strictObject({ bodyId }),
      handler: async ({ params, principal }) => {
        forBody(principal, params.bodyId);
        return { mappings: await runOperation(context.db, 'mappings.list', { bodyId: params.bodyId }) };
      },
    }),
    route({
      method: 'put',
      path: '/api/v1/bodies/:bodyId/mappings/:fingerprint',
      tag: 'mappings',
      summary: 'Save the column mapping of a file layout (used by the next upload of that layout)',
      access: ['body', 'admin'],
      ownBodyOnly: true,
      params: z.strictObject({ bodyId, fingerprint: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/) }),
      // the save operation's own schema, less what the path says
      body: OPERATIONS['mappings.save'].params.omit({ bodyId: true, fingerprint: true }),
      handler: async ({ params, body, principal, audit }) => {
        forBody(principal, params.bodyId);
        const before = (
          (await runOperation(context.db, 'mappings.list', { bodyId: params.bodyId })) as {
            fingerprint: string;
          }[]
        ).find((m) => m.fingerprint === params.fingerprint);
        const saved = await runOperation(context.db, 'mappings.save', { ...body, ...params });
        audit({
          target: `mapping:${params.bodyId}:${params.fingerprint}`,
          before: before ?? null,
          after: saved ?? body,
        });
        return saved ?? { saved: true };
      },
    }),
  ];
}
