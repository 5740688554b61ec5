/**
 * Addressable and non-addressable spend (docs/membership.md#addressable-spend): what a
 * procurement partnership can buy better, and what it cannot (grants, payroll, transfers to other
 * public bodies, redacted personal payments), told apart line by line from what the data says.
 *
 * What the data can tell: a redacted payee (the upload's redaction flag or marker); a grant or a
 * pension payment by its ProClass code (2017xx Grants, 201810 Pension Funds, from the line's own
 * code, a rule or its supplier) or by its words; payroll by its words (salaries, PAYE, national
 * insurance, superannuation) or a payment to HMRC; a transfer to another public body by the
 * payee's name: a UK local authority in the shipped register (reference/registers), a body of
 * our own register, or a name that says it is one (police, fire and rescue, NHS, combined
 * authority…). What it cannot: payroll paid outside accounts payable never appears at all; a
 * public body named like a firm, or a grant described as a purchase, counts as addressable; a
 * redacted line does not always say whether it is a person or commercially sensitive.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';

export const ADDRESSABILITY = [
  'addressable',
  'redacted payment',
  'payroll',
  'inter-authority transfer',
  'grant',
] as const;

const REGISTER = join(
  import.meta.dirname,
  '..',
  '..',
  'reference',
  'registers',
  'uk-local-authority-names.csv',
);

/** Names compared in upper case, letters and digits only, single spaces. */
export const nameKeySql = (column: string) =>
  `trim(regexp_replace(upper(${column}), '[^A-Z0-9]+', ' ', 'g'))`;

let authorityNames: string[] | null | undefined;

/** The UK local authorities' names as keys (both "X Borough Council" and "X"), or null when not shipped. */
export function localAuthorityNames(): string[] | null {
  if (authorityNames !== undefined) return authorityNames;
  if (!existsSync(REGISTER)) {
    authorityNames = null;
    return null;
  }
  const rows = parse(readFileSync(REGISTER, 'utf8'), { columns: true }) as { 'la-name': string }[];
  const keys = new Set<string>();
  for (const row of rows) {
    const key = row['la-name']
      .toUpperCase()
      .replace(/[^A-Z0-9]+/g, ' ')
      .trim();
    // a bare place name ("Wigan") is a town as often as a council: only names that say council
    if (/\b(COUNCIL|AUTHORITY|CORPORATION)\b/.test(key)) keys.add(key);
  }
  authorityNames = [...keys].sort();
  return authorityNames;
}

const PUBLIC_BODY_WORDS =
  '\\b(COUNCIL|POLICE|CONSTABULARY|FIRE AND RESCUE|FIRE RESCUE|FIRE AUTHORITY|NHS|CLINICAL COMMISSIONING|INTEGRATED CARE BOARD|COMBINED AUTHORITY|POLICE AND CRIME COMMISSIONER)\\b';
const PAYROLL_WORDS =
  '\\b(SALARY|SALARIES|WAGES|PAYROLL|PAYE|NATIONAL INSURANCE|SUPERANNUATION|PENSION CONTRIBUTIONS?)\\b';
const GRANT_WORDS = '\\bGRANTS?\\b';

/**
 * A SQL CASE giving each line's addressability, over a relation `lines` with the columns of
 * int_spend_classified, and the bound list `$authorityNames` (name keys) and `$memberNames`.
 * First match wins, in the order of ADDRESSABILITY after `addressable`.
 */
export function addressabilitySql(lines = 'lines'): string {
  const text = `${nameKeySql(`concat_ws(' ', ${lines}.expense_type, ${lines}.description, ${lines}.own_category_label)`)}`;
  const payee = nameKeySql(`${lines}.supplier_name`);
  return `case
      when ${lines}.supplier_redacted then 'redacted payment'
      when ${lines}.proclass_code = '201810' or regexp_matches(${text}, '${PAYROLL_WORDS}')
        or regexp_matches(${payee}, '^(HM REVENUE|HMRC)\\b') then 'payroll'
      when list_contains($authorityNames::varchar[], ${payee}) or list_contains($memberNames::varchar[], ${payee})
        or regexp_matches(${payee}, '${PUBLIC_BODY_WORDS}') then 'inter-authority transfer'
      when starts_with(coalesce(${lines}.proclass_code, ''), '2017') or regexp_matches(${text}, '${GRANT_WORDS}') then 'grant'
      else 'addressable'
    end`;
}
