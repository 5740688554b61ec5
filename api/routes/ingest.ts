/**
 * Ingest status: committed offsets per partition, consumer lag, what the ingest service reports,
 * and the dead letters (rejected messages): listed, and replayed by an admin.
 */
import { z } from 'zod';
import { runOperation } from '../../owner/operations.ts';
import type { ApiContext } from '../context.ts';
import { HttpError } from '../problem.ts';
import { route } from '../route.ts';
import { bodyId, manyStrings } from '../schemas.ts';

/** The rejection reasons a dead letter carries (ingest/rejections.ts REJECTION_CODES; checked by the operation). */
const reason = z.string().regex(/^[a-z][a-z-]{0,60}$/, 'a rejection reason code');

export function ingestRoutes(context: ApiContext) {
  return [
    route({
      method: 'get',
      path: '/api/v1/ingest/status',
      tag: 'ingest',
      summary:
        'Offsets written with the data per topic partition, and the live service status (lag, dead letters)',
      access: ['procurement', 'finance', 'admin'],
      handler: async () => ({
        offsets: await runOperation(context.db, 'offsets', {}),
        service: await context.ingestStatus(),
      }),
    }),
    route({
      method: 'get',
      path: '/api/v1/ingest/lag',
      tag: 'ingest',
      summary:
        'Consumer lag per partition: the high watermark in Kafka against the next offset stored in DuckDB',
      access: ['procurement', 'finance', 'admin'],
      response: z.object({
        behind: z.string(),
        partitions: z.array(
          z.object({
            topic: z.string(),
            partition: z.number(),
            stored: z.string(),
            high: z.string(),
            behind: z.string(),
          }),
        ),
      }),
      handler: async () => {
        if (!context.consumerLag)
          throw new HttpError(503, 'Consumer lag is not available: this server has no Kafka settings.');
        const partitions = await context.consumerLag();
        const behind = partitions.reduce((sum, p) => sum + BigInt(p.behind), 0n);
        return { behind: behind.toString(), partitions };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/ingest/dead-letters',
      tag: 'ingest',
      summary: 'Rejected messages still outstanding (not replayed), filtered by body and reason',
      access: ['procurement', 'finance', 'admin'],
      query: z.strictObject({
        bodyId: bodyId.optional(),
        reason: manyStrings(reason).optional(),
        limit: z.coerce.number().int().positive().max(100_000).default(1000),
      }),
      handler: async ({ query }) =>
        runOperation(context.db, 'deadLetters.list', {
          ...(query.bodyId ? { bodyId: query.bodyId } : {}),
          ...(query.reason ? { reasons: query.reason } : {}),
          limit: query.limit,
        }),
    }),
    route({
      method: 'post',
      path: '/api/v1/ingest/dead-letters/replay',
      tag: 'ingest',
      summary:
        'Replay the outstanding rejected messages (all, or of a body / reasons): those now valid are stored, the rest stay',
      access: ['admin'],
      body: z.strictObject({
        bodyId: bodyId.optional(),
        reasons: z.array(reason).max(20).optional(),
      }),
      handler: async ({ body, audit }) => {
        if (!context.topics)
          throw new HttpError(503, 'Replay is not available: this server has no topic settings.');
        const result = await runOperation(context.db, 'deadLetters.replay', {
          ...body,
          topics: context.topics,
        });
        audit({ target: 'dead-letters', before: { filter: body }, after: result });
        return result;
      },
    }),
  ];
}
