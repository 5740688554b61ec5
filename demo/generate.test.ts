/**
 * The demo generator, checked against the message contracts and against an independent
 * recomputation of its manifest from the messages themselves. No broker needed.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { type InvoiceV1, invoiceV1 } from '../ingest/topics/invoices/schema.ts';
import { type PurchaseOrderV1, purchaseOrderV1 } from '../ingest/topics/purchase-orders/schema.ts';
import type { Stats } from '../lib/stats.ts';
import { decimalToUnits, unitsToDecimal } from '../tests/helpers/messages.ts';
import { TRADE_WEIGHTS } from './bodies.ts';
import { TRADES } from './catalogue.ts';
import { countInvoiceLines, type DemoManifest, type DemoMessage, generateDemo } from './generate.ts';
import { writeManifest } from './manifest.ts';

const SMALL = { seed: 7, targetInvoiceLines: 20_000 };

type Current = Map<string, { topic: DemoMessage['topic']; doc: InvoiceV1 | PurchaseOrderV1 }>;

let messages: DemoMessage[];
let manifest: DemoManifest;
let registered: Set<string>;
let badSlots: Map<string, DemoManifest['badRecords'][number]>;
let current: Current;

const slotOf = (topic: string, key: string) => `${topic}|${key}`;
// money arithmetic written in the test (tests/helpers), never the generator's own lib/money
const money = (value: string) => decimalToUnits(value, 2);
const price = (value: string) => decimalToUnits(value, 4);
const dateOf = (invoice: InvoiceV1) => (invoice.invoiceDate ?? invoice.paymentDate) as string;
const currentInvoices = () =>
  [...current.entries()].filter(([, entry]) => entry.topic === 'invoices') as [string, { doc: InvoiceV1 }][];

beforeAll(() => {
  const demo = generateDemo(SMALL);
  messages = [...demo.messages()];
  manifest = demo.manifest;
  registered = new Set(demo.bodies.map((body) => body.bodyId));
  badSlots = new Map(manifest.badRecords.map((bad) => [slotOf(bad.topic, bad.key), bad]));
  // Latest message per key wins; a tombstone retracts; rejected records never count.
  current = new Map();
  for (const message of messages) {
    const slot = slotOf(message.topic, message.key);
    if (badSlots.has(slot)) continue;
    if (message.value === null) current.delete(slot);
    else current.set(slot, { topic: message.topic, doc: JSON.parse(message.value) });
  }
});

/** Why a message would be rejected, judged from its bytes alone (null: it is a good document or a tombstone). */
function rejectionOf(message: DemoMessage): string | null {
  if (!/^[a-z0-9][a-z0-9-]{0,62}:.+$/s.test(message.key)) return 'bad-key';
  if (message.value === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(message.value);
  } catch {
    return 'malformed-json';
  }
  const parsed = (message.topic === 'invoices' ? invoiceV1 : purchaseOrderV1).safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues as { params?: { reason?: string } }[];
    const sums = issues.filter((issue) => issue.params?.reason === 'lines-do-not-sum').length;
    if (sums === 0) return 'schema-violation';
    return sums === issues.length ? 'lines-do-not-sum' : 'several reasons';
  }
  const doc = parsed.data;
  if (!registered.has(doc.bodyId)) return 'unregistered-body';
  const documentId = 'invoiceId' in doc ? doc.invoiceId : doc.poNumber;
  return message.key === `${doc.bodyId}:${documentId}` ? null : 'key-mismatch';
}

describe('the body register', () => {
  it('has eight bodies of the expected kinds, the lead council joining first', () => {
    const demo = generateDemo(SMALL);
    expect(demo.bodies.map((body) => body.kind).sort()).toEqual(
      ['council', 'council', 'council', 'council', 'fire', 'health', 'police', 'school'].sort(),
    );
    expect(demo.bodies[0]).toMatchObject({ bodyId: 'north-shire-cc', joinedOn: '2023-04-01' });
    const joined = demo.bodies.map((body) => body.joinedOn);
    expect(joined).toEqual([...joined].sort());
    expect(new Set(joined).size).toBe(joined.length);
    expect(joined.at(-1)).toBe('2026-01-01');
    for (const body of demo.bodies) {
      expect(body.bodyId).toMatch(/^[a-z0-9][a-z0-9-]{0,62}$/);
      expect(body.servicesInScope.length).toBeGreaterThan(0);
    }
  });

  it('spreads joining dates over a shorter period', () => {
    const demo = generateDemo({ targetInvoiceLines: 100, startDate: '2024-01-01', endDate: '2024-12-31' });
    expect(demo.bodies[0]?.joinedOn).toBe('2024-01-01');
    for (const body of demo.bodies) expect(body.joinedOn <= '2024-12-31').toBe(true);
  });
});

describe('the manifest file', () => {
  it('is written as JSON that reads back equal', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'demo-manifest-'));
    const path = join(directory, 'nested', 'manifest.json');
    await writeManifest(path, manifest);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(manifest);
    await rm(directory, { recursive: true });
  });
});

describe('the trade table', () => {
  it('names only known trades', () => {
    for (const weights of Object.values(TRADE_WEIGHTS)) {
      for (const [trade] of weights) expect(TRADES[trade]?.id).toBe(trade);
    }
  });
});

describe('determinism', () => {
  it('gives byte-identical messages and an identical manifest for the same seed', () => {
    const again = generateDemo(SMALL);
    const first = messages.slice(0, 3_000);
    const second: DemoMessage[] = [];
    for (const message of again.messages()) {
      second.push(message);
      if (second.length === first.length) break;
    }
    expect(second).toEqual(first);
    // Read before any complete iteration: the manifest makes its own pass.
    expect(again.manifest).toEqual(manifest);
  });

  it('gives different data for another seed', () => {
    const other = generateDemo({ ...SMALL, seed: 8 });
    const [firstOther] = other.messages();
    expect(firstOther).not.toEqual(messages[0]);
  });
});

describe('messages', () => {
  it('are all valid and correctly keyed, except the bad records, which fail for their stated reason', () => {
    const failures: string[] = [];
    for (const message of messages) {
      const expected = badSlots.get(slotOf(message.topic, message.key))?.reason ?? null;
      const actual = rejectionOf(message);
      if (actual !== expected)
        failures.push(`${message.topic} ${message.key}: expected ${expected}, got ${actual}`);
    }
    expect(failures).toEqual([]);
  });

  it('plant every kind of bad record, with keys no good document uses', () => {
    const reasons = new Set(manifest.badRecords.map((bad) => bad.reason));
    expect([...reasons].sort()).toEqual(
      ['key-mismatch', 'lines-do-not-sum', 'malformed-json', 'schema-violation', 'unregistered-body'].sort(),
    );
    expect(manifest.badRecords.some((bad) => bad.detail === 'credit-note-positive')).toBe(true);
    expect(manifest.badRecords.some((bad) => bad.detail === 'impossible-date')).toBe(true);
    expect(manifest.badRecords.some((bad) => bad.detail === 'three-decimals')).toBe(true);
    expect(manifest.badRecords.some((bad) => bad.topic === 'purchaseOrders')).toBe(true);
    const sent = messages.filter((message) => badSlots.has(slotOf(message.topic, message.key)));
    expect(sent).toHaveLength(manifest.badRecords.length);
  });

  it('are dated within the period and never before the body joined', () => {
    const joined = new Map(manifest.bodies.map((body) => [body.bodyId, body.joinedOn]));
    const { startDate, endDate } = manifest.generator;
    for (const message of messages) {
      if (message.value === null || badSlots.has(slotOf(message.topic, message.key))) continue;
      const doc = JSON.parse(message.value) as {
        bodyId: string;
        invoiceDate?: string;
        paymentDate?: string;
        orderDate?: string;
      };
      for (const date of [doc.invoiceDate, doc.paymentDate, doc.orderDate]) {
        if (date === undefined) continue;
        expect(date >= (joined.get(doc.bodyId) as string) && date >= startDate && date <= endDate).toBe(true);
      }
    }
  });

  it('count their invoice lines as the totals say', () => {
    let lines = 0;
    for (const message of messages) {
      lines += countInvoiceLines(message);
      if (message.topic === 'invoices' && message.value !== null && rejectionOf(message) === null) {
        expect(countInvoiceLines(message)).toBe((JSON.parse(message.value) as InvoiceV1).lines?.length ?? 0);
      }
    }
    expect(lines).toBe(manifest.totals.invoiceLines);
    expect(manifest.totals.messages).toBe(messages.length);
    expect(manifest.totals.byTopic.invoices).toBe(messages.filter((m) => m.topic === 'invoices').length);
    expect(manifest.totals.tombstones).toBe(messages.filter((m) => m.value === null).length);
    expect(manifest.totals.bad).toBe(manifest.badRecords.length);
    expect(manifest.totals.good + manifest.totals.bad + manifest.totals.tombstones).toBe(messages.length);
  });

  it.each([3_000, 20_000, 60_000])('come within 2%% of %i requested invoice lines', (target) => {
    const { totals } = generateDemo({ seed: 3, targetInvoiceLines: target }).manifest;
    expect(Math.abs(totals.invoiceLines - target)).toBeLessThanOrEqual(target * 0.02);
  });
});

describe('expected stats', () => {
  it('equal a recomputation from the messages (latest version wins, tombstones retract)', () => {
    const unattributed = manifest.badRecords.filter(
      (bad) => attributionOf(bad.topic, bad.key) === null,
    ).length;
    const bodyIds = manifest.bodies.map((body) => body.bodyId).sort();
    const expected = bodyIds.map((bodyId) => {
      const invoices = currentInvoices()
        .map(([, entry]) => entry.doc)
        .filter((doc) => doc.bodyId === bodyId);
      const orders = [...current.values()].filter(
        (entry) => entry.topic === 'purchaseOrders' && entry.doc.bodyId === bodyId,
      );
      const dates = invoices.map(dateOf).sort();
      const totals = totalsByCurrency(invoices);
      return {
        bodyId,
        invoices: invoices.length,
        invoiceLines: invoices.reduce((sum, doc) => sum + (doc.lines?.length ?? 0), 0),
        purchaseOrders: orders.length,
        rejected: manifest.badRecords.filter((bad) => attributionOf(bad.topic, bad.key) === bodyId).length,
        netTotal: totals.netTotal,
        firstInvoiceDate: dates[0] ?? null,
        lastInvoiceDate: dates.at(-1) ?? null,
        otherCurrencies: totals.otherCurrencies,
      };
    });
    // Same JSON text as `spend stats --json` would print, field order included.
    expect(JSON.stringify(manifest.expectedStats)).toBe(
      JSON.stringify({ bodies: expected, unattributedRejected: unattributed }),
    );
    expectTypeOf(manifest.expectedStats).toEqualTypeOf<Stats>();
    expect(unattributed).toBeGreaterThan(0);
    expect(expected.every((stats) => stats.invoices > 0)).toBe(true);
  });

  it('count off-PO invoices as a recomputation does', () => {
    const expected = manifest.bodies.map(({ bodyId }) => {
      const offPo = currentInvoices()
        .map(([, entry]) => entry.doc)
        .filter((doc) => doc.bodyId === bodyId && doc.documentType === 'invoice' && !doc.poNumber);
      return { bodyId, invoices: offPo.length, ...totalsByCurrency(offPo) };
    });
    expect(manifest.offPoInvoices).toEqual(expected);
  });
});

/** The value's bodyId when it reads as JSON with one, else the key's prefix; null unless registered. */
function attributionOf(topic: string, key: string): string | null {
  const message = messages.find((m) => m.topic === topic && m.key === key) as DemoMessage;
  let bodyId: unknown;
  try {
    bodyId = JSON.parse(message.value as string)?.bodyId;
  } catch {}
  if (typeof bodyId !== 'string') bodyId = key.split(':')[0];
  return registered.has(bodyId as string) ? (bodyId as string) : null;
}

function totalsByCurrency(invoices: InvoiceV1[]) {
  const totals = new Map<string, bigint>();
  for (const doc of invoices)
    totals.set(doc.currency, (totals.get(doc.currency) ?? 0n) + money(doc.netAmount));
  return {
    netTotal: unitsToDecimal(totals.get('GBP') ?? 0n, 2),
    otherCurrencies: [...totals]
      .filter(([currency]) => currency !== 'GBP')
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, total]) => ({ currency, netTotal: unitsToDecimal(total, 2) })),
  };
}

describe('planted cases', () => {
  it('map every supplier name a body sends to exactly one entity, with the traps present', () => {
    const entityOf = new Map<string, string>();
    for (const group of manifest.supplierGroups) {
      for (const body of group.bodies) {
        for (const name of body.names) {
          const slot = `${body.bodyId}|${name}`;
          expect(entityOf.get(slot) ?? group.entityId).toBe(group.entityId);
          entityOf.set(slot, group.entityId);
        }
      }
    }
    for (const { doc } of current.values()) {
      if (!doc.supplier.redacted) expect(entityOf.has(`${doc.bodyId}|${doc.supplier.name}`)).toBe(true);
    }
    expect(manifest.supplierGroups.length).toBeGreaterThanOrEqual(300);
    const shared = manifest.supplierGroups.filter((group) => group.bodies.length >= 3);
    expect(shared.length).toBeGreaterThan(30);
    for (const negative of manifest.hardNegatives)
      expect(negative.namesSent.length).toBeGreaterThanOrEqual(negative.entityIds.length);
    const keys = manifest.hardPositives.find((positive) => positive.entityId === 'keys-group');
    expect(keys?.namesSent.map((name) => name.trim())).toEqual(
      expect.arrayContaining(['KEYS PCE', 'Keys Group Pce']),
    );
    expect(
      manifest.supplierGroups.some((group) =>
        group.bodies.some((body) => body.names.some((name) => name.endsWith('\u00a0'))),
      ),
    ).toBe(true);
    expect(
      manifest.supplierGroups.some((group) =>
        group.bodies.some((body) => body.names.some((name) => name.includes('#'))),
      ),
    ).toBe(true);
  });

  it('send identifiers in the formats bodies use', () => {
    for (const group of manifest.supplierGroups) {
      for (const body of group.bodies) {
        if (body.vatNumber?.startsWith('GB')) expect(isValidUkVat(body.vatNumber)).toBe(true);
        if (body.companyNumber)
          expect(body.companyNumber).toMatch(/^([0-9]{7,8}|SC[0-9]{6}|NI[0-9]{6}|OC[0-9]{6}|FC[0-9]{6})$/);
      }
    }
    const eastvale = manifest.supplierGroups
      .flatMap((group) => group.bodies)
      .filter((body) => body.bodyId === 'eastvale-dc');
    expect(eastvale.some((body) => body.companyNumber?.length === 7)).toBe(true);
  });

  it('find the planted duplicate payments, and no others', () => {
    const entityOf = new Map(
      manifest.supplierGroups.flatMap((group) =>
        group.bodies.flatMap((body) =>
          body.names.map((name) => [`${body.bodyId}|${name}`, group.entityId] as const),
        ),
      ),
    );
    const bySameAmount = new Map<string, { key: string; days: number[] }[]>();
    for (const [slot, { doc }] of currentInvoices()) {
      const supplier = doc.supplier.redacted
        ? doc.supplier.name
        : entityOf.get(`${doc.bodyId}|${doc.supplier.name}`);
      const group = `${doc.bodyId}|${supplier}|${doc.currency}|${doc.netAmount}`;
      const days = [doc.invoiceDate, doc.paymentDate]
        .filter((d) => d !== undefined)
        .map((d) => Date.parse(d) / 86_400_000);
      bySameAmount.set(group, [
        ...(bySameAmount.get(group) ?? []),
        { key: slot.slice('invoices|'.length), days },
      ]);
    }
    const found: string[] = [];
    for (const documents of bySameAmount.values()) {
      documents.forEach((a, i) => {
        for (const b of documents.slice(i + 1)) {
          if (a.days.some((x) => b.days.some((y) => Math.abs(x - y) <= 21)))
            found.push([a.key, b.key].sort().join(' '));
        }
      });
    }
    const planted = manifest.duplicatePayments.map((pair) =>
      [pair.original.key, pair.duplicate.key].sort().join(' '),
    );
    expect(found.sort()).toEqual(planted.sort());
    expect(planted.length).toBeGreaterThanOrEqual(10);

    const reversed = manifest.duplicatePayments.filter((pair) => pair.reversedBy);
    expect(reversed.length).toBeGreaterThan(0);
    for (const pair of reversed) {
      const credit = current.get(slotOf('invoices', pair.reversedBy as string))?.doc as InvoiceV1;
      expect(credit.documentType).toBe('credit-note');
      expect(money(credit.netAmount)).toBe(-money(pair.netAmount));
    }
  });

  it('send corrections as later versions of the same key, and tombstones last', () => {
    expect(manifest.corrections.length).toBeGreaterThanOrEqual(10);
    expect(manifest.corrections.some((correction) => correction.versions === 3)).toBe(true);
    for (const correction of manifest.corrections) {
      const versions = messages.filter((m) => m.topic === correction.topic && m.key === correction.key);
      expect(versions).toHaveLength(correction.versions);
      expect(JSON.parse(versions[0]?.value as string).netAmount).toBe(correction.firstNetAmount);
      expect(JSON.parse(versions.at(-1)?.value as string).netAmount).toBe(correction.currentNetAmount);
      expect(correction.firstNetAmount).not.toBe(correction.currentNetAmount);
    }
    expect(manifest.tombstones.some((tombstone) => tombstone.topic === 'invoices')).toBe(true);
    for (const tombstone of manifest.tombstones) {
      const versions = messages.filter((m) => m.topic === tombstone.topic && m.key === tombstone.key);
      expect(versions.length).toBeGreaterThanOrEqual(2);
      expect(versions.at(-1)?.value).toBeNull();
    }
  });

  it('list exactly the invoice lines priced above their purchase order', () => {
    const found: string[] = [];
    for (const [slot, { doc }] of currentInvoices()) {
      if (!doc.poNumber || doc.currency !== 'GBP') continue;
      const order = current.get(slotOf('purchaseOrders', `${doc.bodyId}:${doc.poNumber}`))
        ?.doc as PurchaseOrderV1;
      for (const line of doc.lines ?? []) {
        const ordered = order?.lines.find((poLine) => poLine.itemCode && poLine.itemCode === line.itemCode);
        if (ordered && price(line.unitPrice as string) > price(ordered.unitPrice))
          found.push(`${slot.slice(9)} ${line.lineNo}`);
      }
    }
    const planted = manifest.aboveContractPrice.map((line) => `${line.invoiceKey} ${line.lineNo}`);
    expect(found.sort()).toEqual(planted.sort());
    expect(planted.length).toBeGreaterThan(0);
  });

  it('report price gaps that a recomputation from invoice lines confirms', () => {
    const overcharged = new Set(
      manifest.aboveContractPrice.map((line) => `${line.invoiceKey} ${line.lineNo}`),
    );
    const paid = new Map<string, { prices: Set<string>; quantity: bigint; net: bigint; lines: number }>();
    for (const [slot, { doc }] of currentInvoices()) {
      if (doc.currency !== 'GBP') continue;
      for (const line of doc.lines ?? []) {
        if (!line.itemCode || overcharged.has(`${slot.slice(9)} ${line.lineNo}`)) continue;
        const key = `${line.itemCode}|${doc.bodyId}`;
        const tally = paid.get(key) ?? { prices: new Set(), quantity: 0n, net: 0n, lines: 0 };
        tally.prices.add(String(price(line.unitPrice as string)));
        tally.quantity += BigInt(line.quantity as string);
        tally.net += money(line.netAmount);
        tally.lines++;
        paid.set(key, tally);
      }
    }
    expect(manifest.priceGaps.length).toBeGreaterThanOrEqual(100);
    let expectedBodies = 0;
    for (const gap of manifest.priceGaps) {
      const prices = gap.bodies.map((body) => price(body.unitPrice)).sort((a, b) => (a < b ? -1 : 1));
      let saving = 0n;
      for (const body of gap.bodies) {
        const tally = paid.get(`${gap.itemCode}|${body.bodyId}`);
        expect([...(tally?.prices ?? [])]).toEqual([String(price(body.unitPrice))]);
        expect({ quantity: body.quantity, net: body.netAmount, lines: body.lines }).toEqual({
          quantity: String(tally?.quantity),
          net: unitsToDecimal(tally?.net ?? 0n, 2),
          lines: tally?.lines,
        });
        saving += (money(body.netAmount) * 100n - BigInt(body.quantity) * (prices[0] as bigint)) / 100n;
      }
      expectedBodies += gap.bodies.length;
      expect(price(gap.minUnitPrice)).toBe(prices[0]);
      expect(price(gap.maxUnitPrice)).toBe(prices.at(-1));
      expect(gap.expectedSaving).toBe(unitsToDecimal(saving, 2));
    }
    expect(expectedBodies).toBe([...paid.values()].length);
    const planted = manifest.priceGaps.filter((gap) => gap.planted);
    expect(planted.length).toBeGreaterThan(5);
    for (const gap of planted) {
      const over = gap.bodies.find((body) => body.bodyId === gap.planted?.bodyId);
      if (over) expect(over.unitPrice).toBe(gap.maxUnitPrice);
    }
  });

  it('mark care payments as redacted with each body’s own marker', () => {
    const markers = new Set(manifest.redactedPayments.flatMap((summary) => summary.markers));
    expect(markers.size).toBeGreaterThanOrEqual(5);
    for (const [, { doc }] of currentInvoices()) {
      if (doc.supplier.redacted) expect(doc.supplier).toEqual({ name: doc.supplier.name, redacted: true });
    }
  });

  it('include invoices in euros and header-only invoices', () => {
    const docs = currentInvoices().map(([, entry]) => entry.doc);
    expect(docs.some((doc) => doc.currency === 'EUR')).toBe(true);
    expect(docs.some((doc) => doc.lines === undefined)).toBe(true);
    expect(docs.some((doc) => doc.documentType === 'credit-note')).toBe(true);
  });
});

/** HMRC's weighted modulus-97 check (the pre-2010 scheme the generator uses). */
function isValidUkVat(vat: string): boolean {
  const digits = vat.slice(2).split('').map(Number);
  const weighted = digits.slice(0, 7).reduce((sum, digit, i) => sum + digit * (8 - i), 0);
  return (weighted + Number(vat.slice(9))) % 97 === 0;
}
