/**
 * The TypeScript model `int_supplier_matches`: reads every raw supplier name per body
 * (stg_supplier_aliases) and analysts' pins (supplier_decisions, latest per name wins), resolves
 * them (resolve.ts) and writes one row per alias with its entity, reason and score. When neither
 * the names, their identifiers, the decisions nor the resolver's code changed since the last
 * build, the table is left as it is.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { REFERENCE_REGISTERS_DIR } from '../../lib/config.ts';
import { queryRows } from '../../lib/db.ts';
import { loadPublicBodyRegister, type PublicBodyRegister, REGISTER_FILES } from './public-bodies.ts';
import { type AliasInput, type Pin, resolveSuppliers } from './resolve.ts';

let shippedRegister: PublicBodyRegister | null | undefined;

/**
 * The local authority register shipped in reference/registers (read once per process, from the
 * repository, never from ../shared: a clone anywhere resolves councils the same way), or null
 * when the folder is missing (councils are then resolved by name only).
 */
export function publicBodyRegister(): PublicBodyRegister | null {
  if (shippedRegister === undefined) {
    const present = Object.values(REGISTER_FILES).every((f) => existsSync(join(REFERENCE_REGISTERS_DIR, f)));
    shippedRegister = present ? loadPublicBodyRegister(REFERENCE_REGISTERS_DIR) : null;
  }
  return shippedRegister;
}

/** A row of stg_supplier_aliases, as the resolver reads it. */
export type AliasRow = {
  body_id: string;
  supplier_name: string;
  vat_numbers: string[];
  company_numbers: string[];
  charity_numbers: string[];
  redacted: boolean;
};

export function aliasInput(row: AliasRow): AliasInput {
  return {
    bodyId: row.body_id,
    name: row.supplier_name,
    vatNumbers: row.vat_numbers,
    companyNumbers: row.company_numbers,
    charityNumbers: row.charity_numbers,
    redacted: row.redacted,
  };
}

export async function readPins(conn: DuckDBConnection): Promise<Pin[]> {
  const rows = await queryRows<{ body_id: string; supplier_name: string; entity_id: string }>(
    conn,
    `select body_id, supplier_name, entity_id
     from supplier_decisions
     qualify row_number() over (partition by body_id, supplier_name order by decision_id desc, row_no desc) = 1`,
  );
  return rows.map((r) => ({ bodyId: r.body_id, name: r.supplier_name, entityId: r.entity_id }));
}

/** The resolver's own code: a change to it resolves again even when the names did not change. */
export const RESOLVER_VERSION = createHash('sha1')
  .update(
    [
      ...['resolve.ts', 'normalise.ts', 'similarity.ts', 'public-bodies.ts'].map((f) =>
        readFileSync(join(import.meta.dirname, f), 'utf8'),
      ),
      publicBodyRegister()?.version ?? 'no register',
    ].join('\n'),
  )
  .digest('hex')
  .slice(0, 12);

/**
 * A fingerprint of what a resolver model read, kept as its table's comment: the same inputs
 * (and resolver code) again mean the same entities, so the model leaves its table as it is
 * (the resolver is the costliest step of an incremental run).
 */
export async function inputsFingerprint(conn: DuckDBConnection, parts: string[]): Promise<string> {
  const rows = await queryRows<{ f: string }>(conn, `select md5(concat_ws('|', ${parts.join(', ')})) as f`);
  return `resolver ${RESOLVER_VERSION} inputs ${rows[0]?.f ?? ''}`;
}

/** The table's row count when its comment says it was built from exactly these inputs, else null. */
export async function unchangedRows(
  conn: DuckDBConnection,
  table: string,
  fingerprint: string,
): Promise<number | null> {
  const rows = await queryRows<{ comment: string | null }>(
    conn,
    "select comment from duckdb_tables() where schema_name = 'main' and table_name = $table and not temporary",
    { table },
  );
  if (rows[0]?.comment !== fingerprint) return null;
  const count = await queryRows<{ n: string }>(conn, `select count(*)::varchar as n from ${table}`);
  return Number(count[0]?.n ?? 0);
}

export async function buildSupplierMatches(
  conn: DuckDBConnection,
): Promise<{ rows: number; unchanged?: boolean }> {
  const fingerprint = await inputsFingerprint(conn, [
    `(select count(*)::varchar || ':' || coalesce(bit_xor(hash(body_id, supplier_name, vat_numbers, company_numbers, charity_numbers, redacted))::varchar, '')
      from stg_supplier_aliases)`,
    `(select count(*)::varchar || ':' || coalesce(bit_xor(hash(supplier_decisions))::varchar, '') from supplier_decisions)`,
  ]);
  const unchanged = await unchangedRows(conn, 'int_supplier_matches', fingerprint);
  if (unchanged !== null) return { rows: unchanged, unchanged: true };
  const rows = await queryRows<AliasRow>(
    conn,
    `select body_id, supplier_name, vat_numbers, company_numbers, charity_numbers, redacted
     from stg_supplier_aliases order by body_id, supplier_name`,
  );
  const matches = resolveSuppliers(rows.map(aliasInput), await readPins(conn), {
    publicBodies: publicBodyRegister(),
  });

  await conn.run(`create or replace table int_supplier_matches (
    body_id varchar not null,
    supplier_name varchar not null,
    entity_id varchar,
    cleaned_name varchar,
    reason varchar not null,
    score double not null,
    matched_body_id varchar,
    matched_name varchar,
    vat_number varchar,
    company_number varchar,
    charity_number varchar,
    public_body_code varchar,
    public_body_match varchar,
    decided boolean not null
  )`);
  const pinned = new Set((await readPins(conn)).map((p) => `${p.bodyId}\u0000${p.name}`));
  const appender = await conn.createAppender('int_supplier_matches');
  const text = (value: string | null) =>
    value === null ? appender.appendNull() : appender.appendVarchar(value);
  for (const m of matches) {
    text(m.bodyId);
    text(m.name);
    text(m.entityId);
    text(m.cleanedName);
    text(m.reason);
    appender.appendDouble(m.score);
    text(m.matchedBodyId);
    text(m.matchedName);
    text(m.vatNumber);
    text(m.companyNumber);
    text(m.charityNumber);
    text(m.publicBodyCode);
    text(m.publicBodyMatch);
    appender.appendBoolean(pinned.has(`${m.bodyId}\u0000${m.name}`));
    appender.endRow();
  }
  appender.closeSync();
  await conn.run(`comment on table int_supplier_matches is '${fingerprint}'`);
  return { rows: matches.length };
}
