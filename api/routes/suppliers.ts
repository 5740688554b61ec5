/** Supplier entities, the names each body sends for them and why they match; analysts' decisions. */
import { z } from 'zod';
import { runOperation } from '../../owner/operations.ts';
import type { ApiContext } from '../context.ts';
import { route } from '../route.ts';
import { pageQuery, TABLE_MEDIA, tableResponse } from '../schemas.ts';
import { sendMart } from './marts.ts';

const READERS = ['procurement', 'finance', 'admin'] as const;
const entity = z.string().regex(/^[A-Za-z0-9:_.-]{1,100}$/, 'a supplier entity id');
const note = z.string().max(1000).optional();

/** The resolver's decisions (transforms/resolver/decisions.ts), refusing unknown fields. */
const decision = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('confirm'), entities: z.array(entity).length(1), note }),
  z.strictObject({ action: z.literal('merge'), entities: z.array(entity).min(2).max(100), note }),
  z.strictObject({
    action: z.literal('split'),
    entities: z.array(entity).length(1),
    names: z
      .array(z.strictObject({ bodyId: z.string().min(1).max(63), name: z.string().min(1).max(500) }))
      .min(1)
      .max(1000),
    note,
  }),
]);

export function supplierRoutes(context: ApiContext) {
  return [
    route({
      method: 'get',
      path: '/api/v1/suppliers',
      cachedPerRun: true,
      tag: 'suppliers',
      summary: 'Supplier entities: name, identifiers, bodies',
      access: READERS,
      query: z.strictObject({ ...pageQuery }),
      response: tableResponse,
      produces: TABLE_MEDIA,
      handler: async ({ req, res, query, principal }) => {
        await sendMart(context, { req, res }, principal, 'dim_supplier_entities', {
          ...query,
          where: undefined,
        });
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/suppliers/aliases',
      cachedPerRun: true,
      tag: 'suppliers',
      summary: 'Every supplier name as each body sends it, and the entity it resolves to',
      access: READERS,
      handler: async () => ({ aliases: await runOperation(context.db, 'suppliers.aliases', {}) }),
    }),
    route({
      method: 'get',
      path: '/api/v1/suppliers/why',
      tag: 'suppliers',
      summary:
        'Why two supplier names were, or were not, resolved to one entity: the evidence and the guards',
      access: READERS,
      query: z.strictObject({
        a: z.string().min(1).max(500),
        b: z.string().min(1).max(500),
        bodyA: z.string().min(1).max(63).optional(),
        bodyB: z.string().min(1).max(63).optional(),
      }),
      handler: async ({ query }) => runOperation(context.db, 'suppliers.why', query),
    }),
    route({
      method: 'get',
      path: '/api/v1/suppliers/:entityId',
      cachedPerRun: true,
      tag: 'suppliers',
      summary: "An entity's names, identifiers and match reasons",
      access: READERS,
      params: z.strictObject({ entityId: entity }),
      handler: async ({ params }) => ({
        entityId: params.entityId,
        matches: await runOperation(context.db, 'suppliers.show', { entity: params.entityId }),
      }),
    }),
    route({
      method: 'post',
      path: '/api/v1/suppliers/decisions',
      tag: 'suppliers',
      summary: 'Confirm, merge or split supplier entities (applied at the next transform run)',
      access: ['procurement', 'admin'],
      body: decision,
      status: 201,
      handler: async ({ body, audit }) => {
        const result = await runOperation(context.db, 'suppliers.decide', body);
        audit({ target: `suppliers:${body.entities.join(',')}`, after: { decision: body, result } });
        return result;
      },
    }),
  ];
}
