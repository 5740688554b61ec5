/**
 * Code lists are read at run time from SPEND_CODELISTS_DIR (by default the lists shipped in
 * reference/codelists): a folder of hand-made lists is loaded; a missing folder leaves empty
 * seeds, one warning, and every model built; the shipped lists load whole.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import { loadConfig } from '../lib/config.ts';
import { Database, queryRows } from '../lib/db.ts';
import { runOnConnection } from '../transforms/runner.ts';
import { loadCodelists, loadOwnSeeds } from '../transforms/seeds.ts';

let db: Database | undefined;
const scratch: string[] = [];
afterEach(() => {
  db?.close();
  db = undefined;
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function openWithOneInvoice(allowedDirectories?: string[]) {
  db = await Database.open({
    path: ':memory:',
    migrationsDir: MIGRATIONS_DIR,
    threads: 1,
    allowedDirectories,
  });
  const conn = await db.connect();
  await conn.run(
    "insert into bodies (body_id, name, kind, status, joined_on) values ('b1', 'B1', 'council', 'active', '2023-01-01')",
  );
  await conn.run(
    `insert into ingest_batches (ingest_batch_id, topic, kafka_partition, first_offset, last_offset, messages, accepted, rejected)
     values (1, 't', 0, 0, 0, 1, 1, 0)`,
  );
  await conn.run(
    `insert into invoices (topic, kafka_partition, kafka_offset, ingest_batch_id, body_id, invoice_id, retracted,
                           document_type, supplier_name, invoice_date, currency, net_amount, category_scheme, category_code)
     values ('t', 0, 1, 1, 'b1', 'I1', false, 'invoice', 'ACME LTD', '2024-01-10', 'GBP', 100.00, 'proclass', '291100')`,
  );
  return conn;
}

function capturingLogger() {
  const lines: { msg: string; level: number }[] = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { log, lines };
}

// The default folder, whatever SPEND_CODELISTS_DIR of the shell running the tests says.
const shipped = loadConfig({}).codelistsDir;

describe('code lists', () => {
  it('are read from the configured folder at run time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spend-codelists-'));
    scratch.push(dir);
    // the shapes of the shared files: CPV with a BOM and check digits, ProClass with 5 columns
    writeFileSync(join(dir, 'cpv_codes.csv'), '\uFEFFCODE,EN\n30192000-1,Office supplies\n');
    writeFileSync(
      join(dir, 'proclass_17.csv'),
      'code,level1,level2,level3,clarification_info\n291100,Arts & Leisure Services,Museums & Art,"",Service\n',
    );
    // DuckDB reads files only in the folders the configuration allows: this one among them
    const conn = await openWithOneInvoice(loadConfig({ SPEND_CODELISTS_DIR: dir }).duckdb.allowedDirectories);
    const summary = await runOnConnection(conn, { codelistsDir: dir });
    expect(summary.failed).toBe(0);
    expect(summary.warnings).toEqual([]);
    expect(await queryRows(conn, 'select * from seed_cpv')).toEqual([
      { code: '30192000-1', label: 'Office supplies' },
    ]);
    expect(await queryRows(conn, 'select code, level1, level2, level3 from seed_proclass')).toEqual([
      { code: '291100', level1: 'Arts & Leisure Services', level2: 'Museums & Art', level3: null },
    ]);
    expect(
      await queryRows(conn, 'select proclass_code, proclass_level1, classified_by from int_spend_classified'),
    ).toEqual([
      { proclass_code: '291100', proclass_level1: 'Arts & Leisure Services', classified_by: 'own-code' },
    ]);
    conn.closeSync();
  });

  it('missing: empty seeds with the right columns, one clear warning, every model built', async () => {
    const missing = join(tmpdir(), 'spend-no-such-codelists', 'codelists');
    const conn = await openWithOneInvoice();
    const { log, lines } = capturingLogger();
    const summary = await runOnConnection(conn, { codelistsDir: missing, log });
    expect(summary.failed + summary.skipped).toBe(0);
    const warning = `code lists not found at ${missing}: categories keep their own codes, labels and ProClass roll-ups are unavailable`;
    expect(summary.warnings).toEqual([warning]);
    expect(lines.map((l) => l.msg)).toEqual([warning]);
    const columns = await queryRows<{ table_name: string; column_name: string }>(
      conn,
      `select table_name, column_name from information_schema.columns
       where table_name in ('seed_cpv', 'seed_proclass') order by table_name, ordinal_position`,
    );
    expect(columns.map((c) => `${c.table_name}.${c.column_name}`)).toEqual([
      'seed_cpv.code',
      'seed_cpv.label',
      'seed_proclass.code',
      'seed_proclass.level1',
      'seed_proclass.level2',
      'seed_proclass.level3',
      'seed_proclass.clarification_info',
    ]);
    expect(await queryRows(conn, 'select count(*)::integer as n from seed_proclass')).toEqual([{ n: 0 }]);
    // the row keeps its own code; only the label is unavailable
    expect(
      await queryRows(conn, 'select proclass_code, proclass_level1, classified_by from int_spend_classified'),
    ).toEqual([{ proclass_code: '291100', proclass_level1: null, classified_by: 'own-code' }]);
    conn.closeSync();
  });

  it('the real lists shipped in reference/codelists load whole', async () => {
    const conn = await openWithOneInvoice();
    const summary = await runOnConnection(conn, { codelistsDir: shipped, select: ['stg_invoices'] });
    expect(summary.warnings).toEqual([]);
    const counts = await queryRows(
      conn,
      `select (select count(*) from seed_cpv)::integer as cpv, (select count(*) from seed_proclass)::integer as proclass,
              (select label from seed_cpv where code = '79000000-4') as business_services`,
    );
    expect(counts).toEqual([
      { cpv: 9454, proclass: 586, business_services: expect.stringMatching(/^Business services/) },
    ]);
    conn.closeSync();
  });
});

describe('our own seeds (transforms/seeds/)', () => {
  it('load every row, and name only ProClass codes of the 17.1 list', async () => {
    db = await Database.open({ path: ':memory:', migrationsDir: MIGRATIONS_DIR, threads: 1 });
    const conn = await db.connect();
    await loadOwnSeeds(conn);
    for (const [table, file] of [
      ['seed_classification_rules', 'classification_rules.csv'],
      ['seed_cpv_proclass', 'cpv_proclass.csv'],
    ] as const) {
      // a # inside a line would cut it short: every data line must arrive whole
      const lines = readFileSync(join(import.meta.dirname, '../transforms/seeds', file), 'utf8')
        .split('\n')
        .filter((l) => l.trim() && !l.startsWith('#'));
      const loaded = await queryRows<{ n: number }>(conn, `select count(*)::integer as n from ${table}`);
      expect(loaded[0]?.n, file).toBe(lines.length - 1);
    }
    const rules = await queryRows<{ rule_id: string; field: string; pattern: string; proclass_code: string }>(
      conn,
      'select rule_id, field, pattern, proclass_code from seed_classification_rules',
    );
    expect(new Set(rules.map((r) => r.rule_id)).size).toBe(rules.length);
    expect(
      rules.filter(
        (r) => !['text', 'expense_type', 'description', 'service_area', 'supplier_name'].includes(r.field),
      ),
    ).toEqual([]);
    expect(rules.filter((r) => !r.pattern || !/^[0-9]{6}$/.test(r.proclass_code))).toEqual([]);
    expect(await loadCodelists(conn, shipped)).toBeNull();
    const unknown = await queryRows(
      conn,
      `select proclass_code from seed_classification_rules union select proclass_code from seed_cpv_proclass
       except select code from seed_proclass`,
    );
    expect(unknown).toEqual([]);
    conn.closeSync();
  });
});
