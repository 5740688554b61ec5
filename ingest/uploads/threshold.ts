/**
 * The amount a file publishes spend from. Transparency files hold payments over £500 (the Local
 * Government Transparency Code) or over £250; AP extracts and e-invoices hold everything (0).
 * Cross-body figures compare bodies at the highest threshold among them (docs/transforms.md),
 * so each upload records its threshold and how it was decided, in this order:
 *
 * 1. `option`: the uploader said so (`spend upload --threshold 500`);
 * 2. `e-invoice`: a Peppol document is one document sent as it is, never a selection (0);
 * 3. `register`: the body's usual threshold (`spend bodies add --publishing-threshold`);
 * 4. `detected`: from the accepted rows' sizes. A threshold lets no row through below it, but
 *    bodies apply it to the gross amount (Devon's "over 500" file starts at £416.67 net) and a few
 *    rows slip under it (Liverpool: 5 of 11,040), so £500 is read when at most 1 % of the rows are
 *    under £416.66 net, else £250 when at most 1 % are under £208.33, else 0. On the real Nov 2023
 *    files this reads Bolton, Bury, Devon, Kirklees, Liverpool and Salford as £500, Blackpool as
 *    £250, and Lancashire, Hyndburn and Westmorland & Furness (thousands of small rows) as 0.
 *    Under 20 rows say too little: 0, said so.
 */
export type PublishingThresholdSource = 'option' | 'e-invoice' | 'register' | 'detected';

export type PublishingThreshold = {
  /** Whole pounds: 500, 250, 0… */
  pounds: number;
  source: PublishingThresholdSource;
  /** Why, in a sentence a finance officer can check. */
  reason: string;
};

export type RowSizes = {
  rows: number;
  /** Rows under £208.33 net (under £250 gross at 20 % VAT). */
  under250: number;
  /** Rows under £416.66 net (under £500 gross at 20 % VAT). */
  under500: number;
};

/** Net amounts (pence) under which a payment falls below £250 / £500 gross at 20 % VAT. */
export const UNDER_250_NET_PENCE = 20_833n;
export const UNDER_500_NET_PENCE = 41_666n;

/** Rows below a threshold tolerated in a file that still publishes from it. */
const TOLERATED_SHARE = 0.01;
const FEWEST_ROWS_TO_TELL = 20;

export function detectThreshold(sizes: RowSizes): { pounds: number; reason: string } {
  const n = (value: number) => value.toLocaleString('en-GB');
  if (sizes.rows < FEWEST_ROWS_TO_TELL) {
    return {
      pounds: 0,
      reason: `${n(sizes.rows)} rows are too few to tell a threshold: taken as publishing everything`,
    };
  }
  const tolerated = Math.floor(sizes.rows * TOLERATED_SHARE);
  if (sizes.under500 <= tolerated) {
    return {
      pounds: 500,
      reason: `${n(sizes.under500)} of ${n(sizes.rows)} rows are under £500 (£416.66 net of VAT)`,
    };
  }
  if (sizes.under250 <= tolerated) {
    return {
      pounds: 250,
      reason: `${n(sizes.under250)} of ${n(sizes.rows)} rows are under £250 (£208.33 net of VAT), ${n(sizes.under500)} under £500`,
    };
  }
  return {
    pounds: 0,
    reason: `${n(sizes.under250)} of ${n(sizes.rows)} rows are under £250 (£208.33 net of VAT): no threshold`,
  };
}

export function decideThreshold(input: {
  option: number | undefined;
  registered: number | null | undefined;
  eInvoice: boolean;
  sizes: RowSizes;
}): PublishingThreshold {
  if (input.option !== undefined) {
    return { pounds: input.option, source: 'option', reason: 'as the upload said (--threshold)' };
  }
  if (input.eInvoice) {
    return { pounds: 0, source: 'e-invoice', reason: 'an e-invoice or order is sent whole, never selected' };
  }
  if (input.registered !== undefined && input.registered !== null) {
    return {
      pounds: input.registered,
      source: 'register',
      reason: "the body's registered threshold (spend bodies add --publishing-threshold)",
    };
  }
  return { ...detectThreshold(input.sizes), source: 'detected' };
}
