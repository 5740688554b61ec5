/**
 * The raw supplier names of the real Nov 2023 council files in ../shared/datasets/uk-spend/, read
 * with DuckDB's CSV reader for EVALUATING the resolver only. This is not an ingest path: the
 * product ingests files through the uploads path (ingest/uploads/). It reads three columns per
 * file (name, and the VAT or company number where the file has one) and nothing else.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

export const SHARED_SPEND_DIR = resolve(import.meta.dirname, '../../../../shared/datasets/uk-spend/2023-11');

type FileSpec = {
  body: string;
  file: string;
  name: string;
  vat?: string;
  company?: string;
  skip?: number;
  /** Windows-1252 files are decoded to UTF-8 first (DuckDB reads UTF-8 and strict Latin-1 only). */
  windows1252?: boolean;
};

// biome-ignore format: one file per line
const FILES: FileSpec[] = [
  { body: 'lancashire-cc', file: 'lancashire-cc/nov_2023.csv', name: 'Supplier name', windows1252: true },
  { body: 'blackpool', file: 'blackpool/Transparency-spend-November-2023.csv', name: 'Supplier Name', skip: 2 },
  { body: 'bolton', file: 'bolton/bolton_nov_2023.csv', name: 'Supplier', windows1252: true },
  { body: 'bury', file: 'bury/bury_nov_2023.csv', name: 'Supplier' },
  { body: 'devon', file: 'devon/DCCSpendingOver500_202311.csv', name: 'Supplier Name', vat: 'Vat Reg No' },
  { body: 'hyndburn', file: 'hyndburn/November-23-csv.csv', name: 'Name', windows1252: true },
  { body: 'kirklees', file: 'kirklees/KC-Published-Data_-2023-11-30.csv', name: 'Vendor Name', company: 'Company Number' },
  { body: 'liverpool', file: 'liverpool/nov_2023.csv', name: 'Vendor' },
  { body: 'salford', file: 'salford/salford_nov_2023.csv', name: 'Vendor Name' },
  { body: 'westmorland-furness', file: 'westmorland-furness/Trade_Suppliers_November_2023_-_WF.csv', name: 'Supplier Name', skip: 1 },
];

export type RealAlias = {
  bodyId: string;
  name: string;
  vatNumber: string | null;
  companyNumber: string | null;
  rows: number;
};

export function sharedDataAvailable(): boolean {
  return existsSync(SHARED_SPEND_DIR);
}

/** One row per (body, raw name, identifier) as the files hold them; names exactly as written. */
export async function readRealAliases(dir = SHARED_SPEND_DIR): Promise<RealAlias[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  const scratch = mkdtempSync(join(tmpdir(), 'spend-real-names-'));
  try {
    const out: RealAlias[] = [];
    for (const spec of FILES) {
      let path = join(dir, spec.file);
      if (spec.windows1252) {
        const utf8 = join(scratch, `${spec.body}.csv`);
        writeFileSync(utf8, new TextDecoder('windows-1252').decode(readFileSync(path)));
        path = utf8;
      }
      const options = [
        'all_varchar = true',
        'header = true',
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
