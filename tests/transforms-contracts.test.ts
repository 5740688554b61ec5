/**
 * The contract register from OCDS release packages: reading packages (HTML entities, what is
 * refused), `spend contracts load` with and without a running owner, and the 30 real Contracts
 * Finder packages in ../shared/datasets/ocds (skipped when ../shared is absent) joined to spend
 * rows written with the supplier names Lancashire CC's Nov 2023 file uses.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import { loadConfig } from '../lib/config.ts';
import { Database, queryRows } from '../lib/db.ts';
import { decodeHtmlEntities } from '../transforms/contracts/html-entities.ts';
import { parseReleasePackage } from '../transforms/contracts/ocds.ts';
import { loadContracts } from '../transforms/contracts/store.ts';
import { runOnConnection } from '../transforms/runner.ts';
import { createPipeline } from './helpers/pipeline.ts';
import { sharedDataPresent } from './helpers/shared-data.ts';

const FIXTURE = resolve(import.meta.dirname, 'fixtures/ocds/eastvale-release-package.json');
const OCDS_DIR = resolve(import.meta.dirname, '../../shared/datasets/ocds/contracts-finder');

describe('OCDS release packages', () => {
  it('decode HTML entities in every string, once or twice escaped', () => {
    expect(decodeHtmlEntities('Preston Care &amp; Repair Ltd')).toBe('Preston Care & Repair Ltd');
    expect(decodeHtmlEntities('Hart District Council&#039;s')).toBe("Hart District Council's");
    expect(decodeHtmlEntities('&quot;In Situ&quot; &pound;5 &bull; &#x2013;')).toBe('"In Situ" £5 • –');
    expect(decodeHtmlEntities('Smith &amp;amp; Sons')).toBe('Smith & Sons');
    expect(decodeHtmlEntities('R&D &unknown; &#0;')).toBe('R&D &unknown; &#0;');
    const pkg = parseReleasePackage('eastvale.json', readFileSync(FIXTURE, 'utf8'));
    expect(pkg.publisherName).toBe('Eastvale District Council & Partners');
    expect(pkg.releases.map((r) => r.releaseId)).toEqual([
      'ocds-test01-ev-0001-tender',
      'ocds-test01-ev-0001-award',
    ]);
    expect(JSON.stringify(pkg.releases[1]?.release)).toContain("O'Brien Gritting Services");
    expect(JSON.stringify(pkg.releases)).not.toMatch(/&amp;|&#039;/);
  });

  it('refuse what is not a release package, saying why', () => {
    const refuse = (text: string) => () => parseReleasePackage('x.json', text);
    expect(refuse('{"uri": "x"')).toThrow(/x\.json is not an OCDS release package: it is not JSON/);
    expect(refuse('{"records": []}')).toThrow(/record package/);
    expect(refuse('{"version": "1.1", "releases": {}}')).toThrow(/no "releases" array/);
    expect(refuse('{"version": "2.0", "releases": []}')).toThrow(/version is "2.0"/);
    expect(refuse('{"version": "1.1", "releases": [{"id": "r1"}]}')).toThrow(/release 1 lacks an "ocid"/);
    // OCDS 1.0 packages carry no version: read the same way
    expect(parseReleasePackage('old.json', '{"releases": []}').version).toBe('1.0');
  });
});

describe('spend contracts load', () => {
  it('loads release packages with or without a running owner; a file twice is one package', async () => {
    const pipeline = await createPipeline();
    const add = await pipeline.cli([
      'bodies',
      'add',
      'eastvale-dc',
      '--name',
      'Eastvale District Council',
      '--joined',
      '2023-04-01',
    ]);
    expect(add.code, add.stderr).toBe(0);

    // no owner: the command opens the database file itself
    const first = await pipeline.cli(['contracts', 'load', FIXTURE, '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject([{ status: 'loaded', releases: 2, awards: 2 }]);

    // an owner holds the file: the same command goes through its control socket
    await pipeline.startOwner('ingest').ready();
    for (let i = 0; i < 200 && !existsSync(pipeline.config.socketPath); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const again = await pipeline.cli(['contracts', 'load', FIXTURE]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('0 package(s) loaded, 1 already loaded');

    const refused = await pipeline.cli(['contracts', 'load', FIXTURE, '--body', 'no-such-body']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('No registered body no-such-body');
    const notOcds = await pipeline.cli([
      'contracts',
      'load',
      resolve(import.meta.dirname, '../package.json'),
    ]);
    expect(notOcds.code).toBe(1);
    expect(notOcds.stderr).toMatch(
      /package\.json is not an OCDS release package: it has no "releases" array/,
    );

    const run = await pipeline.cli(['transforms', 'run', '--select', '+fct_contracts']);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const register = await pipeline.cli(['query', 'fct_contracts', '--json']);
    expect(register.code, register.stderr).toBe(0);
    const rows = register.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(rows).toHaveLength(1); // A2 was unsuccessful: never a contract
    expect(rows[0]).toMatchObject({
      contract_id: 'C1',
      buyer_name: 'Eastvale District Council',
      body_id: 'eastvale-dc',
      body_matched_by: 'buyer name',
      title: 'Grounds maintenance & winter gritting',
      // the contract (0) and the award (3) state placeholders; the tender's estimate is the first trusted value
      value_amount: '500000.00',
      value_source: 'tender',
      value_trusted: true,
      start_date: '2024-04-01',
      end_date: '2027-03-31',
      main_cpv: '77314000',
      supplier_names: ['Greenway Grounds & Gardens Ltd', "O'Brien Gritting Services"],
      supplier_company_numbers: ['01234567', 'SC098765'],
    });
  });
});

let db: Database | undefined;
afterEach(() => {
  db?.close();
  db = undefined;
});

const sharedOcds = sharedDataPresent('transforms-contracts: real OCDS packages', OCDS_DIR);

describe.skipIf(!sharedOcds)('the real Contracts Finder packages (../shared/datasets/ocds)', () => {
  it('build a register, coverage of Lancashire CC spend, and joint-procurement windows', async () => {
    db = await Database.open({ path: ':memory:', migrationsDir: MIGRATIONS_DIR, threads: 2 });
    const conn = await db.connect();
    await conn.run(
      `insert into bodies (body_id, name, kind, status, joined_on) values
       ('lancashire-cc', 'Lancashire County Council', 'council', 'active', '2020-01-01'),
       ('blackpool', 'Blackpool Council', 'council', 'active', '2020-01-01')`,
    );
    const files = readdirSync(OCDS_DIR)
      .filter((f) => f.endsWith('.json'))
      .map((f) => ({ name: f, text: readFileSync(join(OCDS_DIR, f), 'utf8') }));
    expect(files).toHaveLength(30);
    const loaded = await loadContracts(conn, { files });
    expect(loaded.every((f) => f.status === 'loaded')).toBe(true);
    expect((await loadContracts(conn, { files: files.slice(0, 3) })).map((f) => f.status)).toEqual([
      'already loaded',
      'already loaded',
      'already loaded',
    ]);

    // Lancashire CC's Nov 2023 payments, with the supplier names as its file writes them
    await conn.run(
      `insert into ingest_batches (ingest_batch_id, topic, kafka_partition, first_offset, last_offset, messages, accepted, rejected)
       values (1, 't', 0, 0, 5, 6, 6, 0)`,
    );
    const invoices: [string, string, string, string | null][] = [
      ['L1', 'PRESTON CARE & REPAIR', '1200.00', null],
      ['L2', 'HOMEWISE SOCIETY', '800.00', null],
      ['L3', 'COUNTRYWIDE GROUNDS MAINTENANCE LTD', '650.00', null],
      ['L4', 'TEACHING PERSONNEL LTD', '1000.00', null],
      // a payment quoting the minor-aids contract's own reference, to a supplier not on it
      ['L5', 'ACCRINGTON HANDYPERSON LTD', '350.00', 'KS/ACS/LCC/19/723'],
    ];
    for (const [i, [id, supplier, net, ref]] of invoices.entries()) {
      await conn.run(
        `insert into invoices (topic, kafka_partition, kafka_offset, ingest_batch_id, body_id, invoice_id, retracted,
                               document_type, supplier_name, invoice_date, currency, net_amount, contract_ref)
         values ('t', 0, $offset, 1, 'lancashire-cc', $id, false, 'invoice', $supplier, '2023-11-16', 'GBP', $net::decimal(18,2), $ref)`,
        { offset: i, id, supplier, net, ref },
      );
    }

    const summary = await runOnConnection(conn, { codelistsDir: loadConfig().codelistsDir });
    expect(summary.models.filter((m) => m.status !== 'success')).toEqual([]);

    const register = await queryRows<Record<string, unknown>>(
      conn,
      'select * from fct_contracts order by ocid, contract_id',
    );
    expect(register).toHaveLength(30);
    const minorAids = register.find((c) => c.title === 'Minor Aids and Adaptations Service in Lancashire');
    expect(minorAids).toMatchObject({
      buyer_name: 'Lancashire County Council',
      body_id: 'lancashire-cc',
      value_amount: '4437100.00',
      value_trusted: true,
      start_date: '2020-07-01',
      end_date: '2025-06-30',
      main_cpv: '85000000',
    });
    expect(minorAids?.supplier_names).toEqual(
      expect.arrayContaining(['Preston Care & Repair Ltd', 'HOMEWISE SOCIETY']),
    );
    // both are paid by Lancashire CC: the contract's suppliers are the spend's entities
    const entities = await queryRows<{ supplier_name: string; entity_id: string }>(
      conn,
      `select m.supplier_name, m.entity_id from int_contract_supplier_matches as m
       where m.entity_id is not null order by m.supplier_name`,
    );
    const spendEntity = async (name: string) =>
      (
        await queryRows<{ entity_id: string }>(
          conn,
          `select entity_id from int_supplier_matches where supplier_name = $name`,
          { name },
        )
      )[0]?.entity_id;
    expect(entities).toEqual(
      expect.arrayContaining([
        { supplier_name: 'Preston Care & Repair Ltd', entity_id: await spendEntity('PRESTON CARE & REPAIR') },
        { supplier_name: 'HOMEWISE SOCIETY', entity_id: await spendEntity('HOMEWISE SOCIETY') },
        {
          supplier_name: 'COUNTRYWIDE GROUNDS MAINTENANCE LIMITED',
          entity_id: await spendEntity('COUNTRYWIDE GROUNDS MAINTENANCE LTD'),
        },
      ]),
    );

    // HTML entities decoded; placeholders flagged; Companies House numbers with their zeros
    expect(register.some((c) => JSON.stringify(c).match(/&amp;|&#039;|&quot;/))).toBe(false);
    const bailiffs = register.filter((c) => c.main_cpv === '75242110');
    expect(bailiffs.map((c) => [c.value_amount, c.value_trusted])).toEqual([
      ['0.10', false],
      ['0.10', false],
    ]);
    const grounds = register.find((c) => c.main_cpv === '77314000');
    expect(grounds?.supplier_company_numbers).toEqual(expect.arrayContaining(['00842846', '02798007']));
    expect(grounds?.main_cpv_label).toBe('Grounds maintenance services');

    // coverage: by supplier × body × period (grounds maintenance until March 2024, minor aids until
    // June 2025), and by the reference a payment quotes
    const lines = await queryRows<{ invoice_id: string; matched_by: string; title: string }>(
      conn,
      `select s.invoice_id, s.matched_by, c.title from int_spend_contracts as s
       inner join fct_contracts as c using (ocid, contract_id) order by s.invoice_id`,
    );
    expect(lines.map((l) => [l.invoice_id, l.matched_by])).toEqual([
      ['L1', 'supplier and period'],
      ['L2', 'supplier and period'],
      ['L3', 'supplier and period'],
      ['L5', 'reference'],
    ]);
    expect(lines.find((l) => l.invoice_id === 'L3')?.title).toMatch(/Grounds Maintenance/i);
    const coverage = await queryRows(conn, 'select * from fct_contract_coverage');
    expect(coverage).toEqual([
      expect.objectContaining({
        body_id: 'lancashire-cc',
        spend_month: '2023-11-01',
        net_total: '4000.00',
        under_contract_net_total: '3000.00',
        by_reference_net_total: '350.00',
        by_supplier_net_total: '2650.00',
        under_contract_percent: 75,
        contracts_used: '2',
      }),
    ]);

    // construction (CPV 45): Lancashire CC's patching contract and Bradford's framework both end in spring 2024
    const windows = await queryRows<Record<string, unknown>>(
      conn,
      "select * from fct_joint_procurement_windows where cpv_division = '45' order by window_start",
    );
    expect(windows).toContainEqual(
      expect.objectContaining({
        window_start: '2024-03-31',
        last_expiry: '2024-05-31',
        holders: '2',
        buyer_names: ['Bradford Metropolitan District Council', 'Lancashire County Council'],
        partnership_bodies: ['lancashire-cc'],
        combined_value: '2000000.00',
        framework_ceiling_value: '20000000.00',
        within_12_months: true,
      }),
    );
    conn.closeSync();
  });
});
