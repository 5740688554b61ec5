/** The register of bodies: who takes part, since when, and its lifecycle (admin changes it). */
import { z } from 'zod';
import type { Body } from '../../lib/bodies.ts';
import { newBody } from '../../lib/bodies.ts';
import { runOperation } from '../../owner/operations.ts';
import type { ApiContext } from '../context.ts';
import { HttpError } from '../problem.ts';
import { route } from '../route.ts';
import { bodyId, bodySchema } from '../schemas.ts';

const ALL = ['body', 'procurement', 'finance', 'admin'] as const;

export function bodyRoutes(context: ApiContext) {
  const list = async () => (await runOperation(context.db, 'bodies.list', {})) as Body[];
  return [
    route({
      method: 'get',
      path: '/api/v1/bodies',
      tag: 'bodies',
      summary: 'The register of participating bodies',
      access: ALL,
      response: z.object({ bodies: z.array(bodySchema) }),
      handler: async () => ({ bodies: await list() }),
    }),
    route({
      method: 'get',
      path: '/api/v1/bodies/:bodyId',
      tag: 'bodies',
      summary: 'One body of the register',
      access: ALL,
      params: z.strictObject({ bodyId }),
      response: bodySchema,
      handler: async ({ params }) => {
        const body = (await list()).find((b) => b.bodyId === params.bodyId);
        if (!body) throw new HttpError(404, `Body "${params.bodyId}" is not registered.`);
        return body;
      },
    }),
    route({
      method: 'put',
      path: '/api/v1/bodies/:bodyId',
      tag: 'bodies',
      summary:
        'Register a body (the same details again change nothing; other details for a registered body are a 409)',
      access: ['admin'],
      params: z.strictObject({ bodyId }),
      body: newBody.omit({ bodyId: true }),
      response: z.object({ body: bodySchema, created: z.boolean() }),
      handler: async ({ params, body, audit }) => {
        const before = (await list()).find((b) => b.bodyId === params.bodyId) ?? null;
        const result = (await runOperation(context.db, 'bodies.add', { ...body, bodyId: params.bodyId })) as {
          body: Body;
          created: boolean;
        };
        audit({ target: `body:${params.bodyId}`, before, after: result.body });
        return result;
      },
    }),
  ];
}
