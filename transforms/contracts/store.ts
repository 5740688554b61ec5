/**
 * Loading OCDS release packages into the contract register's source tables (`ocds_packages`,
 * `ocds_releases`: migration 004):
 * `spend contracts load` and the `contracts.load` operation (so it works through a running
 * owner or on the database file). A file already loaded is recognised by its hash and left as
 * it is; the models turn the releases into contracts on the next transforms run.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { inTransaction, queryRows } from '../../lib/db.ts';
import { UserError } from '../../lib/errors.ts';
import { bodyId } from '../../lib/fields.ts';
import { type OcdsPackage, parseReleasePackage } from './ocds.ts';

/**
 * The tables come from migration 004, applied whenever a database is opened (lib/db.ts): this
 * only checks they are there, for callers that used to create them (the runner, the bench).
 */
export async function ensureContractTables(conn: DuckDBConnection): Promise<void> {
  const found = await queryRows<{ n: number }>(
    conn,
    `select count(*)::integer as n from information_schema.tables
     where table_schema = 'main' and table_name in ('ocds_packages', 'ocds_releases')`,
  );
  if (found[0]?.n !== 2) {
    throw new Error(
      'the contract tables are missing: the database was not opened through Database.open (migrations)',
    );
  }
}

export const contractsLoadParams = z.object({
  files: z
    .array(z.object({ name: z.string().min(1).max(1000), text: z.string() }))
    .min(1, 'at least one file'),
  /** Every contract in these files belongs to this registered body (else: the buyer's name decides). */
  bodyId: bodyId.optional(),
});
export type ContractsLoad = z.input<typeof contractsLoadParams>;

export type LoadedFile = {
  file: string;
  packageId: string;
  status: 'loaded' | 'already loaded';
  releases: number;
  awards: number;
  buyers: string[];
};

const count = (value: unknown) => (Array.isArray(value) ? value.length : 0);

function buyersOf(pkg: OcdsPackage): string[] {
  const names = new Set<string>();
  for (const r of pkg.releases) {
    const buyer = r.release.buyer as { name?: unknown } | undefined;
    if (typeof buyer?.name === 'string') names.add(buyer.name);
  }
  return [...names].sort();
}

/** Parses every file first (nothing is stored when one is not a release package), then stores each. */
export async function loadContracts(conn: DuckDBConnection, params: z.output<typeof contractsLoadParams>) {
  const packages = params.files.map((f) => parseReleasePackage(f.name, f.text));
  await ensureContractTables(conn);
  if (params.bodyId) {
    const known = await queryRows(conn, 'select 1 from bodies where body_id = $body', {
      body: params.bodyId,
    });
    if (known.length === 0) {
      throw new UserError('not-found', `No registered body ${params.bodyId} (spend bodies list shows them).`);
    }
  }
  const results: LoadedFile[] = [];
  for (const pkg of packages) {
    const result = await inTransaction(conn, () => storePackage(conn, pkg, params.bodyId ?? null));
    results.push(result);
  }
  return results;
}

async function storePackage(
  conn: DuckDBConnection,
  pkg: OcdsPackage,
  body: string | null,
): Promise<LoadedFile> {
  const summary = {
    file: pkg.sourceFile,
    packageId: pkg.packageId,
    releases: pkg.releases.length,
    awards: pkg.releases.reduce((n, r) => n + count(r.release.awards), 0),
    buyers: buyersOf(pkg),
  };
  const existing = await queryRows(conn, 'select 1 from ocds_packages where package_id = $id', {
    id: pkg.packageId,
  });
  if (existing.length > 0) {
    // the same file again: only a new --body assignment changes anything
    if (body) {
      await conn.run('update ocds_releases set body_id = $body where package_id = $id', {
        body,
        id: pkg.packageId,
      });
    }
    return { ...summary, status: 'already loaded' };
  }
  await conn.run(
    `insert into ocds_packages (package_id, source_file, uri, version, published_date, publisher_name, releases)
     values ($id, $file, $uri, $version, $published, $publisher, $releases)`,
    {
      id: pkg.packageId,
      file: pkg.sourceFile,
      uri: pkg.uri,
      version: pkg.version,
      published: pkg.publishedDate,
      publisher: pkg.publisherName,
      releases: pkg.releases.length,
    },
  );
  const seq = await queryRows<{ seq: string }>(conn, "select nextval('ocds_load_seq')::varchar as seq");
  for (const r of pkg.releases) {
    await conn.run(
      `insert into ocds_releases (package_id, load_seq, ocid, release_id, release_date, tags, body_id, release)
       values ($id, $seq::bigint, $ocid, $releaseId, $date, cast($tags::json as varchar[]), $body, $release::json)
       on conflict do nothing`,
      {
        id: pkg.packageId,
        seq: seq[0]?.seq ?? '0',
        ocid: r.ocid,
        releaseId: r.releaseId,
        date: r.date,
        tags: JSON.stringify(r.tags),
        body,
        release: JSON.stringify(r.release),
      },
    );
  }
  return { ...summary, status: 'loaded' };
}
