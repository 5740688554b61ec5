/**
 * Membership (docs/membership.md): the register with each body's history, the changes of a
 * period (the partnership report's "membership changes"), and moving a body along its lifecycle.
 */
import { z } from 'zod';
import { isoDate } from '../../lib/fields.ts';
import {
  MEMBERSHIP_CHANGES,
  type MembershipEvent,
  type MembershipRegister,
  membershipChangeParams,
} from '../../lib/membership.ts';
import { runOperation } from '../../owner/operations.ts';
import type { ApiContext } from '../context.ts';
import { route } from '../route.ts';
import { bodyId, bodySchema } from '../schemas.ts';

const eventSchema = z.object({
  eventId: z.number(),
  bodyId: z.string(),
  change: z.enum(MEMBERSHIP_CHANGES),
  status: z.string(),
  effectiveOn: z.string(),
  joinedOn: z.string().nullable(),
  leftOn: z.string().nullable(),
  servicesInScope: z.array(z.string()),
  note: z.string().nullable(),
  recordedBy: z.string(),
  recordedAt: z.string(),
});

const registerSchema = z.object({
  bodies: z.array(bodySchema.extend({ history: z.array(eventSchema) })),
  counts: z.object({ prospective: z.number(), active: z.number(), left: z.number() }),
});

const ALL = ['body', 'procurement', 'finance', 'admin'] as const;

export function membershipRoutes(context: ApiContext) {
  return [
    route({
      method: 'get',
      path: '/api/v1/membership',
      tag: 'membership',
      summary: 'The membership register: each body’s status, dates, services in scope and history',
      access: ALL,
      response: registerSchema,
      handler: async () => (await runOperation(context.db, 'members.register', {})) as MembershipRegister,
    }),
    route({
      method: 'get',
      path: '/api/v1/membership/events',
      tag: 'membership',
      summary: 'Membership changes taking effect in a period (from/to inclusive), oldest first',
      access: ALL,
      query: z.strictObject({ from: isoDate.optional(), to: isoDate.optional(), bodyId: bodyId.optional() }),
      response: z.object({ events: z.array(eventSchema) }),
      handler: async ({ query }) => ({
        events: (await runOperation(context.db, 'members.events', query)) as MembershipEvent[],
      }),
    }),
    route({
      method: 'post',
      path: '/api/v1/membership/:bodyId/changes',
      tag: 'membership',
      summary: 'Move a body along its lifecycle (join, leave) or change its services in scope',
      access: ['admin'],
      params: z.strictObject({ bodyId }),
      body: membershipChangeParams.omit({ bodyId: true, by: true }),
      status: 201,
      response: z.object({ event: eventSchema }),
      handler: async ({ params, body, principal, audit }) => {
        const by = principal.kind === 'key' ? principal.name : 'anonymous';
        const result = (await runOperation(context.db, 'members.change', {
          ...body,
          bodyId: params.bodyId,
          by,
        })) as { event: MembershipEvent };
        audit({ target: `body:${params.bodyId}`, after: result.event });
        return { event: result.event };
      },
    }),
  ];
}
