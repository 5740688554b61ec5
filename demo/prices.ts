/**
 * What each body pays for each catalogue item: its own contract price around the list price
 * (−8 % … +15 %), plus a few planted gaps where one body pays 35–80 % over the list price.
 */
import { adjustByPercent } from './amounts.ts';
import { BODY_PROFILES, type BodyProfile, TRADE_WEIGHTS } from './bodies.ts';
import { CATALOGUE, type CatalogueItem } from './catalogue.ts';
import type { Random } from './random.ts';

export interface PlantedPriceGap {
  itemCode: string;
  bodyId: string;
  premiumPercent: number;
}

export interface PriceBook {
  /** The body's contract unit price in ten-thousandths of a pound, or undefined if it never buys the item. */
  price(bodyId: string, itemCode: string): bigint | undefined;
  planted: readonly PlantedPriceGap[];
}

const PLANTED_GAPS = 12;

function buyers(item: CatalogueItem): BodyProfile[] {
  return BODY_PROFILES.filter((profile) =>
    TRADE_WEIGHTS[profile.buying].some(([trade]) => trade === item.trade),
  );
}

export function buildPriceBook(random: Random): PriceBook {
  const prices = new Map<string, Map<string, bigint>>(
    BODY_PROFILES.map((profile) => [profile.bodyId, new Map()]),
  );
  for (const item of CATALOGUE) {
    const step = item.pricePlaces === 2 ? 100n : 1n;
    for (const profile of buyers(item)) {
      const percent = random.int(-800, 1500) / 100;
      prices.get(profile.bodyId)?.set(item.itemCode, adjustByPercent(item.listPrice, percent, step));
    }
  }

  const shared = CATALOGUE.filter((item) => buyers(item).length >= 3);
  const planted = random.sample(shared, PLANTED_GAPS).map((item): PlantedPriceGap => {
    const body = random.pick(buyers(item));
    const premiumPercent = random.int(35, 80);
    const step = item.pricePlaces === 2 ? 100n : 1n;
    prices.get(body.bodyId)?.set(item.itemCode, adjustByPercent(item.listPrice, premiumPercent, step));
    return { itemCode: item.itemCode, bodyId: body.bodyId, premiumPercent };
  });

  return { price: (bodyId, itemCode) => prices.get(bodyId)?.get(itemCode), planted };
}
