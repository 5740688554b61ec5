/**
 * Every real file in ../shared/datasets/uk-spend and ../shared/datasets/peppol through the real
 * CLI (`spend upload --wait --json`), the real broker and a real DuckDB file, one isolated
 * pipeline and one `spend ingest` owner for all of them. What each upload must produce is
 * worked out HERE, by a deliberately plain reading of each file (a tiny CSV splitter, the
 * amount column named per file from the dataset notes, regular expressions for the XML) that
 * shares no code with the upload path; then DuckDB is read directly and must hold exactly that.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import type { UploadSummary } from '../ingest/uploads/report.ts';
import { callOperation } from '../owner/call-operation.ts';
import { penceToString } from './helpers/messages.ts';
import { createPipeline, type Pipeline } from './helpers/pipeline.ts';
import { decode, pence, splitCsv } from './helpers/plain-csv.ts';
import { sharedDataPresent } from './helpers/shared-data.ts';

const DATASETS = resolve(import.meta.dirname, '../../shared/datasets');
const available = sharedDataPresent(
  'uploads-real-files',
  join(DATASETS, 'uk-spend'),
  join(DATASETS, 'peppol'),
);

// ---- A plain, separate reading of the files ---------------------------------------------------

const money = penceToString;

type CsvSpec = {
  /** The column holding the net amount, or the gross amount when `vat` is given (net = gross − VAT). */
  amount: string;
  vat?: string;
  supplier: string;
  /** Which rows are spend (from the dataset notes). */
  isData: (cells: string[]) => boolean;
  /** Spend rows the upload must reject. */
  rejected?: (cells: string[], column: (name: string) => string) => boolean;
  /** The file's own total row, if it has one. */
  isControl?: (cells: string[]) => boolean;
};

const anyValue = (cells: string[]) => cells.some((c) => c.trim() !== '');
const startsWith = (first: string) => (cells: string[]) => cells[0] === first;

// What the dataset notes (shared/datasets/README.md) say about each body's files.
const SPECS: Record<string, CsvSpec> = {
  'lancashire-cc': { amount: 'Amount', supplier: 'Supplier name', isData: anyValue },
  'blackpool/Transparency-spend-November-2023.csv': {
    amount: 'Gross Value (Detail)',
    vat: 'Vat Amount',
    supplier: 'Supplier Name',
    isData: startsWith('LIST'),
    isControl: (cells) => cells[1] === 'Grand Total',
  },
  'blackpool/Transparency-spend-December-2023.csv': {
    amount: 'Gross Value (Detail)',
    vat: 'Vat Amount',
    supplier: 'Supplier Name',
    isData: startsWith('Blackpool Council'),
    isControl: startsWith('Grand Total'),
  },
  // One November payment (£290.00) has an empty supplier name: a payment all the same, kept
  // unnamed and flagged like a redacted one (counted under `redacted` below).
  hyndburn: { amount: 'Net Amount (£)', supplier: 'Name', isData: anyValue },
  devon: { amount: 'Amount', supplier: 'Supplier Name', isData: startsWith('18') },
  oxford: { amount: 'Amount', supplier: 'Supplier Name', isData: anyValue },
  salford: { amount: 'Net', supplier: 'Vendor Name', isData: startsWith('Salford City Council') },
  bolton: { amount: 'Amount', supplier: 'Supplier', isData: startsWith('Bolton MBC') },
  bury: {
    amount: 'Invoiced',
    supplier: 'Supplier',
    isData: startsWith('Bury Metropolitan Borough Council'),
    isControl: (cells) => cells[0] === '' && (cells[6] ?? '') !== '',
  },
  'westmorland-furness': { amount: 'Line Amount', supplier: 'Supplier Name', isData: startsWith('WF') },
  liverpool: { amount: 'Actual Value', supplier: 'Vendor', isData: anyValue },
  kirklees: { amount: 'Amount Excluding VAT', supplier: 'Vendor Name', isData: anyValue },
};

type Expected = {
  file: string;
  rowsRead: number;
  accepted: number;
  rejected: number;
  netTotal: string;
  redacted: number;
  controlTotal: string | null;
  controlTotalAgrees: boolean | null;
};

function expectCsv(path: string, spec: CsvSpec): Expected {
  const rows = splitCsv(decode(readFileSync(path)));
  // Older Hyndburn files write "(£)" with no space before it, and one with the DOS £.
  const normalise = (name: string) => name.trim().replace(/\s*\((£|œ|\u009c)\)$/, ' (£)');
  const headerIndex = rows.findIndex((r) => r.some((c) => normalise(c) === spec.amount));
  const header = (rows[headerIndex] ?? []).map(normalise);
  const at = (name: string) => header.indexOf(name);
  let accepted = 0;
  let rejected = 0;
  let redacted = 0;
  let total = 0n;
  let control: bigint | null = null;
  rows.forEach((cells, i) => {
    const column = (name: string) => cells[at(name)] ?? '';
    const net = () => pence(column(spec.amount)) - (spec.vat ? pence(column(spec.vat)) : 0n);
    if (i === headerIndex) return;
    if (spec.isControl?.(cells)) control = net();
    if (!spec.isData(cells)) return;
    if (spec.rejected?.(cells, column)) {
      rejected++;
      return;
    }
    accepted++;
    total += net();
    if (/\bredacted\b/i.test(column(spec.supplier)) || column(spec.supplier).trim() === '') redacted++;
  });
  const controlTotal = control as bigint | null;
  return {
    file: basename(path),
    rowsRead: rows.length,
    accepted,
    rejected,
    netTotal: money(total),
    redacted,
    controlTotal: controlTotal === null ? null : money(controlTotal),
    controlTotalAgrees: controlTotal === null ? null : controlTotal === total,
  };
}

type ExpectedXml =
  | { file: string; kind: 'invoice' | 'order'; netTotal: string; currency: string; lines: number }
  | { file: string; kind: 'refused'; customization: string };

function expectXml(path: string): ExpectedXml {
  const xml = readFileSync(path, 'utf8');
  const root = /<([A-Za-z]+)[\s>]/.exec(
    xml.replace(/<\?[\s\S]*?\?>/g, '').replace(/<!--[\s\S]*?-->/g, ''),
  )?.[1];
  const file = basename(path);
  if (root !== 'Invoice' && root !== 'CreditNote' && root !== 'Order') {
    return { file, kind: 'refused', customization: /<cbc:CustomizationID>([^<]+)</.exec(xml)?.[1] ?? '' };
  }
  const amount =
    root === 'Order'
      ? /<cac:AnticipatedMonetaryTotal>[\s\S]*?<cbc:LineExtensionAmount currencyID="([A-Z]+)">([^<]+)</.exec(
          xml,
        )
      : /<cbc:TaxExclusiveAmount currencyID="([A-Z]+)">([^<]+)</.exec(xml);
  const net = pence(amount?.[2] ?? 'missing');
  const lineTag =
    root === 'Order' ? '<cac:OrderLine>' : root === 'Invoice' ? '<cac:InvoiceLine>' : '<cac:CreditNoteLine>';
  return {
    file,
    kind: root === 'Order' ? 'order' : 'invoice',
    netTotal: money(root === 'CreditNote' ? -net : net),
    currency: amount?.[1] ?? '?',
    lines: xml.split(lineTag).length - 1,
  };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? filesUnder(path) : [path];
    })
    .sort();
}

// ---- The test ------------------------------------------------------------------------------

type Summary = UploadSummary;

async function uploadAll(pipeline: Pipeline, body: string, files: string[]) {
  // Registered through the owner directly: a CLI start-up per body would only cost time.
  await callOperation(pipeline.config, 'bodies.add', { bodyId: body, name: body, joinedOn: '2017-01-01' });
  const run = await pipeline.cli(['upload', '--body', body, '--wait', '--json', ...files]);
  const summaries = run.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Summary);
  expect(summaries.map((s) => s.file)).toEqual(files.map((f) => basename(f)));
  return { run, summaries };
}

describe.skipIf(!available)('uploads: every real file, reconciled in DuckDB', () => {
  it('uploads all of uk-spend/ and peppol/ and finds exactly the independently computed rows and totals', async () => {
    const pipeline = await createPipeline();
    const owner = pipeline.startOwner('ingest');
    await owner.ready();

    const byBody = new Map<string, string[]>();
    for (const path of filesUnder(join(DATASETS, 'uk-spend'))) {
      const body = relative(join(DATASETS, 'uk-spend'), path).split('/')[1] as string;
      byBody.set(body, [...(byBody.get(body) ?? []), path]);
    }
    const expected = new Map<string, Expected>();
    const uploaded = new Map<string, Summary>();
    for (const [body, files] of byBody) {
      for (const path of files) {
        const spec = SPECS[`${body}/${basename(path)}`] ?? SPECS[body];
        if (!spec) throw new Error(`no expectation written for ${path}`);
        expected.set(`${body}/${basename(path)}`, expectCsv(path, spec));
      }
      const { run, summaries } = await uploadAll(pipeline, body, files);
      expect(run.code, run.stderr).toBe(0);
      for (const summary of summaries) uploaded.set(`${body}/${summary.file}`, summary);
    }

    const peppolFiles = filesUnder(join(DATASETS, 'peppol'));
    const peppol = await uploadAll(pipeline, 'peppol-examples', peppolFiles);
    // Some Peppol documents are refused, so the command as a whole reports failure.
    expect(peppol.run.code).toBe(1);

    // Every spreadsheet: the CLI's reconciliation equals the plain reading of the file.
    for (const [key, want] of expected) {
      const got = uploaded.get(key);
      expect(got, key).toMatchObject({
        file: want.file,
        rowsRead: want.rowsRead,
        accepted: want.accepted,
        rejected: want.rejected,
        skipped: want.rowsRead - want.accepted - want.rejected,
        acceptedNetTotal: want.netTotal,
        controlTotal: want.controlTotal,
        controlTotalAgrees: want.controlTotalAgrees,
        ingested: true,
      });
    }
    // Hyndburn's November total is the file's own: the sum of every amount it publishes, read
    // here with nothing but a split on commas outside quotes, the £290.00 unnamed payment included.
    const hyndburnNov = join(DATASETS, 'uk-spend/2023-11/hyndburn/November-23-csv.csv');
    const published = splitCsv(decode(readFileSync(hyndburnNov)))
      .slice(1)
      .filter((cells) => (cells[6] ?? '').trim() !== '')
      .reduce((sum, cells) => sum + pence(cells[6] ?? ''), 0n);
    expect(uploaded.get('hyndburn/November-23-csv.csv')).toMatchObject({
      rejected: 0,
      acceptedNetTotal: money(published),
    });
    // Blackpool's Grand Total leaves out rows in both months: reported, not hidden.
    expect(uploaded.get('blackpool/Transparency-spend-November-2023.csv')?.controlTotalAgrees).toBe(false);
    expect(uploaded.get('blackpool/Transparency-spend-December-2023.csv')?.controlTotalAgrees).toBe(false);

    const xmlExpected = peppolFiles.map(expectXml);
    const xmlSummaries = new Map(peppol.summaries.map((s) => [s.file, s]));
    for (const want of xmlExpected) {
      const got = xmlSummaries.get(want.file);
      if (want.kind === 'refused') {
        expect(got, want.file).toMatchObject({ accepted: 0, rejected: 0, ingested: false });
        expect(peppol.run.stderr).toContain(`${want.file}: a Peppol `);
        expect(peppol.run.stderr).toContain(`(${want.customization}): only Invoice, CreditNote and Order`);
      } else {
        expect(got, want.file).toMatchObject({
          rowsRead: 1,
          accepted: 1,
          acceptedNetTotal: want.netTotal,
          ingested: true,
        });
      }
    }

    // Every file is recorded, refused ones included.
    const listed = await pipeline.cli(['uploads', 'list', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as { uploads: unknown[] }).uploads).toHaveLength(
      expected.size + peppolFiles.length,
    );

    // Stop the owner, then read the database file directly: nothing of the code under test.
    owner.child.kill('SIGTERM');
    expect(await owner.exited).toEqual({ code: 0, signal: null });
    const instance = await DuckDBInstance.create(pipeline.config.dbPath, { access_mode: 'READ_ONLY' });
    const conn = await instance.connect();
    try {
      const invoiceRows = (
        await conn.runAndReadAll(
          `select upload_id, count(*)::integer as n, sum(net_amount)::varchar as total,
                  count(*) filter (where supplier_redacted)::integer as redacted,
                  string_agg(distinct currency, ',') as currencies,
                  count(*) filter (where source_file is null or source_row is null)::integer as unsourced
           from invoices group by upload_id`,
        )
      ).getRowObjectsJson() as {
        upload_id: string;
        n: number;
        total: string;
        redacted: number;
        currencies: string;
        unsourced: number;
      }[];
      const invoicesByUpload = new Map(invoiceRows.map((r) => [r.upload_id, r]));
      for (const [key, want] of expected) {
        const got = invoicesByUpload.get(uploaded.get(key)?.uploadId ?? '');
        expect(got, key).toMatchObject({
          n: want.accepted,
          total: want.netTotal,
          redacted: want.redacted,
          currencies: 'GBP',
          unsourced: 0,
        });
      }

      const lineCounts = new Map(
        (
          (
            await conn.runAndReadAll(
              `select i.upload_id, count(*)::integer as n from invoice_lines l
               join invoices i using (topic, kafka_partition, kafka_offset) group by i.upload_id`,
            )
          ).getRowObjectsJson() as { upload_id: string; n: number }[]
        ).map((r) => [r.upload_id, r.n]),
      );
      const orders = new Map(
        (
          (
            await conn.runAndReadAll(
              `select o.upload_id, count(distinct o.po_number)::integer as n, sum(o.total_net)::varchar as total,
                      any_value(o.currency) as currency,
                      (select count(*) from purchase_order_lines l where l.kafka_offset = any_value(o.kafka_offset)
                         and l.topic = any_value(o.topic) and l.kafka_partition = any_value(o.kafka_partition))::integer as lines
               from purchase_orders o group by o.upload_id`,
            )
          ).getRowObjectsJson() as {
            upload_id: string;
            n: number;
            total: string;
            currency: string;
            lines: number;
          }[]
        ).map((r) => [r.upload_id, r]),
      );
      for (const want of xmlExpected) {
        const uploadId = xmlSummaries.get(want.file)?.uploadId ?? '';
        if (want.kind === 'refused') {
          expect(invoicesByUpload.has(uploadId) || orders.has(uploadId), want.file).toBe(false);
        } else if (want.kind === 'invoice') {
          expect(invoicesByUpload.get(uploadId), want.file).toMatchObject({
            n: 1,
            total: want.netTotal,
            currencies: want.currency,
          });
          // Document-level allowances and charges become extra lines, so there may be more.
          expect(lineCounts.get(uploadId) ?? 0, want.file).toBeGreaterThanOrEqual(want.lines);
        } else {
          expect(orders.get(uploadId), want.file).toMatchObject({
            n: 1,
            total: want.netTotal,
            currency: want.currency,
            lines: want.lines,
          });
        }
      }

      // Nothing from any upload was dead-lettered by the consumer: every row was checked first.
      const dead = (
        await conn.runAndReadAll('select count(*)::integer as n from rejected_messages')
      ).getRowObjectsJson();
      expect(dead).toEqual([{ n: 0 }]);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  }, 300_000);
});
