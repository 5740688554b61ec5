/**
 * The raw supplier names of the real council files in ../shared/datasets/uk-spend/ (ten bodies in
 * Nov 2023, three in Dec 2023, three in Jan–Mar 2017), read with DuckDB's CSV reader for
 * EVALUATING the resolver only: the whole population is what a rule must not over-merge. This is not an ingest path: the
 * product ingests files through the uploads path (ingest/uploads/). It reads three columns per
 * file (name, and the VAT or company number where the file has one) and nothing else.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

export const SHARED_SPEND_DIR = resolve(import.meta.dirname, '../../../shared/datasets/uk-spend');

type FileSpec = {
  body: string;
  file: string;
  name: string;
  vat?: string;
  company?: string;
  skip?: number;
  /** No header on the first line (Blackpool's December report sorted its header into the data): `name` is a column position such as `column01`, and rows equal to `headerValue` are the stray header. */
  headerValue?: string;
  /** Windows-1252 files are decoded to UTF-8 first (DuckDB reads UTF-8 and strict Latin-1 only). */
  windows1252?: boolean;
};

// biome-ignore format: one file per line
const FILES: FileSpec[] = [
  { body: 'lancashire-cc', file: '2023-11/lancashire-cc/nov_2023.csv', name: 'Supplier name', windows1252: true },
  { body: 'blackpool', file: '2023-11/blackpool/Transparency-spend-November-2023.csv', name: 'Supplier Name', skip: 2 },
  { body: 'bolton', file: '2023-11/bolton/bolton_nov_2023.csv', name: 'Supplier', windows1252: true },
  { body: 'bury', file: '2023-11/bury/bury_nov_2023.csv', name: 'Supplier' },
  { body: 'devon', file: '2023-11/devon/DCCSpendingOver500_202311.csv', name: 'Supplier Name', vat: 'Vat Reg No' },
  { body: 'hyndburn', file: '2023-11/hyndburn/November-23-csv.csv', name: 'Name', windows1252: true },
  { body: 'kirklees', file: '2023-11/kirklees/KC-Published-Data_-2023-11-30.csv', name: 'Vendor Name', company: 'Company Number' },
  { body: 'liverpool', file: '2023-11/liverpool/nov_2023.csv', name: 'Vendor' },
  { body: 'salford', file: '2023-11/salford/salford_nov_2023.csv', name: 'Vendor Name' },
  { body: 'westmorland-furness', file: '2023-11/westmorland-furness/Trade_Suppliers_November_2023_-_WF.csv', name: 'Supplier Name', skip: 1 },
  { body: 'lancashire-cc', file: '2023-12/lancashire-cc/dec_2023.csv', name: 'Supplier name' },
  { body: 'blackpool', file: '2023-12/blackpool/Transparency-spend-December-2023.csv', name: 'column01', skip: 1, headerValue: 'Supplier Name' },
  { body: 'hyndburn', file: '2023-12/hyndburn/December-23.csv', name: 'Name', skip: 1, windows1252: true },
  { body: 'devon', file: '2017-q1/devon/DCCSpendingOver500_201703.csv', name: 'Supplier Name', vat: 'VAT Reg no' },
  { body: 'hyndburn', file: '2017-q1/hyndburn/1701.csv', name: 'Name', windows1252: true },
  { body: 'hyndburn', file: '2017-q1/hyndburn/1702.csv', name: 'Name', windows1252: true },
  { body: 'hyndburn', file: '2017-q1/hyndburn/1703.csv', name: 'Name', windows1252: true },
  { body: 'oxford', file: '2017-q1/oxford/expenditure-over-500-jan-mar-2017.csv', name: 'Supplier Name' },
];

export type RealAlias = {
  bodyId: string;
  /** The file's folder: `2023-11`, `2023-12`, `2017-q1`. */
  period: string;
  name: string;
  vatNumber: string | null;
  companyNumber: string | null;
  rows: number;
};

/** Every file the evaluation reads is there (tests and the bench skip the real samples otherwise). */
export function sharedDataAvailable(dir = SHARED_SPEND_DIR): boolean {
  return FILES.every((spec) => existsSync(join(dir, spec.file)));
}

/** One row per (file, raw name, identifier) as the files hold them; names exactly as written. */
export async function readRealAliases(dir = SHARED_SPEND_DIR): Promise<RealAlias[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  const scratch = mkdtempSync(join(tmpdir(), 'spend-real-names-'));
  try {
    const out: RealAlias[] = [];
    for (const spec of FILES) {
      let path = join(dir, spec.file);
      if (spec.windows1252) {
        const utf8 = join(scratch, `${out.length}-${spec.body}.csv`);
        writeFileSync(utf8, new TextDecoder('windows-1252').decode(readFileSync(path)));
        path = utf8;
      }
      const options = [
        'all_varchar = true',
        `header = ${spec.headerValue === undefined}`,
        `skip = ${spec.skip ?? 0}`,
        'strict_mode = false',
        'null_padding = true',
      ].join(', ');
      const quote = (c: string) => `"${c.replace(/"/g, '""')}"`;
      const reader = await conn.runAndReadAll(
        `select ${quote(spec.name)} as name,
                ${spec.vat ? quote(spec.vat) : 'null'} as vat,
                ${spec.company ? quote(spec.company) : 'null'} as company,
                count(*)::integer as n
         from read_csv($path, ${options})
         where ${quote(spec.name)} is not null
           ${spec.headerValue === undefined ? '' : `and ${quote(spec.name)} <> '${spec.headerValue}'`}
         group by all`,
        { path },
      );
      for (const row of reader.getRowObjectsJson() as {
        name: string;
        vat: string | null;
        company: string | null;
        n: number;
      }[]) {
        out.push({
          bodyId: spec.body,
          period: spec.file.split('/')[0] as string,
          name: row.name,
          vatNumber: row.vat,
          companyNumber: row.company,
          rows: row.n,
        });
      }
    }
    return out;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    conn.closeSync();
    instance.closeSync();
  }
}
