/** Ingest status: committed offsets per partition, and what the ingest service reports (lag, dead letters). */
import { runOperation } from '../../owner/operations.ts';
import type { ApiContext } from '../context.ts';
import { route } from '../route.ts';

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
  ];
}
