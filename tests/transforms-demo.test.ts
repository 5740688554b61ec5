/**
 * The transforms on the demo data, end to end: `spend demo` ingests through Kafka and runs the
 * models; the marts must find exactly what the generator's manifest planted (duplicate
 * payments, price gaps, off-PO spend, above-order prices, supplier groups), the cube must
 * equal the ingested totals to the penny, analysts' merges must win on the next run, and the
 * read commands must work through a running owner.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DemoManifest } from '../demo/manifest.ts';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import { Database, queryRows } from '../lib/db.ts';
import { loadModels } from '../transforms/models.ts';
import { createPipeline } from './helpers/pipeline.ts';
import { DISPERSION_WITH_PRICE_POINTS } from './helpers/price-points.ts';

type Row = Record<string, string | number | boolean | null>;

const sortedPair = (a: string, b: string) => [a, b].sort().join(' | ');

describe('transforms on the demo data', () => {
  it('find exactly what the generator planted', async () => {
    const pipeline = await createPipeline();
    const demo = await pipeline.cli(['demo', '--lines', '20000', '--exit']);
    expect(demo.code, demo.stderr + demo.stdout).toBe(0);
    expect(demo.stdout).toContain(`Transforms: ${loadModels().length} models built`);
    expect(demo.stdout).toContain(', 0 failed, 0 skipped');

    const dbPath = pipeline.env.SPEND_DB as string;
    const manifest = JSON.parse(
      readFileSync(join(dirname(dbPath), 'demo-manifest.json'), 'utf8'),
    ) as DemoManifest;
    const db = await Database.open({ path: dbPath, migrationsDir: MIGRATIONS_DIR });
    const rows = (sql: string) => db.withConnection((conn) => queryRows<Row>(conn, sql));
    const splitGroups: string[][] = [];
    const splitIds: string[] = [];
    try {
      // Duplicate payments: the planted pairs not reversed by a credit note, and nothing else.
      const duplicates = await rows('select * from fct_duplicate_payments');
      expect(
        new Set(
          duplicates.map((d) =>
            sortedPair(`${d.body_id}:${d.first_invoice_id}`, `${d.second_body_id}:${d.second_invoice_id}`),
          ),
        ),
      ).toEqual(
        new Set(
          manifest.duplicatePayments
            .filter((d) => d.reversedBy === null)
            .map((d) => sortedPair(d.original.key, d.duplicate.key)),
        ),
      );
      expect(manifest.duplicatePayments.some((d) => d.reversedBy !== null)).toBe(true);

      // Price dispersion: every item's min, median, max and saving at the best price, to the penny.
      const dispersion = new Map(
        (
          await rows(
            // the catalogue's items; the planted identity cases (ITEMS-… invoices) are checked below
            `select item_code, min_unit_price, median_unit_price, max_unit_price, saving_at_best_price, bodies from ${DISPERSION_WITH_PRICE_POINTS}
             where not list_bool_or(list_transform(price_points, p -> list_bool_or(list_transform(p.line_refs, r -> r like 'ITEMS-%'))))`,
          )
        ).map((r) => [r.item_code, r]),
      );
      const asNumber = (value: unknown) => Number(value);
      for (const gap of manifest.priceGaps) {
        const got = dispersion.get(gap.itemCode);
        expect(got, gap.itemCode).toBeDefined();
        expect(
          [got?.min_unit_price, got?.median_unit_price, got?.max_unit_price].map(asNumber),
          gap.itemCode,
        ).toEqual([gap.minUnitPrice, gap.medianUnitPrice, gap.maxUnitPrice].map(asNumber));
        expect(got?.saving_at_best_price, gap.itemCode).toBe(gap.expectedSaving);
        expect(Number(got?.bodies), gap.itemCode).toBe(gap.bodies.length);
      }
      expect(dispersion.size).toBe(manifest.priceGaps.length);
      // the planted item identities (demo/items-identity.ts): exactly their comparisons of 2+ bodies
      const plantedComparisons = await rows(
        `select item_scheme from ${DISPERSION_WITH_PRICE_POINTS}
         where bodies >= 2 and list_bool_or(list_transform(price_points, p -> list_bool_or(list_transform(p.line_refs, r -> r like 'ITEMS-%'))))`,
      );
      expect(plantedComparisons.map((r) => r.item_scheme).sort()).toEqual(
        (manifest.itemIdentity?.comparisons ?? []).map((c) => c.itemScheme).sort(),
      );
      expect(manifest.itemIdentity?.comparisons.length).toBeGreaterThan(0);
      // where the over-charged body bought the item at all in this run, it is the dearest
      const planted = manifest.priceGaps.filter(
        (g) => g.planted && g.bodies.some((b) => b.bodyId === g.planted?.bodyId),
      );
      expect(planted.length).toBeGreaterThan(0);
      const dearest = await rows('select item_code, dearest_body_id from fct_price_dispersion');
      for (const gap of planted) {
        expect(dearest.find((d) => d.item_code === gap.itemCode)?.dearest_body_id, gap.itemCode).toBe(
          gap.planted?.bodyId,
        );
      }

      // Off-PO spend per body and currency, over all months.
      const offPo = await rows(
        `select body_id, currency, sum(off_po_invoices)::integer as invoices, sum(off_po_net_total)::varchar as net
         from fct_po_compliance group by all`,
      );
      for (const want of manifest.offPoInvoices) {
        const gbp = offPo.find((r) => r.body_id === want.bodyId && r.currency === 'GBP');
        expect([gbp?.invoices ?? 0, gbp?.net ?? '0.00'], want.bodyId).toEqual([
          want.invoices > 0 ? expect.any(Number) : 0,
          want.netTotal,
        ]);
        for (const other of want.otherCurrencies) {
          expect(offPo.find((r) => r.body_id === want.bodyId && r.currency === other.currency)?.net).toBe(
            other.netTotal,
          );
        }
      }
      const offPoCounts = await rows(
        'select body_id, sum(off_po_invoices)::integer as n from fct_po_compliance group by all',
      );
      for (const want of manifest.offPoInvoices) {
        expect(offPoCounts.find((r) => r.body_id === want.bodyId)?.n ?? 0, want.bodyId).toBe(want.invoices);
      }

      // Lines charged above the order's price, with the overcharge.
      const above = await rows(
        'select body_id, invoice_id, line_no, overcharge::varchar as overcharge from int_above_po_price',
      );
      expect(new Set(above.map((a) => `${a.body_id}:${a.invoice_id}#${a.line_no} ${a.overcharge}`))).toEqual(
        new Set(manifest.aboveContractPrice.map((a) => `${a.invoiceKey}#${a.lineNo} ${a.overcharge}`)),
      );

      // The cube holds every pound: per body and currency it equals what was ingested; of the
      // membership bodies (demo/membership.ts), what counts in partnership figures: nothing of
      // the prospective body, the leaver's spend up to its last day.
      const cube = await rows(
        'select body_id, currency, sum(net_total)::varchar as net from fct_spend_cube group by all',
      );
      const membership = manifest.membership;
      expect(membership).toBeDefined();
      const { prospective, leaver } = membership as NonNullable<typeof membership>;
      expect(cube.some((c) => c.body_id === prospective.bodyId)).toBe(false);
      expect(cube.find((c) => c.body_id === leaver.bodyId && c.currency === 'GBP')?.net).toBe(
        leaver.netTotalWhileMember,
      );
      expect(leaver.documentsAfterLeaving).toBeGreaterThan(0);
      for (const body of manifest.expectedStats.bodies) {
        if (body.bodyId === prospective.bodyId || body.bodyId === leaver.bodyId) continue;
        expect(
          cube.find((c) => c.body_id === body.bodyId && c.currency === 'GBP')?.net ?? '0.00',
          body.bodyId,
        ).toBe(body.netTotal);
        for (const other of body.otherCurrencies) {
          expect(cube.find((c) => c.body_id === body.bodyId && c.currency === other.currency)?.net).toBe(
            other.netTotal,
          );
        }
      }

      // Suppliers: no entity holds two planted organisations; hard negatives stay apart;
      // redaction markers form no entity.
      const entityOf = new Map(
        (await rows('select body_id, supplier_name, entity_id from int_supplier_matches')).map((m) => [
          `${m.body_id}:${m.supplier_name}`,
          m.entity_id,
        ]),
      );
      const groupOfEntity = new Map<unknown, string>();
      for (const group of manifest.supplierGroups) {
        const entities = new Set<unknown>();
        for (const body of group.bodies) {
          for (const name of body.names) {
            const entity = entityOf.get(`${body.bodyId}:${name}`);
            expect(entity, `${body.bodyId}:${name}`).toBeTruthy();
            expect(groupOfEntity.get(entity) ?? group.entityId, `${body.bodyId}:${name}`).toBe(
              group.entityId,
            );
            groupOfEntity.set(entity, group.entityId);
            entities.add(entity);
          }
        }
        if (entities.size > 1) {
          splitGroups.push([...entities] as string[]);
          splitIds.push(group.entityId);
        }
      }
      for (const redacted of manifest.redactedPayments) {
        for (const marker of redacted.markers)
          expect(entityOf.get(`${redacted.bodyId}:${marker}`), marker).toBeNull();
      }
      // The resolver alone leaves only a handful of groups split (no shared evidence at all:
      // `BT PLC` / `BT BUSINESS`, `Viking Direct` / `Office Depot UK`, `KEYS PCE` / `Keys Group PCE`…).
      expect(splitGroups.length, splitIds.join(', ')).toBeLessThanOrEqual(8);
    } finally {
      db.close();
    }
    // Analysts merge what the resolver could not prove; the next run honours it.
    for (const entities of splitGroups) {
      const merged = await pipeline.cli([
        'suppliers',
        'merge',
        ...entities,
        '--note',
        'same organisation (manifest)',
      ]);
      expect(merged.code, merged.stderr).toBe(0);
    }
    const rerun = await pipeline.cli(['transforms', 'run', '--select', 'int_supplier_matches+']);
    expect(rerun.code, rerun.stderr + rerun.stdout).toBe(0);
    const aliases = await pipeline.cli(['suppliers', 'aliases', '--json']);
    expect(aliases.code, aliases.stderr).toBe(0);
    const lines = aliases.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { body: string; name: string; entity: string | null });
    const entityByAlias = new Map(lines.map((l) => [`${l.body}:${l.name}`, l.entity]));
    const entityOfGroup = new Map<string, string>();
    for (const group of manifest.supplierGroups) {
      const entities = new Set(
        group.bodies.flatMap((b) => b.names.map((n) => entityByAlias.get(`${b.bodyId}:${n}`))),
      );
      expect(entities.size, group.entityId).toBe(1);
      entityOfGroup.set(group.entityId, [...entities][0] as string);
    }
    expect(new Set(entityOfGroup.values()).size).toBe(manifest.supplierGroups.length);
    for (const negative of manifest.hardNegatives.filter((n) => n.kind === 'distinct-suppliers')) {
      const [a, b] = negative.entityIds.map((id) => entityOfGroup.get(id));
      expect(a, negative.note).not.toBe(b);
    }

    // Through a running owner: query, sql (read-only only) and aliases.
    await pipeline.startOwner('serve').ready();
    const query = await pipeline.cli([
      'query',
      'fct_duplicate_payments',
      '--json',
      '--where',
      'net_amount>0',
    ]);
    expect(query.code, query.stderr).toBe(0);
    expect(query.stdout.trim().split('\n')).toHaveLength(
      manifest.duplicatePayments.filter((d) => !d.reversedBy).length,
    );
    const sql = await pipeline.cli(['sql', 'select count(*) as n from fct_shared_suppliers', '--csv']);
    expect(sql.code, sql.stderr).toBe(0);
    expect(sql.stdout).toMatch(/^n\r\n\d+\r\n$/);
    const refused = await pipeline.cli(['sql', 'delete from supplier_decisions']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('one read-only SELECT');

    // Membership through the owner: the register and the prospective body's case for joining,
    // whose non-addressable spend is what demo/membership.ts planted.
    const { prospective } = manifest.membership as NonNullable<DemoManifest['membership']>;
    const members = await pipeline.cli(['members', 'list', '--json']);
    expect(members.code, members.stderr).toBe(0);
    expect((JSON.parse(members.stdout) as { counts: unknown }).counts).toEqual({
      prospective: 1,
      active: manifest.bodies.length,
      left: 1,
    });
    const pack = await pipeline.cli([
      'pack',
      'case-for-joining',
      prospective.bodyId,
      '--json',
      '--as-of',
      '2023-04-01',
    ]);
    expect(pack.code, pack.stderr).toBe(0);
    const sections = (
      JSON.parse(pack.stdout) as { sections: { name: string; table: { rows: Record<string, string>[] } }[] }
    ).sections;
    const rowsOf = (name: string) => sections.find((x) => x.name === name)?.table.rows ?? [];
    const byKind = Object.fromEntries(rowsOf('addressability').map((r) => [r.addressability, r.net_total]));
    for (const [kind, total] of Object.entries(prospective.nonAddressable))
      expect(byKind[kind], kind).toBe(total);
    expect(new Set(rowsOf('price_savings').map((r) => r.item_code))).toEqual(new Set(prospective.itemCodes));
    expect(rowsOf('price_savings').every((r) => Number(r.saving_at_best_price) > 0)).toBe(true);
    expect(rowsOf('shared_suppliers').length).toBeGreaterThanOrEqual(2);
  }, 240_000);
});
