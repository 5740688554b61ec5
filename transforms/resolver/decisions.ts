/**
 * Analysts' decisions on supplier entities. A decision pins raw names (body + name exactly as
 * sent) to an entity id in `supplier_decisions`; the resolver honours the latest pin of every
 * name on each run, so decisions win over the algorithm:
 *
 * - confirm E: every name now in E stays together, and apart from other decided entities;
 * - merge E F …: every name now in E, F, … becomes one entity, E;
 * - split E --name body:name …: the names given leave E for a new entity; the rest stay in E.
 *
 * Decisions take effect on the next transforms run.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { inTransaction, queryRows } from '../../lib/db.ts';
import { UserError } from '../../lib/errors.ts';

export const decisionParams = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('confirm'),
    entities: z.array(z.string().min(1)).length(1),
    note: z.string().optional(),
  }),
  z.object({
    action: z.literal('merge'),
    entities: z.array(z.string().min(1)).min(2),
    note: z.string().optional(),
  }),
  z.object({
    action: z.literal('split'),
    entities: z.array(z.string().min(1)).length(1),
    names: z.array(z.object({ bodyId: z.string().min(1), name: z.string().min(1) })).min(1),
    note: z.string().optional(),
  }),
]);
export type DecisionParams = z.infer<typeof decisionParams>;

type Alias = { body_id: string; supplier_name: string; entity_id: string };

export type DecisionResult = {
  decisionId: number;
  pinned: { bodyId: string; name: string; entityId: string }[];
};

async function aliasesOf(conn: DuckDBConnection, entityId: string): Promise<Alias[]> {
  const rows = await queryRows<Alias>(
    conn,
    `select body_id, supplier_name, entity_id from int_supplier_matches
     where entity_id = $entityId order by body_id, supplier_name`,
    { entityId },
  );
  if (rows.length === 0) {
    throw new UserError(
      'not-found',
      `No supplier entity ${entityId} (as of the last transforms run; see "spend query dim_supplier_entities").`,
    );
  }
  return rows;
}

export async function recordDecision(
  conn: DuckDBConnection,
  params: DecisionParams,
): Promise<DecisionResult> {
  const pins: { bodyId: string; name: string; entityId: string }[] = [];
  const [first] = params.entities as [string];
  if (params.action === 'confirm' || params.action === 'merge') {
    for (const entityId of params.entities) {
      for (const alias of await aliasesOf(conn, entityId)) {
        pins.push({ bodyId: alias.body_id, name: alias.supplier_name, entityId: first });
      }
    }
  }
  const decisionId = Number(
    (await queryRows<{ id: string }>(conn, "select nextval('supplier_decision_seq')::varchar as id"))[0]?.id,
  );
  if (params.action === 'split') {
    const aliases = await aliasesOf(conn, first);
    const leaving = new Set<Alias>();
    for (const wanted of params.names) {
      // Names are matched exactly, or ignoring surrounding spaces (trailing NBSP is hard to type).
      const found = aliases.filter(
        (a) =>
          a.body_id === wanted.bodyId &&
          (a.supplier_name === wanted.name ||
            a.supplier_name.replace(/[\s\u00a0]+$/, '').trim() === wanted.name.trim()),
      );
      if (found.length === 0) {
        throw new UserError('not-found', `${wanted.bodyId}:${wanted.name} is not a name of entity ${first}.`);
      }
      for (const alias of found) leaving.add(alias);
    }
    if (leaving.size === aliases.length) {
      throw new UserError('invalid-input', `Splitting every name out of ${first} would leave it empty.`);
    }
    const newEntity = `A${decisionId}`;
    for (const alias of aliases) {
      pins.push({
        bodyId: alias.body_id,
        name: alias.supplier_name,
        entityId: leaving.has(alias) ? newEntity : first,
      });
    }
  }
  await inTransaction(conn, async () => {
    let rowNo = 0;
    for (const pin of pins) {
      await conn.run(
        `insert into supplier_decisions (decision_id, row_no, action, body_id, supplier_name, entity_id, note)
         values ($decisionId, $rowNo, $action, $bodyId, $name, $entityId, $note)`,
        { decisionId, rowNo: ++rowNo, action: params.action, ...pin, note: params.note ?? null },
      );
    }
  });
  return { decisionId, pinned: pins };
}
