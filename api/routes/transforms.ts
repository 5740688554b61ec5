/** Transform runs: the latest per model, and starting one. */
import { z } from 'zod';
import { runOperation } from '../../owner/operations.ts';
import type { ApiContext } from '../context.ts';
import { route } from '../route.ts';

export function transformRoutes(context: ApiContext) {
  return [
    route({
      method: 'get',
      path: '/api/v1/transforms/runs',
      tag: 'transforms',
      summary: "Each model's latest run: when, how long, rows, full or incremental",
      access: ['procurement', 'finance', 'admin'],
      handler: async () => ({ runs: await runOperation(context.db, 'transforms.status', {}) }),
    }),
    route({
      method: 'post',
      path: '/api/v1/transforms/runs',
      tag: 'transforms',
      summary: 'Build the models now (all, or the selected ones and what they feed); answers when done',
      access: ['admin'],
      body: z.strictObject({
        full: z.boolean().default(false),
        select: z
          .array(z.string().regex(/^[a-z][a-z0-9_]{0,100}$/))
          .max(100)
          .default([]),
      }),
      status: 201,
      handler: async ({ body, audit }) => {
        const summary = await runOperation(context.db, 'transforms.run', {
          ...body,
          codelistsDir: context.settings.codelistsDir,
        });
        audit({ target: 'transforms', after: { request: body } });
        return summary;
      },
    }),
  ];
}
