/** Description matches of items (fct_item_match_suggestions) and analysts' decisions on them. */
import { z } from 'zod';
import { runOperation } from '../../owner/operations.ts';
import type { ApiContext } from '../context.ts';
import { route } from '../route.ts';

const READERS = ['procurement', 'finance', 'admin'] as const;
const matchId = z.string().regex(/^[a-f0-9]{32}$/, 'a match id (32 hex digits)');

export function itemRoutes(context: ApiContext) {
  return [
    route({
      method: 'get',
      path: '/api/v1/items/matches',
      tag: 'items',
      summary: 'Description matches suggested as one item, with their score and status',
      access: READERS,
      query: z.strictObject({
        status: z.enum(['suggested', 'confirmed', 'split', 'new-variants']).optional(),
      }),
      handler: async ({ query }) => ({ matches: await runOperation(context.db, 'items.matches', query) }),
    }),
    route({
      method: 'post',
      path: '/api/v1/items/matches/:matchId',
      tag: 'items',
      summary: 'Confirm a description match as one item, or split it (applied at the next transform run)',
      access: ['procurement', 'admin'],
      params: z.strictObject({ matchId }),
      body: z.strictObject({ decision: z.enum(['confirm', 'split']), note: z.string().max(1000).optional() }),
      status: 201,
      handler: async ({ params, body, principal, audit }) => {
        const decidedBy = principal.kind === 'key' ? principal.name : 'anonymous';
        const result = await runOperation(context.db, 'items.decide', {
          matchId: params.matchId,
          decision: body.decision,
          decidedBy,
          note: body.note,
        });
        audit({ target: `items:${params.matchId}`, after: { decision: body, result } });
        return result;
      },
    }),
  ];
}
