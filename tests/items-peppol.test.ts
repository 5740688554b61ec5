/**
 * The Peppol samples in ../shared/datasets/peppol through the UBL reader, the consumer's writer
 * and the transforms: every line keeps its identifiers with their scheme (StandardItemIdentification
 * with its schemeID, SellersItemIdentification, BuyersItemIdentification), gets the identity scheme
 * issue 17 asks for, and its UN/ECE Rec 20 unitCode is normalised. The expected values come from a
 * plain reading of the XML text with regular expressions and a hand-written table of the units
 * the samples use, not from the reader or the models.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeBatch } from '../ingest/batch-writer.ts';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import { invoicesHandler } from '../ingest/topics/invoices/handler.ts';
import type { InvoiceV1 } from '../ingest/topics/invoices/schema.ts';
import { readUbl, UblError } from '../ingest/uploads/ubl-reader.ts';
import { addBody } from '../lib/bodies.ts';
import { loadConfig } from '../lib/config.ts';
import { Database, queryRows } from '../lib/db.ts';
import { createLogger } from '../lib/log.ts';
import { runTransforms } from '../transforms/runner.ts';
import { asMessage } from './helpers/messages.ts';
import { sharedDataPresent } from './helpers/shared-data.ts';

const PEPPOL = resolve(import.meta.dirname, '../../shared/datasets/peppol');
const available = sharedDataPresent('items-peppol', join(PEPPOL, 'invoice'), join(PEPPOL, 'order'));
const BODY = 'peppol-body';

/** The units the samples use: Rec 20 code → [dimension, the code the comparison uses]. */
const SAMPLE_UNITS: Record<string, [string, string]> = {
  C62: ['count', 'C62'],
  EA: ['count', 'C62'],
  NAR: ['count', 'C62'],
  GRM: ['mass', 'GRM'],
  LBR: ['mass', 'LBR'],
  MTR: ['length', 'MTR'],
  DAY: ['time', 'DAY'],
};

type Expected = {
  scheme: string;
  key: string | null;
  standard: string | null;
  unitKey: string;
  contentUnit: string | null;
};

/** Each invoice or credit-note line of the XML, read with regular expressions. */
function expectedLines(xml: string): Expected[] {
  const blocks = xml.split(/<cac:(?:InvoiceLine|CreditNoteLine)>/).slice(1);
  return blocks.map((block) => {
    const unit = /<cbc:(?:InvoicedQuantity|CreditedQuantity)[^>]*unitCode="([^"]+)"/.exec(block)?.[1] ?? '';
    const standard = /<cac:StandardItemIdentification>\s*<cbc:ID schemeID="([^"]+)">([^<]+)<\/cbc:ID>/.exec(
      block,
    );
    const seller = /<cac:SellersItemIdentification>\s*<cbc:ID>([^<]+)<\/cbc:ID>/.exec(block)?.[1];
    const buyer = /<cac:BuyersItemIdentification>\s*<cbc:ID>([^<]+)<\/cbc:ID>/.exec(block)?.[1];
    const [dimension, code] = SAMPLE_UNITS[unit] ?? [`text:${unit}`, null];
    const base = {
      standard: standard ? `${standard[1]}:${standard[2]}` : null,
      unitKey: dimension,
      contentUnit: code,
    };
    if (standard) {
      const [, scheme, id] = standard as unknown as [string, string, string];
      const gtin = scheme === '0160' && /^\d{8,14}$/.test(id);
      return { ...base, scheme: gtin ? 'gtin' : `standard:${scheme}`, key: gtin ? id.padStart(14, '0') : id };
    }
    if (seller) return { ...base, scheme: 'seller', key: seller };
    if (buyer) return { ...base, scheme: 'buyer', key: `${BODY}|${buyer}` };
    return { ...base, scheme: 'none', key: null };
  });
}

let dir: string | undefined;
let db: Database | undefined;

afterAll(() => {
  db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!available)('Peppol samples: item identifiers and units', () => {
  it('keep every line’s identifiers with their scheme and normalise its unit', async () => {
    const files = readdirSync(join(PEPPOL, 'invoice'))
      .filter((f) => f.endsWith('.xml'))
      .sort();
    const invoices: { file: string; invoice: InvoiceV1; expected: Expected[] }[] = [];
    for (const file of files) {
      const xml = readFileSync(join(PEPPOL, 'invoice', file), 'utf8');
      try {
        const document = readUbl(xml, { bodyId: BODY, uploadId: 'peppol', file });
        if (document.kind !== 'invoice') continue;
        // the samples reuse invoice numbers: one document per file
        invoices.push({
          file,
          invoice: { ...document.invoice, invoiceId: file },
          expected: expectedLines(xml),
        });
      } catch (error) {
        if (!(error instanceof UblError)) throw error;
      }
    }
    expect(invoices.length).toBeGreaterThanOrEqual(8);

    // the reader: each line's identifiers exactly as the XML states them; document-level
    // allowances and charges follow the item lines as lines of their own, with no item
    for (const { file, invoice, expected } of invoices) {
      const lines = invoice.lines ?? [];
      const read = lines
        .slice(0, expected.length)
        .map((line) =>
          line.standardItemId ? `${line.standardItemId.scheme}:${line.standardItemId.id}` : null,
        );
      expect(read, file).toEqual(expected.map((e) => e.standard));
      for (const extra of lines.slice(expected.length)) {
        expect(extra.description, file).toMatch(/^Document (charge|allowance)/);
        expect([extra.standardItemId, extra.sellersItemCode, extra.buyersItemCode, extra.itemCode]).toEqual([
          undefined,
          undefined,
          undefined,
          undefined,
        ]);
      }
    }
    const identified = invoices.flatMap((i) => i.expected).filter((e) => e.scheme !== 'none');
    // the samples state GTINs (some not 8–14 digits: kept under their scheme), GLNs (0088) and seller codes
    expect([...new Set(identified.map((e) => e.scheme))]).toEqual(
      expect.arrayContaining(['standard:0160', 'standard:0088', 'seller']),
    );

    dir = mkdtempSync(join(tmpdir(), 'spend-items-peppol-'));
    db = await Database.open({ path: join(dir, 'spend.duckdb'), migrationsDir: MIGRATIONS_DIR });
    const open = db;
    await open.withConnection(async (conn) => {
      await addBody(conn, { bodyId: BODY, name: 'Peppol Samples Council', joinedOn: '2000-01-01' });
      await writeBatch(
        conn,
        invoicesHandler,
        'peppol-items',
        0,
        invoices.map(({ invoice }, i) => asMessage(`${BODY}:${invoice.invoiceId}`, invoice, i)),
      );
    });
    await runTransforms(open, { codelistsDir: loadConfig().codelistsDir, log: createLogger('silent') });

    const rows = await open.withConnection((conn) =>
      queryRows<{
        invoice_id: string;
        item_scheme: string;
        item_key: string | null;
        unit_key: string;
        content_unit: string | null;
        supplier_entity_id: string | null;
      }>(
        conn,
        `select invoice_id, line_no, item_scheme, item_key, unit_key, content_unit, supplier_entity_id
         from int_item_lines order by invoice_id, line_no`,
      ),
    );
    for (const { file, expected } of invoices) {
      const fileRows = rows.filter((r) => r.invoice_id === file);
      const got = fileRows.slice(0, expected.length).map((r) => ({
        scheme: r.item_scheme,
        // a seller's code is keyed by the supplier entity the resolver found
        key:
          r.item_scheme === 'seller'
            ? (r.item_key ?? '').slice((r.supplier_entity_id ?? '').length + 1)
            : r.item_key,
        unitKey: r.unit_key,
        contentUnit: r.content_unit,
      }));
      expect(got, file).toEqual(
        expected.map(({ scheme, key, unitKey, contentUnit }) => ({ scheme, key, unitKey, contentUnit })),
      );
      // document allowances and charges: no item, no unit, never compared
      for (const extra of fileRows.slice(expected.length)) expect(extra.item_scheme, file).toBe('none');
    }
  });

  it('reads the identifiers of an order’s lines too', () => {
    const xml = readFileSync(join(PEPPOL, 'order', 'Order_Example.xml'), 'utf8');
    const document = readUbl(xml, { bodyId: BODY, uploadId: 'peppol', file: 'Order_Example.xml' });
    expect(document.kind).toBe('purchase-order');
    if (document.kind !== 'purchase-order') return;
    const blocks = xml.split(/<cac:OrderLine>/).slice(1);
    expect(
      (document.order.lines ?? []).map((l) => [l.standardItemId ?? null, l.sellersItemCode ?? null]),
    ).toEqual(
      blocks.map((block) => {
        const standard =
          /<cac:StandardItemIdentification>\s*<cbc:ID schemeID="([^"]+)">([^<]+)<\/cbc:ID>/.exec(block);
        const seller = /<cac:SellersItemIdentification>\s*<cbc:ID>([^<]+)<\/cbc:ID>/.exec(block)?.[1];
        return [standard ? { scheme: standard[1], id: standard[2] } : null, seller ?? null];
      }),
    );
  });
});
