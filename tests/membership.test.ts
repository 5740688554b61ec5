/**
 * The membership lifecycle on a real (in-memory) DuckDB with the real migrations:
 * prospective → active → left, services changes, the history and the refusals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import { addBody, listBodies } from '../lib/bodies.ts';
import { Database } from '../lib/db.ts';
import { changeMembership, listMembershipEvents, membershipRegister } from '../lib/membership.ts';

let db: Database;
beforeAll(async () => {
  db = await Database.open({ path: ':memory:', migrationsDir: MIGRATIONS_DIR });
});
afterAll(() => db.close());

const today = new Date().toISOString().slice(0, 10);

describe('membership lifecycle', () => {
  it('registers, joins, changes services and leaves, recording each change', async () => {
    await db.withConnection(async (conn) => {
      await addBody(conn, {
        bodyId: 'newtown',
        name: 'Newtown BC',
        status: 'prospective',
        joinedOn: '2025-04-01',
        servicesInScope: ['procurement'],
      });
      await addBody(conn, { bodyId: 'oldtown', name: 'Oldtown BC', joinedOn: '2023-04-01' });
      await changeMembership(conn, { bodyId: 'newtown', change: 'join', on: '2027-04-01', by: 't' });
      await changeMembership(conn, {
        bodyId: 'newtown',
        change: 'services',
        on: '2027-05-01',
        servicesInScope: ['procurement', 'payroll'],
        by: 't',
      });
      await changeMembership(conn, {
        bodyId: 'oldtown',
        change: 'leave',
        on: '2027-03-31',
        note: 'budget',
        by: 't',
      });

      const bodies = await listBodies(conn);
      expect(bodies.find((b) => b.bodyId === 'newtown')).toMatchObject({
        status: 'active',
        joinedOn: '2027-04-01',
        servicesInScope: ['procurement', 'payroll'],
      });
      expect(bodies.find((b) => b.bodyId === 'oldtown')).toMatchObject({
        status: 'left',
        leftOn: '2027-03-31',
      });

      const history = await listMembershipEvents(conn, { bodyId: 'newtown' });
      expect(history.map((e) => [e.change, e.status, e.effectiveOn])).toEqual([
        ['registered', 'prospective', today],
        ['joined', 'active', '2027-04-01'],
        ['services', 'active', '2027-05-01'],
      ]);
      // a period's changes: what the partnership report lists
      const quarter = await listMembershipEvents(conn, { from: '2027-01-01', to: '2027-06-30' });
      expect(quarter.map((e) => `${e.bodyId}:${e.change}`)).toEqual([
        'oldtown:left',
        'newtown:joined',
        'newtown:services',
      ]);
      expect(quarter[0]?.note).toBe('budget');

      const register = await membershipRegister(conn);
      expect(register.counts).toEqual({ prospective: 0, active: 1, left: 1 });
    });
  });

  it('refuses moves the lifecycle does not allow, changing nothing', async () => {
    await db.withConnection(async (conn) => {
      await addBody(conn, {
        bodyId: 'maybe',
        name: 'Maybe BC',
        status: 'prospective',
        joinedOn: '2026-01-01',
      });
      const before = await listMembershipEvents(conn);
      await expect(
        changeMembership(conn, { bodyId: 'maybe', change: 'leave', on: '2026-02-01' }),
      ).rejects.toThrow(/only an active body can leave/);
      await expect(
        changeMembership(conn, { bodyId: 'oldtown', change: 'join', on: '2026-02-01' }),
      ).rejects.toThrow(/only a prospective body can join/);
      await expect(
        changeMembership(conn, { bodyId: 'newtown', change: 'leave', on: '2025-01-01' }),
      ).rejects.toThrow(/before newtown joined/);
      await expect(
        changeMembership(conn, { bodyId: 'nobody', change: 'join', on: '2026-02-01' }),
      ).rejects.toThrow(/not registered/);
      expect(await listMembershipEvents(conn)).toEqual(before);
      expect((await listBodies(conn)).find((b) => b.bodyId === 'maybe')?.status).toBe('prospective');
    });
  });
});
