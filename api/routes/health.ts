/** /healthz: the process answers. /readyz: the database and the Kafka broker answer too. */
import { z } from 'zod';
import { queryRows } from '../../lib/db.ts';
import type { ApiContext } from '../context.ts';
import { route } from '../route.ts';

export function healthRoutes(context: ApiContext) {
  return [
    route({
      method: 'get',
      path: '/healthz',
      tag: 'health',
      summary: 'The process is up',
      access: 'public',
      response: z.object({ status: z.literal('ok') }),
      handler: async () => ({ status: 'ok' }),
    }),
    route({
      method: 'get',
      path: '/readyz',
      tag: 'health',
      summary: 'The database and the Kafka broker answer (503 when either does not)',
      access: 'public',
      response: z.object({
        status: z.enum(['ready', 'not ready']),
        database: z.boolean(),
        broker: z.boolean(),
      }),
      handler: async ({ res }) => {
        const database = await context.db
          .withConnection((conn) => queryRows(conn, 'select 1 as ok'))
          .then(() => true)
          .catch(() => false);
        const broker = await context.brokerReachable().catch(() => false);
        const ready = database && broker;
        res.status(ready ? 200 : 503);
        return { status: ready ? 'ready' : 'not ready', database, broker };
      },
    }),
  ];
}
