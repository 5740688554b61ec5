/**
 * The transforms' operations, served by the owning process like every other operation
 * (owner/operations.ts spreads them in), so `spend transforms|suppliers|query|sql` work whether
 * or not `spend serve` is running.
 */
import { z } from 'zod';
import { queryRows } from '../lib/db.ts';
import { UserError } from '../lib/errors.ts';
import { op } from '../lib/operation.ts';
import { contractsLoadParams, loadContracts } from './contracts/store.ts';
import {
  buildModelQuery,
  martQueryParams,
  parseWhere,
  queryModel,
  runReadOnlySql,
  sqlQueryParams,
} from './query.ts';
import { decisionParams, recordDecision } from './resolver/decisions.ts';
import { explainPair, UnknownNameError } from './resolver/explain.ts';
import { type AliasRow, aliasInput, publicBodyRegister, readPins } from './resolver/model.ts';
import { lastRuns, runTransforms } from './runner.ts';

export type AliasLine = { body: string; name: string; entity: string | null };

export const TRANSFORM_OPERATIONS = {
  'transforms.run': op({
    params: z.object({
      full: z.boolean().default(false),
      select: z.array(z.string()).default([]),
      // the caller's SPEND_CODELISTS_DIR; absent means none (the run warns and goes on without)
      codelistsDir: z.string().min(1).nullable().default(null),
    }),
    run: (db, params) => runTransforms(db, params),
  }),
  'contracts.load': op({
    params: contractsLoadParams,
    run: (db, params) => db.withConnection((conn) => loadContracts(conn, params)),
  }),
  'transforms.status': op({ params: z.object({}), run: (db) => db.withConnection(lastRuns) }),
  'suppliers.aliases': op({
    params: z.object({}),
    run: (db) =>
      db.withConnection(
        async (conn): Promise<AliasLine[]> =>
          (
            await queryRows<{ body_id: string; supplier_name: string; entity_id: string | null }>(
              conn,
              'select body_id, supplier_name, entity_id from int_supplier_matches order by body_id, supplier_name',
            )
          ).map((r) => ({ body: r.body_id, name: r.supplier_name, entity: r.entity_id })),
      ),
  }),
  'suppliers.show': op({
    params: z.object({ entity: z.string().min(1) }),
    run: (db, { entity }) =>
      db.withConnection((conn) =>
        queryRows(
          conn,
          `select body_id, supplier_name, cleaned_name, reason, score, matched_body_id, matched_name,
                  vat_number, company_number, charity_number, public_body_code, public_body_match, decided
           from int_supplier_matches where entity_id = $entity order by body_id, supplier_name`,
          { entity },
        ),
      ),
  }),
  'suppliers.why': op({
    params: z.object({
      a: z.string().min(1),
      b: z.string().min(1),
      bodyA: z.string().min(1).optional(),
      bodyB: z.string().min(1).optional(),
    }),
    run: (db, params) =>
      db.withConnection(async (conn) => {
        // the names and decisions the last resolution read, resolved again keeping its evidence
        const rows = await queryRows<AliasRow>(
          conn,
          `select body_id, supplier_name, vat_numbers, company_numbers, charity_numbers, redacted
           from stg_supplier_aliases order by body_id, supplier_name`,
        );
        try {
          return explainPair(
            rows.map(aliasInput),
            await readPins(conn),
            { publicBodies: publicBodyRegister() },
            { bodyId: params.bodyA, name: params.a },
            { bodyId: params.bodyB, name: params.b },
          );
        } catch (error) {
          if (error instanceof UnknownNameError) throw new UserError('not-found', error.message);
          throw error;
        }
      }),
  }),
  'suppliers.decide': op({
    params: decisionParams,
    run: (db, params) => db.withConnection((conn) => recordDecision(conn, params)),
  }),
  'query.model': op({
    params: martQueryParams,
    run: (db, params) => db.withConnection((conn) => queryModel(conn, params, db.userSql)),
  }),
  /** The SELECT for a model with `column op value` filters (allow-listed, bound), for callers that stream it (the API). */
  'query.prepare': op({
    params: z.strictObject({ model: z.string().min(1), where: z.array(z.string()).default([]) }),
    run: (db, params) =>
      db.withConnection((conn) =>
        buildModelQuery(conn, { model: params.model, where: params.where.map(parseWhere) }),
      ),
  }),
  'query.sql': op({
    params: sqlQueryParams,
    run: (db, params) => db.withConnection((conn) => runReadOnlySql(conn, params, db.userSql)),
  }),
};
