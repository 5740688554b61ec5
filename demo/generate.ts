/**
 * Deterministic demo data for the partnership: eight bodies joining over three years, sending
 * purchase orders and invoices (with planted duplicates, price gaps, corrections, tombstones and
 * bad records) as Kafka messages, plus a manifest of everything planted.
 *
 *   const demo = generateDemo({ targetInvoiceLines: 1_000_000 });
 *   for (const message of demo.messages()) …   // lazy: bounded memory at any size
 *   demo.manifest                               // see below
 *
 * The same seed and options give byte-identical messages and an identical manifest.
 */
import { BadRecordRota } from './bad-records.ts';
import {
  BODY_PROFILES,
  type BodyProfile,
  buildRegister,
  type DemoBody,
  joiningDay,
  TRADE_WEIGHTS,
} from './bodies.ts';
import {
  BodyMonth,
  type BodyState,
  type Planned,
  type PlantingRates,
  type RunContext,
} from './body-month.ts';
import { type Day, dayFromIso, isoFromDay, type Month, monthsBetween } from './calendar.ts';
import { DuplicateGuard } from './duplicate-guard.ts';
import { PLANTED_ITEM_LINES, plantItemIdentity, withPlantedSuppliers } from './items-identity.ts';
import type { DemoManifest } from './manifest.ts';
import { ManifestBuilder } from './manifest-builder.ts';
import type { DemoMessage } from './messages.ts';
import { buildPriceBook } from './prices.ts';
import { Random } from './random.ts';
import { planSlowPayments } from './service-levels.ts';
import { buildSupplierWorld } from './suppliers.ts';

export type { DemoBody } from './bodies.ts';
export type { DemoManifest } from './manifest.ts';
export { countInvoiceLines, type DemoMessage, type DemoTopic } from './messages.ts';

export const DEFAULT_SEED = 20230401;
export const DEFAULT_START_DATE = '2023-04-01';
export const DEFAULT_END_DATE = '2026-03-31';

export interface DemoOptions {
  seed?: number;
  /** Invoice lines to produce, counting every version and bad record (the result is within a few lines). */
  targetInvoiceLines: number;
  /** First day of the demo period (YYYY-MM-DD); the lead council joins on it. */
  startDate?: string;
  /** Last day of the demo period (YYYY-MM-DD). */
  endDate?: string;
}

export interface Demo {
  /** The body register. */
  bodies: DemoBody[];
  /** The messages, generated lazily; every call starts again from the seed and yields the same sequence. */
  messages(): Iterable<DemoMessage>;
  /**
   * What was planted. Built while messages() is iterated and ready once an iteration has run to the
   * end; reading it before that runs a full pass of its own (messages are generated and dropped).
   */
  readonly manifest: DemoManifest;
}

/** A body-month bigger than this many invoice lines is made in parts. */
const LINES_PER_PART = 2_000;

interface Settings {
  seed: number;
  targetInvoiceLines: number;
  startDay: Day;
  endDay: Day;
}

/** A body's month with the share of the invoice lines it should have produced by its end. */
interface MonthSlot {
  profile: BodyProfile;
  month: Month;
  firstDay: Day;
  lastDay: Day;
  linesByEnd: number;
}

export function generateDemo(options: DemoOptions): Demo {
  const settings = resolveSettings(options);
  const bodies = buildRegister(settings.startDay, settings.endDay);
  let manifest: DemoManifest | undefined;
  const messages = () =>
    generateMessages(settings, bodies, (finished) => {
      manifest = finished;
    });
  return {
    bodies: bodies.map((body) => ({ ...body, servicesInScope: [...body.servicesInScope] })),
    messages,
    get manifest(): DemoManifest {
      // Not complete yet: run a pass of our own (the generator hands the manifest over at its end).
      if (!manifest) for (const _message of messages());
      return manifest as DemoManifest;
    },
  };
}

function resolveSettings(options: DemoOptions): Settings {
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) {
    throw new RangeError('seed: an integer 0 … 2^32-1');
  }
  if (!Number.isInteger(options.targetInvoiceLines) || options.targetInvoiceLines < 1) {
    throw new RangeError('targetInvoiceLines: a positive integer');
  }
  const startDay = dayFromIso(options.startDate ?? DEFAULT_START_DATE);
  const endDay = dayFromIso(options.endDate ?? DEFAULT_END_DATE);
  if (endDay < startDay) throw new RangeError('endDate is before startDate');
  return { seed, targetInvoiceLines: options.targetInvoiceLines, startDay, endDay };
}

function* generateMessages(
  settings: Settings,
  bodies: DemoBody[],
  onFinished: (manifest: DemoManifest) => void,
): Generator<DemoMessage> {
  const root = new Random(settings.seed);
  const suppliers = buildSupplierWorld(root.fork('suppliers'));
  const prices = buildPriceBook(root.fork('prices'));
  const generator = {
    seed: settings.seed,
    targetInvoiceLines: settings.targetInvoiceLines,
    startDate: isoFromDay(settings.startDay),
    endDate: isoFromDay(settings.endDay),
  };
  const builder = new ManifestBuilder(generator, bodies, prices, withPlantedSuppliers(suppliers));
  const run: RunContext = {
    suppliers,
    prices,
    rates: plantingRates(settings.targetInvoiceLines),
    registered: new Set(bodies.map((body) => body.bodyId)),
    endDay: settings.endDay,
    badRecords: new BadRecordRota(),
    slowPayments: planSlowPayments(settings.startDay, settings.endDay),
  };
  const states = new Map(BODY_PROFILES.map((profile) => [profile.bodyId, newBodyState(profile, root)]));

  // the planted item identities (demo/items-identity.ts) come last; the months leave room for them
  const planted = plantItemIdentity(bodies, generator.endDate);
  const roomForPlanted = planted ? PLANTED_ITEM_LINES : 0;
  const months = schedule({
    ...settings,
    targetInvoiceLines: Math.max(1, settings.targetInvoiceLines - roomForPlanted),
  });
  for (const slot of months) {
    const state = states.get(slot.profile.bodyId) as BodyState;
    yield* monthMessages(slot, state, run, root, builder);
  }
  for (const invoice of planted?.invoices ?? []) {
    const message: DemoMessage = { topic: 'invoices', key: invoice.key, value: JSON.stringify(invoice.doc) };
    builder.record({ kind: 'invoice', ...invoice }, message);
    yield message;
  }
  builder.endPart();
  onFinished({ ...builder.finish(), ...(planted ? { itemIdentity: planted.facts } : {}) });
}

/**
 * One body's month: it gets what is still missing of the running target (so over- and undershoots
 * even out), made in parts of a few days each when it is big, so memory stays bounded at any volume.
 */
function* monthMessages(
  slot: MonthSlot,
  state: BodyState,
  run: RunContext,
  root: Random,
  builder: ManifestBuilder,
): Generator<DemoMessage> {
  const linesAtStart = builder.totals.invoiceLines;
  const missing = slot.linesByEnd - linesAtStart;
  if (missing <= 0) return;
  const upload = new Upload(slot);
  const parts = Math.ceil(missing / LINES_PER_PART);
  const days = slot.lastDay - slot.firstDay + 1;
  for (let part = 0; part < parts; part++) {
    const budget = linesAtStart + Math.round((missing * (part + 1)) / parts) - builder.totals.invoiceLines;
    if (budget <= 0) continue;
    const firstDay = slot.firstDay + Math.floor((days * part) / parts);
    const lastDay = Math.max(firstDay, slot.firstDay + Math.floor((days * (part + 1)) / parts) - 1);
    const random = root.fork(`month:${slot.profile.bodyId}:${slot.month.label}:${part}`);
    const bodyMonth = new BodyMonth(run, state, slot.month, firstDay, lastDay, random);
    const { entries, facts } = bodyMonth.plan(budget);
    for (const entry of entries) {
      const message = upload.message(entry);
      builder.record(entry, message);
      yield message;
    }
    builder.plant(facts);
    builder.endPart();
  }
}

function newBodyState(profile: BodyProfile, root: Random): BodyState {
  const random = root.fork(`numbers:${profile.bodyId}`);
  return {
    profile,
    tradeWeights: TRADE_WEIGHTS[profile.buying],
    nextNumber: random.int(100_000, 700_000),
    nextPoNumber: random.int(1_000, 90_000),
    guard: new DuplicateGuard(),
  };
}

/**
 * How often each case is planted. The base rates suit a large run; the floors make every case
 * appear a dozen times or so even in a run of a few thousand lines.
 */
function plantingRates(targetInvoiceLines: number): PlantingRates {
  const invoices = Math.max(1, targetInvoiceLines / 2.5);
  const atLeast = (rate: number, count: number) => Math.min(0.2, Math.max(rate, count / invoices));
  return {
    duplicate: atLeast(0.003, 12),
    duplicateReversed: 0.4,
    correction: atLeast(0.004, 12),
    secondCorrection: 0.2,
    tombstone: atLeast(0.0008, 6),
    badRecord: atLeast(0.0007, 24),
    aboveContract: 0.03,
    splitInvoice: 0.15,
    cancelledPo: atLeast(0.004, 2),
    cancelledPoRetracted: 0.5,
    goodsReturned: 0.015,
    serviceCredit: 0.01,
  };
}

/** Busier in March (year end), quieter in April, August and December; slowly growing. */
function monthWeight(month: Month, index: number): number {
  const season: Record<number, number> = { 3: 1.5, 4: 0.8, 8: 0.85, 12: 0.9 };
  return (season[month.month] ?? 1) * (1 + 0.005 * index);
}

function schedule(settings: Settings): MonthSlot[] {
  const slots: (Omit<MonthSlot, 'linesByEnd'> & { weight: number })[] = [];
  monthsBetween(settings.startDay, settings.endDay).forEach((month, index) => {
    for (const profile of BODY_PROFILES) {
      const firstDay = Math.max(
        month.firstDay,
        settings.startDay,
        joiningDay(profile, settings.startDay, settings.endDay),
      );
      const lastDay = Math.min(month.lastDay, settings.endDay);
      if (firstDay > lastDay) continue;
      const activeShare = (lastDay - firstDay + 1) / (month.lastDay - month.firstDay + 1);
      slots.push({
        profile,
        month,
        firstDay,
        lastDay,
        weight: profile.size * monthWeight(month, index) * activeShare,
      });
    }
  });
  const total = slots.reduce((sum, slot) => sum + slot.weight, 0);
  let cumulative = 0;
  return slots.map(({ weight, ...slot }) => {
    cumulative += weight;
    return { ...slot, linesByEnd: Math.round((settings.targetInvoiceLines * cumulative) / total) };
  });
}

/** One body's monthly upload: serialises documents, numbering rows for bodies that send `source`. */
class Upload {
  private readonly rows = { invoices: 0, purchaseOrders: 0 };

  constructor(private readonly slot: MonthSlot) {}

  message(entry: Planned): DemoMessage {
    switch (entry.kind) {
      case 'invoice':
        return {
          topic: 'invoices',
          key: entry.key,
          value: JSON.stringify(this.withSource(entry.doc, 'invoices')),
        };
      case 'purchase-order':
        return {
          topic: 'purchaseOrders',
          key: entry.key,
          value: JSON.stringify(this.withSource(entry.doc, 'purchaseOrders')),
        };
      case 'tombstone':
        return { topic: entry.topic, key: entry.key, value: null };
      case 'bad':
        return { topic: entry.topic, key: entry.key, value: entry.value };
    }
  }

  private withSource<T extends object>(doc: T, topic: 'invoices' | 'purchaseOrders'): T {
    const { profile, month } = this.slot;
    if (!profile.conventions.sendsSource) return doc;
    const kind = topic === 'invoices' ? 'ap' : 'po';
    const source = {
      uploadId: `${profile.bodyId}-${kind}-${month.label}`,
      file: `${kind}-extract-${month.label}.csv`,
      row: ++this.rows[topic],
    };
    return { ...doc, source };
  }
}
