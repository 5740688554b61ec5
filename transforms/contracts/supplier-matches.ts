/**
 * The TypeScript model `int_contract_supplier_matches`: which supplier entity (of the spend
 * side) each contract supplier is. The resolver runs over the spend aliases, each pinned to the
 * entity int_supplier_matches gave it, plus the contract suppliers unpinned: a contract supplier
 * then joins an entity by the same evidence order as any alias (Companies House number, cleaned
 * name, fuzzy name…), and the pins keep the spend entities exactly as they are (a supplier whose
 * evidence points at two entities joins only the first). A contract supplier that joins no
 * spend entity has none: the partnership has not paid it.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from '../../lib/db.ts';
import {
  aliasInput,
  inputsFingerprint,
  publicBodyRegister,
  type AliasRow as SpendAliasRow,
  unchangedRows,
} from '../resolver/model.ts';
import { type AliasInput, type Pin, resolveSuppliers } from '../resolver/resolve.ts';

type SupplierRow = {
  ocid: string;
  contract_id: string;
  party_id: string;
  supplier_name: string;
  company_numbers: string[];
};

type AliasRow = SpendAliasRow & { entity_id: string | null };

/** Contract suppliers stand apart from every body's names: one pseudo body per contract supplier. */
const contractAliasBody = (s: SupplierRow) => `ocds\u0000${s.ocid}\u0000${s.contract_id}\u0000${s.party_id}`;

export async function buildContractSupplierMatches(
  conn: DuckDBConnection,
): Promise<{ rows: number; unchanged?: boolean }> {
  const fingerprint = await inputsFingerprint(conn, [
    `(select count(*)::varchar || ':' || coalesce(bit_xor(hash(ocid, contract_id, party_id, supplier_name, company_numbers))::varchar, '')
      from int_contract_suppliers)`,
    `(select count(*)::varchar || ':' || coalesce(bit_xor(hash(body_id, supplier_name, vat_numbers, company_numbers, charity_numbers, redacted))::varchar, '')
      from stg_supplier_aliases)`,
    `(select count(*)::varchar || ':' || coalesce(bit_xor(hash(body_id, supplier_name, entity_id))::varchar, '') from int_supplier_matches)`,
  ]);
  const unchanged = await unchangedRows(conn, 'int_contract_supplier_matches', fingerprint);
  if (unchanged !== null) return { rows: unchanged, unchanged: true };
  await conn.run(`create or replace table int_contract_supplier_matches (
    ocid varchar not null,
    contract_id varchar not null,
    party_id varchar not null,
    supplier_name varchar not null,
    company_number varchar,
    entity_id varchar,
    reason varchar not null,
    score double not null,
    matched_body_id varchar,
    matched_name varchar
  )`);
  const suppliers = await queryRows<SupplierRow>(
    conn,
    `select ocid, contract_id, party_id, supplier_name, company_numbers
     from int_contract_suppliers order by ocid, contract_id, party_id`,
  );
  // no contracts loaded: nothing to match (and no need to resolve every spend name again)
  if (suppliers.length === 0) {
    await conn.run(`comment on table int_contract_supplier_matches is '${fingerprint}'`);
    return { rows: 0 };
  }

  const aliases = await queryRows<AliasRow>(
    conn,
    `select aliases.body_id, aliases.supplier_name, aliases.vat_numbers, aliases.company_numbers,
            aliases.charity_numbers, aliases.redacted, matches.entity_id
     from stg_supplier_aliases as aliases
     inner join int_supplier_matches as matches using (body_id, supplier_name)
     order by aliases.body_id, aliases.supplier_name`,
  );
  const inputs: AliasInput[] = aliases.map(aliasInput);
  const pins: Pin[] = aliases
    .filter((a) => a.entity_id !== null)
    .map((a) => ({ bodyId: a.body_id, name: a.supplier_name, entityId: a.entity_id as string }));
  const spendEntities = new Set(pins.map((p) => p.entityId));
  for (const s of suppliers) {
    inputs.push({ bodyId: contractAliasBody(s), name: s.supplier_name, companyNumbers: s.company_numbers });
  }

  const matches = resolveSuppliers(inputs, pins, { publicBodies: publicBodyRegister() }).slice(
    aliases.length,
  );
  const appender = await conn.createAppender('int_contract_supplier_matches');
  const text = (value: string | null) =>
    value === null ? appender.appendNull() : appender.appendVarchar(value);
  suppliers.forEach((s, i) => {
    const m = matches[i];
    if (!m) throw new Error(`contract supplier ${s.supplier_name} was not resolved`);
    const entity = m.entityId !== null && spendEntities.has(m.entityId) ? m.entityId : null;
    // evidence that points at another contract supplier, not at a body's name, names no body
    const matchedBody = m.matchedBodyId?.startsWith('ocds\u0000') ? null : m.matchedBodyId;
    text(s.ocid);
    text(s.contract_id);
    text(s.party_id);
    text(s.supplier_name);
    text(m.companyNumber);
    text(entity);
    text(entity === null ? (m.reason === 'redacted' ? 'redacted' : 'no spend entity') : m.reason);
    appender.appendDouble(entity === null ? 0 : m.score);
    text(entity === null ? null : matchedBody);
    text(entity === null || matchedBody === null ? null : m.matchedName);
    appender.endRow();
  });
  appender.closeSync();
  await conn.run(`comment on table int_contract_supplier_matches is '${fingerprint}'`);
  return { rows: suppliers.length };
}
