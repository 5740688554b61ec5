/**
 * Loading the savings inputs: the agreement (YAML) and the registers finance keeps (CSV: savings
 * register, service-charge ledger, third-party sales, evidence register, price index). Each load
 * is a new version of its kind (`savings_loads`: who, when, file, sha256), never rewriting an
 * older one; the models read the latest version of each kind. A CSV row that fails validation is
 * reported as `file:line: field: message` and left out; the good rows are the new version.
 * The same file loaded again (same sha256 as the latest version) makes no new version.
 */
import { createHash } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { inTransaction, queryRows, tableExists } from '../../lib/db.ts';
import { UserError } from '../../lib/errors.ts';
import { bodyId } from '../../lib/fields.ts';
import { INVESTMENT_CSV, storePartnershipTerms } from '../partnership/terms.ts';
import { normaliseAgreement, parseAgreement } from './agreement.ts';

export const LOAD_KINDS = [
  'agreement',
  'register',
  'service-charges',
  'sales',
  'evidence',
  'price-index',
  'investment',
] as const;
export type LoadKind = (typeof LOAD_KINDS)[number];

export const savingsFile = z.object({ name: z.string().min(1).max(1000), text: z.string() });
export const loadParams = z.object({
  file: savingsFile,
  /** Who loads it (recorded with the version). */
  by: z.string().trim().min(1, 'who loads it (--by)').max(200),
});
export type LoadParams = z.output<typeof loadParams>;

export type LoadResult = {
  kind: LoadKind;
  file: string;
  status: 'loaded' | 'unchanged';
  version: number;
  loadId: number;
  rows: number;
  /** `file:line: field: message`, one per rejected row problem. */
  errors: string[];
};

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date written YYYY-MM-DD')
  .refine(
    (text) => !Number.isNaN(Date.parse(text)) && new Date(text).toISOString().startsWith(text),
    'not a real date',
  );
const monthDate = z
  .string()
  .regex(/^\d{4}-\d{2}(-01)?$/, 'a month written YYYY-MM')
  .transform((text) => `${text.slice(0, 7)}-01`);
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' || v === undefined ? undefined : v), schema.optional());
const amount = (places: number, signed = false) =>
  z
    .string()
    .regex(
      new RegExp(`^${signed ? '-?' : ''}\\d+(\\.\\d{1,${places}})?$`),
      `a decimal number${signed ? '' : ' not below 0'} with at most ${places} decimal places, no £ or commas`,
    );
const text = z.string().trim().min(1, 'required');

type CsvSpec = {
  table: string;
  /** The columns, in the file's header, and their rules. */
  fields: z.ZodRawShape;
  /** A rule across fields, if any. */
  check?: { test: (row: Record<string, unknown>) => boolean; field: string; message: string };
  /** What makes a row unique in a file (a second row with it is an error). */
  key: (row: Record<string, unknown>) => string;
};

/** Each CSV kind: its columns (header names), their rules, and the table the rows go to. */
const CSV_KINDS = {
  register: {
    table: 'savings_register',
    fields: {
      register_id: text,
      body_id: bodyId,
      supplier_name: text,
      contract_ref: optional(text),
      item_code: optional(text),
      previous_unit_price: optional(amount(4)),
      agreed_saving_pct: optional(amount(4)),
      agreed_annual_saving: optional(amount(2)),
      starts_on: isoDate,
      ends_on: optional(isoDate),
    },
    check: {
      test: (r) => r.previous_unit_price !== undefined || r.agreed_saving_pct !== undefined,
      field: 'previous_unit_price',
      message: 'a previous unit price or an agreed saving percentage is needed',
    },
    key: (r) => String(r.register_id),
  },
  'service-charges': {
    table: 'savings_service_charges',
    fields: {
      body_id: bodyId,
      service: text,
      month: monthDate,
      baseline_cost: amount(2),
      charge: amount(2, true),
    },
    key: (r) => `${r.body_id}|${r.service}|${r.month}`,
  },
  sales: {
    table: 'savings_sales',
    fields: { sale_id: text, body_id: bodyId, sale_date: isoDate, customer: text, amount: amount(2, true) },
    key: (r) => String(r.sale_id),
  },
  evidence: {
    table: 'savings_evidence',
    fields: {
      evidence_id: text,
      body_id: bodyId,
      dated: isoDate,
      description: text,
      amount: amount(2, true),
      evidence_ref: text,
      approver: text,
    },
    key: (r) => String(r.evidence_id),
  },
  'price-index': {
    table: 'savings_price_index',
    fields: { month: monthDate, index_value: amount(4).refine((v) => Number(v) > 0, 'an index above 0') },
    key: (r) => String(r.month),
  },
  // the partner's delivered investment (docs/partnership.md)
  investment: INVESTMENT_CSV,
} satisfies Record<string, CsvSpec>;
export type CsvKind = keyof typeof CSV_KINDS;
export const CSV_COLUMNS = Object.fromEntries(
  Object.entries(CSV_KINDS).map(([kind, spec]) => [kind, Object.keys(spec.fields)]),
) as Record<CsvKind, string[]>;

/** Now in UTC as DuckDB timestamp text, whatever the session's time zone. */
export const utcNow = () => new Date().toISOString().replace('T', ' ').replace('Z', '');

const sha256 = (content: string) => createHash('sha256').update(content).digest('hex');

/** The next version of a kind, or the latest when it has the same content (nothing to load). */
async function nextVersion(
  conn: DuckDBConnection,
  kind: LoadKind,
  hash: string,
): Promise<{ version: number; unchanged: { loadId: number; rows: number } | null }> {
  const rows = await queryRows<{
    version: number;
    content_sha256: string;
    load_id: string;
    rows_loaded: number;
  }>(
    conn,
    `select version, content_sha256, load_id::varchar as load_id, rows_loaded from savings_loads
     where kind = $kind order by version desc limit 1`,
    { kind },
  );
  const latest = rows[0];
  if (latest?.content_sha256 === hash)
    return {
      version: latest.version,
      unchanged: { loadId: Number(latest.load_id), rows: latest.rows_loaded },
    };
  return { version: (latest?.version ?? 0) + 1, unchanged: null };
}

async function recordLoad(
  conn: DuckDBConnection,
  load: {
    kind: LoadKind;
    version: number;
    file: string;
    hash: string;
    by: string;
    rows: number;
    rejected: number;
  },
): Promise<number> {
  const id = await queryRows<{ id: string }>(conn, "select nextval('savings_load_seq')::varchar as id");
  const loadId = Number(id[0]?.id);
  await conn.run(
    `insert into savings_loads values ($loadId, $kind, $version, $file, $hash, $by, $at::timestamp, $rows, $rejected)`,
    // UTC, as transform_runs records its runs (sign-off compares the two)
    { loadId, ...load, at: utcNow() },
  );
  return loadId;
}

async function registeredBodies(conn: DuckDBConnection): Promise<Set<string>> {
  const rows = await queryRows<{ body_id: string }>(conn, 'select body_id from bodies');
  return new Set(rows.map((r) => r.body_id));
}

/** `spend agreements load FILE`: a new version of the agreement. The whole file is valid or nothing is stored. */
export async function loadAgreement(conn: DuckDBConnection, params: LoadParams): Promise<LoadResult> {
  const agreement = parseAgreement(params.file.name, params.file.text);
  const known = await registeredBodies(conn);
  const unknown = agreement.bodies.filter((b) => !known.has(b.id)).map((b) => b.id);
  if (unknown.length > 0) {
    throw new UserError(
      'not-found',
      `${params.file.name}: bodies ${unknown.join(', ')} are not registered (spend bodies add registers a body).`,
    );
  }
  const normal = normaliseAgreement(agreement);
  const hash = sha256(params.file.text);
  return inTransaction(conn, async () => {
    const { version, unchanged } = await nextVersion(conn, 'agreement', hash);
    const base = { kind: 'agreement' as const, file: params.file.name, version, errors: [] };
    if (unchanged) return { ...base, status: 'unchanged', ...unchanged };
    const loadId = await recordLoad(conn, {
      kind: 'agreement',
      version,
      file: params.file.name,
      hash,
      by: params.by,
      rows: normal.guarantees.length,
      rejected: 0,
    });
    await conn.run(
      `insert into savings_agreements values ($loadId, $id, $partner, $start::date, $end::date, $month, $share::decimal(9,4), $doc::json)`,
      {
        loadId,
        id: agreement.agreement,
        partner: agreement.partner,
        start: agreement.start,
        end: normal.endDate,
        month: agreement.contract_year_start_month,
        share: agreement.revenue_share_pct,
        doc: JSON.stringify(agreement),
      },
    );
    for (const b of normal.bodies) {
      await conn.run(
        `insert into savings_agreement_bodies values ($loadId, $body, $joined::date, $left::date,
           cast($services::json as varchar[]), $bStart::date, $bEnd::date)`,
        {
          loadId,
          body: b.bodyId,
          joined: b.joinedOn,
          left: b.leftOn,
          services: JSON.stringify(b.services),
          bStart: b.baselineStart,
          bEnd: b.baselineEnd,
        },
      );
    }
    for (const g of normal.guarantees) {
      await conn.run(
        `insert into savings_guarantees values ($loadId, $year, $stream, $guaranteed::decimal(18,2),
           $stretch::decimal(18,2), $indexation, $avoidance, $netting, $split, $shortfall, $share::decimal(9,4), $indexMonth)`,
        {
          loadId,
          year: g.contractYear,
          stream: g.stream,
          guaranteed: g.guaranteed,
          stretch: g.stretch,
          indexation: g.indexation,
          avoidance: g.costAvoidanceCounts,
          netting: g.netPriceIncreases,
          split: g.split,
          shortfall: g.partnerPaysShortfall,
          share: g.partnerShareAboveGuaranteePct,
          indexMonth: g.indexMonth,
        },
      );
    }
    await storePartnershipTerms(conn, loadId, agreement);
    return { ...base, status: 'loaded', loadId, rows: normal.guarantees.length };
  });
}

type CsvRecord = { line: number; values: Record<string, string> };

function readCsv(fileName: string, text: string, columns: string[]): CsvRecord[] {
  let records: { info: { lines: number }; record: Record<string, string> }[];
  try {
    records = parse(text, {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      bom: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
    });
  } catch (error) {
    throw new UserError('invalid-input', `${fileName} is not readable CSV: ${(error as Error).message}`);
  }
  const header = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const given = header.split(',').map((h) => h.trim().replace(/^"|"$/g, '').toLowerCase());
  const missing = columns.filter((c) => !given.includes(c));
  if (missing.length > 0) {
    throw new UserError(
      'invalid-input',
      `${fileName}:1: the header lacks ${missing.join(', ')} (columns: ${columns.join(', ')})`,
    );
  }
  return records.map((r) => ({ line: r.info.lines, values: r.record }));
}

/** A CSV register: a new version of its kind holding the file's valid rows. */
export async function loadCsv(
  conn: DuckDBConnection,
  kind: CsvKind,
  params: LoadParams,
): Promise<LoadResult> {
  const spec: CsvSpec = CSV_KINDS[kind];
  const rowSchema = z.object(spec.fields);
  const columns = CSV_COLUMNS[kind];
  const { name } = params.file;
  const records = readCsv(name, params.file.text, columns);
  const known = 'body_id' in spec.fields ? await registeredBodies(conn) : null;
  const errors: string[] = [];
  const good: { line: number; row: Record<string, unknown> }[] = [];
  const seen = new Map<string, number>();
  for (const record of records) {
    const parsed = rowSchema.safeParse(record.values);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        errors.push(`${name}:${record.line}: ${issue.path.join('.')}: ${issue.message}`);
      continue;
    }
    const row = parsed.data as Record<string, unknown>;
    if (spec.check && !spec.check.test(row)) {
      errors.push(`${name}:${record.line}: ${spec.check.field}: ${spec.check.message}`);
      continue;
    }
    if (known && row.body_id !== undefined && !known.has(String(row.body_id))) {
      errors.push(`${name}:${record.line}: body_id: ${row.body_id} is not a registered body`);
      continue;
    }
    const key = spec.key(row);
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push(`${name}:${record.line}: ${key} appears already on line ${first}; each once`);
      continue;
    }
    seen.set(key, record.line);
    good.push({ line: record.line, row });
  }
  const hash = sha256(params.file.text);
  return inTransaction(conn, async () => {
    const { version, unchanged } = await nextVersion(conn, kind, hash);
    const base = { kind, file: name, version, errors };
    if (unchanged) return { ...base, status: 'unchanged', ...unchanged };
    const loadId = await recordLoad(conn, {
      kind,
      version,
      file: name,
      hash,
      by: params.by,
      rows: good.length,
      rejected: records.length - good.length,
    });
    const names = ['load_id', 'source_row', ...columns];
    const sql = `insert into ${spec.table} (${names.join(', ')}) values (${names.map((_, i) => `$p${i}`).join(', ')})`;
    for (const { line, row } of good) {
      const params: Record<string, string | number | null> = { p0: loadId, p1: line };
      columns.forEach((column, i) => {
        const value = row[column];
        params[`p${i + 2}`] = value === undefined ? null : String(value);
      });
      await conn.run(sql, params);
    }
    return { ...base, status: 'loaded', loadId, rows: good.length };
  });
}

/** Every version of every kind, newest first: who loaded what, when. */
export async function listLoads(conn: DuckDBConnection) {
  return queryRows(
    conn,
    `select kind, version, file_name, loaded_by, strftime(loaded_at, '%Y-%m-%d %H:%M:%S') as loaded_at,
            rows_loaded, rows_rejected, left(content_sha256, 12) as sha256
     from savings_loads order by kind, version desc`,
  );
}

/** Refuses to read the savings figures before a transforms run has built the models named. */
export async function requireSavingsModels(conn: DuckDBConnection, names: readonly string[]): Promise<void> {
  for (const name of names) {
    if (!(await tableExists(conn, name)))
      throw new UserError(
        'unavailable',
        'The savings models are not built yet: run "spend transforms run" first.',
      );
  }
}
