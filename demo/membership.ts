/**
 * The demo's membership changes (docs/membership.md), planted beside the generated partnership:
 * - a **prospective** council, Harbourside, uploading a year of its own spend: stationery bought
 *   above the partnership's prices from a supplier members use, energy and agency staff from
 *   shared suppliers, and spend that is not addressable (a grant, a redacted personal payment, a
 *   contribution to a member council, PAYE to HMRC). None of it may reach a partnership figure;
 *   its case-for-joining pack reads it.
 * - a body that **leaves**, North Shire Parks Trust: a member from the first day, it leaves six
 *   months before the period ends and its last payment runs arrive after that; they stay out of
 *   partnership figures, its history before counts.
 * Header-only documents for the leaver (no items, so the planted price facts are untouched) and
 * amounts that never repeat for a supplier (no duplicate-payment pairs). The facts go into the
 * manifest (`membership`), the documents into the same topics, the counts into `expectedStats`.
 */

import type { DuckDBConnection } from '@duckdb/node-api';
import { addBody, type Body, listBodies } from '../lib/bodies.ts';
import { changeMembership } from '../lib/membership.ts';
import { fromScaled } from '../lib/money.ts';
import { addMonths, dayFromIso, isoFromDay, monthsBetween } from './calendar.ts';
import { itemsOfTrade } from './catalogue.ts';
import type { Demo } from './generate.ts';
import { type BodyStats, type DemoManifest, totalsWithInvoices } from './manifest.ts';
import type { DemoMessage } from './messages.ts';

export interface PlantedMembership {
  prospective: {
    bodyId: string;
    name: string;
    plannedJoiningOn: string;
    /** Every pound it uploaded (GBP), and the part that is not addressable, by kind. */
    netTotal: string;
    nonAddressable: Record<'redacted payment' | 'payroll' | 'inter-authority transfer' | 'grant', string>;
    /** Items it bought above list price (what the case-for-joining pack prices against the partnership's). */
    itemCodes: string[];
    sharedSupplierNames: string[];
  };
  leaver: {
    bodyId: string;
    name: string;
    joinedOn: string;
    leftOn: string;
    /** GBP up to and including its last day: in partnership figures. */
    netTotalWhileMember: string;
    /** GBP dated after it: ingested, in no partnership figure. */
    netTotalAfterLeaving: string;
    documentsAfterLeaving: number;
  };
}

type Doc = {
  bodyId: string;
  invoiceId: string;
  date: string;
  value: Record<string, unknown>;
  pence: bigint;
  lines: number;
};

const PROSPECT = {
  bodyId: 'harbourside-council',
  name: 'Harbourside Borough Council',
  kind: 'council' as const,
};
const LEAVER = { bodyId: 'north-shire-parks-trust', name: 'North Shire Parks Trust', kind: 'other' as const };
const money = (pence: bigint) => fromScaled(pence, 2);

function invoiceValue(doc: {
  bodyId: string;
  invoiceId: string;
  date: string;
  supplier: Record<string, unknown>;
  pence: bigint;
  expenseType: string;
  description: string;
  lines?: Record<string, unknown>[];
}): Record<string, unknown> {
  return {
    schema: 'invoice.v1',
    bodyId: doc.bodyId,
    invoiceId: doc.invoiceId,
    documentType: 'invoice',
    supplier: doc.supplier,
    invoiceDate: doc.date,
    currency: 'GBP',
    netAmount: money(doc.pence),
    description: doc.description,
    expenseType: doc.expenseType,
    ...(doc.lines ? { lines: doc.lines } : {}),
  };
}

/** The planted documents and facts for a demo period. */
export function planMembership(startDate: string, endDate: string) {
  const start = dayFromIso(startDate);
  const end = dayFromIso(endDate);
  const leftOn = isoFromDay(addMonths(end + 1, -6) - 1);
  const prospectFrom = addMonths(end + 1, -12);
  const docs: Doc[] = [];
  const nonAddressable = { 'redacted payment': 0n, payroll: 0n, 'inter-authority transfer': 0n, grant: 0n };
  const items = itemsOfTrade('stationery').slice(0, 3);

  // the prospective body: a year of monthly spend
  for (const [m, month] of monthsBetween(prospectFrom, end).entries()) {
    const day = (d: number) => isoFromDay(month.firstDay + d);
    const id = (kind: string) => `HBC-${month.label.replace('-', '')}-${kind}`;
    const add = (
      kind: string,
      d: number,
      supplier: Record<string, unknown>,
      pence: bigint,
      expenseType: string,
      lines?: Record<string, unknown>[],
    ) => {
      const date = day(d);
      docs.push({
        bodyId: PROSPECT.bodyId,
        invoiceId: id(kind),
        date,
        pence,
        lines: lines?.length ?? 0,
        value: invoiceValue({
          bodyId: PROSPECT.bodyId,
          invoiceId: id(kind),
          date,
          supplier,
          pence,
          expenseType,
          description: expenseType,
          lines,
        }),
      });
    };
    // stationery at a quarter above list price: the saving its pack finds at partnership prices
    const lines = items.map((item, i) => {
      const quantity = BigInt(10 + ((m * 7 + i * 3) % 20));
      const price = ((item.listPrice * 125n) / 100n + 50n) / 100n; // ten-thousandths → pence, rounded
      return {
        lineNo: i + 1,
        description: item.description,
        itemCode: item.itemCode,
        unit: item.unit,
        quantity: String(quantity),
        unitPrice: money(price),
        netAmount: money(quantity * price),
        pence: quantity * price,
      };
    });
    add(
      'STA',
      3,
      { name: 'LYRECO UK LTD' },
      lines.reduce((t, l) => t + l.pence, 0n),
      'Stationery',
      lines.map(({ pence: _p, ...line }) => line),
    );
    add('ELE', 8, { name: 'EDF ENERGY PLC' }, 1_850_00n + BigInt(m) * 37_13n, 'Electricity');
    add(
      'AGY',
      12,
      { name: 'REED SPECIALIST RECRUITMENT LTD' },
      4_200_00n + BigInt(m) * 111_07n,
      'Agency Staff',
    );
    add('CLN', 15, { name: 'Harbour Window Cleaning Ltd' }, 640_00n + BigInt(m) * 9_41n, 'Cleaning Services');
    if (m % 3 === 0) {
      const q = BigInt(m / 3);
      const grant = 2_500_00n + q * 100_00n;
      add('GRT', 18, { name: 'Harbourside Community Trust' }, grant, 'Grants to Voluntary Organisations');
      const redacted = 612_40n + q * 13_10n;
      add('RED', 19, { name: 'REDACTED PERSONAL DATA', redacted: true }, redacted, 'Direct Payments');
      const transfer = 7_000_00n + q * 250_00n;
      add('IAT', 20, { name: 'NORTH SHIRE COUNTY COUNCIL' }, transfer, 'Contribution to joint service');
      const paye = 31_415_92n + q * 1_000_00n;
      add('PAY', 21, { name: 'HM REVENUE & CUSTOMS' }, paye, 'PAYE and NI');
      nonAddressable.grant += grant;
      nonAddressable['redacted payment'] += redacted;
      nonAddressable['inter-authority transfer'] += transfer;
      nonAddressable.payroll += paye;
    }
  }

  // the leaver: monthly service invoices from the first day to three months after it left
  let whileMember = 0n;
  let after = 0n;
  let documentsAfter = 0;
  const stopSending = isoFromDay(addMonths(dayFromIso(leftOn) + 1, 3) - 1);
  for (const [m, month] of monthsBetween(start, dayFromIso(stopSending)).entries()) {
    const suppliers: [string, string, string, bigint][] = [
      ['GRD', 'Parkside Landscapes Ltd', 'Grounds Maintenance', 2_300_00n + BigInt(m) * 17_29n],
      ['ELE', 'EDF ENERGY PLC', 'Electricity', 410_00n + BigInt(m) * 3_71n],
      ['WAT', 'WATER PLUS LIMITED', 'Water', 95_00n + BigInt(m) * 1_13n],
    ];
    for (const [kind, name, expenseType, pence] of suppliers) {
      const date = isoFromDay(month.firstDay + 9);
      const invoiceId = `NSPT/${month.label}/${kind}`;
      docs.push({
        bodyId: LEAVER.bodyId,
        invoiceId,
        date,
        pence,
        lines: 0,
        value: invoiceValue({
          bodyId: LEAVER.bodyId,
          invoiceId,
          date,
          supplier: { name },
          pence,
          expenseType,
          description: expenseType,
        }),
      });
      if (date <= leftOn) whileMember += pence;
      else {
        after += pence;
        documentsAfter++;
      }
    }
  }

  const prospectDocs = docs.filter((d) => d.bodyId === PROSPECT.bodyId);
  const planted: PlantedMembership = {
    prospective: {
      ...PROSPECT,
      plannedJoiningOn: isoFromDay(end + 1),
      netTotal: money(prospectDocs.reduce((t, d) => t + d.pence, 0n)),
      nonAddressable: Object.fromEntries(
        Object.entries(nonAddressable).map(([k, v]) => [k, money(v)]),
      ) as PlantedMembership['prospective']['nonAddressable'],
      itemCodes: items.map((i) => i.itemCode),
      sharedSupplierNames: ['LYRECO UK LTD', 'EDF ENERGY PLC', 'REED SPECIALIST RECRUITMENT LTD'],
    },
    leaver: {
      ...LEAVER,
      joinedOn: startDate,
      leftOn,
      netTotalWhileMember: money(whileMember),
      netTotalAfterLeaving: money(after),
      documentsAfterLeaving: documentsAfter,
    },
  };
  return { docs, planted };
}

function statsOf(bodyId: string, docs: Doc[]): BodyStats {
  const own = docs.filter((d) => d.bodyId === bodyId);
  const dates = own.map((d) => d.date).sort();
  return {
    bodyId,
    invoices: own.length,
    invoiceLines: own.reduce((t, d) => t + d.lines, 0),
    purchaseOrders: 0,
    rejected: 0,
    netTotal: money(own.reduce((t, d) => t + d.pence, 0n)),
    firstInvoiceDate: dates[0] ?? null,
    lastInvoiceDate: dates.at(-1) ?? null,
    otherCurrencies: [],
  };
}

/**
 * The demo with the membership bodies' documents after the generated ones, and their facts in
 * the manifest (`membership`, their counts in `totals` and `expectedStats`).
 */
export function withDemoMembership(
  demo: Demo,
  startDate: string,
  endDate: string,
): Demo & { membership: PlantedMembership } {
  const { docs, planted } = planMembership(startDate, endDate);
  const extra: DemoMessage[] = docs.map((d) => ({
    topic: 'invoices',
    key: `${d.bodyId}:${d.invoiceId}`,
    value: JSON.stringify(d.value),
  }));
  let manifest: DemoManifest | undefined;
  return {
    bodies: demo.bodies,
    membership: planted,
    *messages() {
      yield* demo.messages();
      yield* extra;
    },
    get manifest(): DemoManifest {
      if (manifest) return manifest;
      const base = demo.manifest;
      const lines = docs.reduce((t, d) => t + d.lines, 0);
      manifest = {
        ...base,
        totals: totalsWithInvoices(base.totals, extra.length, lines),
        expectedStats: {
          ...base.expectedStats,
          bodies: [
            ...base.expectedStats.bodies,
            statsOf(PROSPECT.bodyId, docs),
            statsOf(LEAVER.bodyId, docs),
          ],
        },
        membership: planted,
      };
      return manifest;
    },
  };
}

/**
 * Registers the prospective body, and the leaver as a member that then leaves (its history shows
 * both); a database that has them already is left as it is.
 */
export async function registerDemoMembership(
  conn: DuckDBConnection,
  planted: PlantedMembership,
): Promise<string> {
  const registered = new Map((await listBodies(conn)).map((b: Body) => [b.bodyId, b]));
  const { prospective, leaver } = planted;
  if (!registered.has(prospective.bodyId)) {
    await addBody(conn, {
      bodyId: prospective.bodyId,
      name: prospective.name,
      kind: 'council',
      status: 'prospective',
      joinedOn: prospective.plannedJoiningOn,
      servicesInScope: ['procurement'],
    });
  }
  if (!registered.has(leaver.bodyId)) {
    await addBody(conn, {
      bodyId: leaver.bodyId,
      name: leaver.name,
      kind: 'other',
      joinedOn: leaver.joinedOn,
      servicesInScope: ['procurement'],
    });
    await changeMembership(conn, {
      bodyId: leaver.bodyId,
      change: 'leave',
      on: leaver.leftOn,
      note: 'demo: the trust leaves the partnership',
      by: 'demo',
    });
  }
  return `Membership: ${prospective.bodyId} is prospective (its uploads stay out of partnership figures: npx spend pack case-for-joining ${prospective.bodyId}); ${leaver.bodyId} left on ${leaver.leftOn} (npx spend members history)`;
}
