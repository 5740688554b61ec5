/**
 * The membership packs (docs/membership.md), read from the built models:
 * - the case-for-joining pack of a prospective body: its own lines (which no mart holds: they
 *   stay out of partnership figures) set against the partnership's marts;
 * - the due-diligence spend pack for any set of partnership bodies and period: what potential
 *   partners expect to see of how much the bodies spend and on what.
 * Every section is a table of exact DECIMAL strings, for JSON, CSV (one file a section) and the
 * printable page (packs-html.ts).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { type Body, listBodies } from '../../lib/bodies.ts';
import { queryRows } from '../../lib/db.ts';
import { UserError } from '../../lib/errors.ts';
import { bodyId, isoDate } from '../../lib/fields.ts';
import { fromScaled, toScaled } from '../../lib/money.ts';
import { type ResultTable, readTable } from '../../lib/output.ts';
import { addressabilitySql, localAuthorityNames } from './addressability.ts';

export type PackSection = { name: string; title: string; note?: string; table: ResultTable };
export type Pack = {
  kind: 'case-for-joining' | 'due-diligence';
  title: string;
  subtitle: string;
  generatedAt: string;
  summary: { label: string; value: string }[];
  sections: PackSection[];
  caveats: string[];
};

/**
 * The partnership's prices, from the price-dispersion mart: the one place the packs read it
 * (the mart's columns may change; adapt here). Per item × unit: the best (lowest) usual price
 * among members, the p25 and the median, and how many members buy it.
 */
const PARTNERSHIP_PRICES_SQL = `
  select item_code, unit, bodies as partnership_bodies,
         min_unit_price as best_price, p25_unit_price as p25_price, median_unit_price as median_price
  from fct_price_dispersion`;

/** The partnership rule (int_outside_partnership), as every mart applies it. */
const IN_PARTNERSHIP_FIGURES = `anti join int_outside_partnership as outside
    on outside.body_id = lines.body_id and (outside.excluded_after is null or lines.spend_date > outside.excluded_after)`;

const today = () => new Date().toISOString().slice(0, 10);

async function requireModels(conn: DuckDBConnection, names: string[]): Promise<void> {
  const rows = await queryRows<{ name: string }>(
    conn,
    `select table_name as name from duckdb_tables() where schema_name = 'main' and table_name in (select unnest($names::varchar[]))`,
    { names: JSON.stringify(names) },
  );
  const missing = names.filter((n) => !rows.some((r) => r.name === n));
  if (missing.length > 0) {
    throw new UserError(
      'unavailable',
      `the models are not built yet (${missing.join(', ')}): run "spend transforms run" first.`,
    );
  }
}

/** Builds the pack's lines as a temp table, each with its addressability. */
async function stageLines(
  conn: DuckDBConnection,
  where: string,
  params: Record<string, string>,
  bodies: Body[],
): Promise<string[]> {
  const authorities = localAuthorityNames();
  await conn.run(
    `create or replace temp table pack_lines as
     select lines.*, ${addressabilitySql('lines')} as addressability
     from int_spend_classified as lines
     ${where}`,
    {
      ...params,
      authorityNames: JSON.stringify(authorities ?? []),
      memberNames: JSON.stringify(
        bodies.map((b) =>
          b.name
            .toUpperCase()
            .replace(/[^A-Z0-9]+/g, ' ')
            .trim(),
        ),
      ),
    },
  );
  return authorities
    ? []
    : [
        'The UK local authority register (reference/registers) was not found: transfers to other authorities are recognised by their names only.',
      ];
}

const section = async (
  conn: DuckDBConnection,
  name: string,
  title: string,
  sql: string,
  params: Record<string, string> = {},
  note?: string,
): Promise<PackSection> => ({
  name,
  title,
  ...(note ? { note } : {}),
  table: await readTable(conn, sql, params),
});

const ADDRESSABILITY_NOTES = [
  'Addressable spend is what procurement can buy better. Kept apart, and labelled: redacted payments (personal or commercially sensitive: the data does not always say which), payroll (salaries, PAYE, national insurance, pensions, payments to HMRC), transfers to other public bodies (a UK local authority of the shipped register, a body of the partnership, or a payee named as police, fire and rescue, NHS, council…) and grants (ProClass Grants codes or the word grant).',
  'What the data cannot tell: payroll paid outside accounts payable is not in these files at all; a public body named like a firm, or a grant described as a purchase, counts as addressable.',
];

const ADDRESSABLE_BY_CATEGORY = (filter: string) => `
  select coalesce(proclass_level1, '(unclassified)') as category,
         sum(net_amount) as net_total,
         count(*) as lines,
         count(distinct supplier_entity_id) as suppliers
  from pack_lines
  where currency = 'GBP' and addressability = 'addressable' ${filter}
  group by all
  order by net_total desc, category`;

const BY_ADDRESSABILITY = `
  select addressability, sum(net_amount) as net_total, count(*) as lines,
         round(100 * sum(net_amount) / nullif(sum(sum(net_amount)) over (), 0), 1) as percent_of_spend
  from pack_lines
  where currency = 'GBP'
  group by addressability
  order by addressability <> 'addressable', net_total desc`;

// ------------------------------------------------------------------------ case for joining

export const caseForJoiningParams = z.strictObject({
  bodyId,
  /** The day contracts and procurement windows must still be open on (default today). */
  asOf: isoDate.optional(),
});

export async function caseForJoining(
  conn: DuckDBConnection,
  input: z.input<typeof caseForJoiningParams>,
): Promise<Pack> {
  const { bodyId: id, asOf = today() } = caseForJoiningParams.parse(input);
  const bodies = await listBodies(conn);
  const body = bodies.find((b) => b.bodyId === id);
  if (!body) throw new UserError('not-found', `Body "${id}" is not registered.`);
  if (body.status !== 'prospective') {
    throw new UserError(
      'invalid-input',
      `${id} is ${body.status}: the case-for-joining pack is for a prospective body (its figures are already the partnership's: try the due-diligence pack).`,
    );
  }
  await requireModels(conn, [
    'int_spend_classified',
    'fct_spend_cube',
    'fct_price_dispersion',
    'fct_contracts',
  ]);
  const caveats = await stageLines(conn, 'where lines.body_id = $bodyId', { bodyId: id }, bodies);

  const sections: PackSection[] = [
    await section(
      conn,
      'addressable_by_category',
      'Addressable spend by category',
      ADDRESSABLE_BY_CATEGORY(''),
      {},
      'GBP, net of credit notes; categories by ProClass level 1, classified as the partnership’s spend is.',
    ),
    await section(conn, 'addressability', 'Addressable and non-addressable spend', BY_ADDRESSABILITY),
    await section(
      conn,
      'shared_suppliers',
      'Suppliers it shares with the partnership',
      `with prospect as (
         select supplier_entity_id as entity_id, sum(net_amount) as prospect_net_total, count(distinct invoice_id) as prospect_documents
         from pack_lines where currency = 'GBP' and supplier_entity_id is not null group by all
       ),
       partnership as (
         select supplier_entity_id as entity_id, any_value(supplier_entity_name) as entity_name,
                sum(net_total) as partnership_net_total, count(distinct body_id) as partnership_bodies
         from fct_spend_cube
         -- members' spend while members, in GBP
         where in_partnership and currency = 'GBP' and supplier_entity_id is not null
         group by all
       )
       select prospect.entity_id, partnership.entity_name, prospect.prospect_net_total, prospect.prospect_documents,
              partnership.partnership_net_total, partnership.partnership_bodies,
              prospect.prospect_net_total + partnership.partnership_net_total as combined_net_total
       from prospect inner join partnership using (entity_id)
       order by combined_net_total desc, entity_id`,
      {},
      'Partnership spend is the members’ spend while members (fct_spend_cube), in GBP.',
    ),
    await section(
      conn,
      'price_savings',
      'The saving if it paid the partnership’s prices',
      `with prospect as (
         select item_code, unit, sum(quantity) as quantity, sum(net_amount) as net_amount, count(*) as lines
         from pack_lines
         where currency = 'GBP' and item_code is not null and unit_price is not null and quantity is not null
         group by all
         -- items whose purchases were all credited back have no volume to compare
         having sum(quantity) > 0
       ),
       partnership as (${PARTNERSHIP_PRICES_SQL})
       select prospect.item_code, prospect.unit, prospect.quantity, prospect.net_amount,
              round(prospect.net_amount / prospect.quantity, 4)::decimal(18, 4) as prospect_unit_price,
              partnership.partnership_bodies, partnership.best_price, partnership.p25_price, partnership.median_price,
              greatest(0, prospect.net_amount - round(prospect.quantity * partnership.best_price, 2))::decimal(18, 2) as saving_at_best_price,
              greatest(0, prospect.net_amount - round(prospect.quantity * partnership.p25_price, 2))::decimal(18, 2) as saving_at_p25_price,
              greatest(0, prospect.net_amount - round(prospect.quantity * partnership.median_price, 2))::decimal(18, 2) as saving_at_median_price
       from prospect inner join partnership using (item_code, unit)
       order by saving_at_best_price desc, item_code`,
      {},
      'Per item and unit it buys that members buy too (fct_price_dispersion): what it paid less the same quantity at the members’ best, p25 and median usual prices; items it already buys at or below that price save nothing.',
    ),
    await section(
      conn,
      'contracts',
      'Partnership contracts it could use',
      `with prospect_suppliers as (
         select supplier_entity_id as entity_id, sum(net_amount) as net_total from pack_lines
         where currency = 'GBP' and supplier_entity_id is not null group by all
       ),
       prospect_categories as (
         select proclass_level1, sum(net_amount) as net_total from pack_lines
         where currency = 'GBP' and proclass_level1 is not null group by all
       )
       select contracts.ocid, contracts.contract_id, contracts.title, contracts.buyer_name, contracts.body_id,
              contracts.supplier_names, contracts.end_date, contracts.value_amount, contracts.value_currency,
              contracts.is_framework, contracts.proclass_level1,
              case when exists (select 1 from prospect_suppliers where list_contains(contracts.supplier_entity_ids, prospect_suppliers.entity_id))
                   then 'a supplier it pays' else 'a category it buys' end as why,
              coalesce((select sum(net_total) from prospect_suppliers where list_contains(contracts.supplier_entity_ids, prospect_suppliers.entity_id)), 0) as prospect_spend_with_its_suppliers,
              coalesce(prospect_categories.net_total, 0) as prospect_spend_in_category
       from fct_contracts as contracts
       left join prospect_categories using (proclass_level1)
       -- a member's contract still in force
       where contracts.body_id is not null and (contracts.end_date is null or contracts.end_date >= $asOf::date)
         and (exists (select 1 from prospect_suppliers where list_contains(contracts.supplier_entity_ids, prospect_suppliers.entity_id))
              or prospect_categories.net_total is not null)
       order by why, prospect_spend_with_its_suppliers desc, contracts.end_date nulls last, contracts.ocid`,
      { asOf },
      'Members’ contracts in force that name a supplier it pays, or cover a category it buys (by ProClass level 1): contracts a member body may call off or join without a procurement of its own, subject to their terms.',
    ),
    await section(
      conn,
      'joint_procurement_windows',
      'Joint procurement windows it could join',
      `with prospect_divisions as (
         select left(cpv_code, 2) as cpv_division, sum(net_amount) as net_total from pack_lines
         where currency = 'GBP' and cpv_code is not null group by all
       )
       select windows.cpv_division, windows.cpv_division_label, windows.window_start, windows.last_expiry,
              windows.start_joint_procurement_by, windows.partnership_bodies, windows.contracts, windows.combined_value,
              coalesce(prospect_divisions.net_total, 0) as prospect_spend_in_division
       from fct_joint_procurement_windows as windows
       left join prospect_divisions using (cpv_division)
       -- windows still open: their last contract has not expired
       where windows.last_expiry >= $asOf::date
       order by prospect_spend_in_division desc, windows.window_start`,
      { asOf },
      'Contracts of two or more buyers expiring together (fct_joint_procurement_windows) that are still open; its own spend in the CPV division where its lines carry a CPV code.',
    ),
  ];

  const summary = await queryRows<Record<string, string | null>>(
    conn,
    `select min(spend_date)::varchar as first, max(spend_date)::varchar as last,
            coalesce(sum(net_amount) filter (where currency = 'GBP'), 0)::varchar as total,
            coalesce(sum(net_amount) filter (where currency = 'GBP' and addressability = 'addressable'), 0)::varchar as addressable,
            count(*)::varchar as lines,
            count(*) filter (where spend_date is null)::varchar as undated,
            string_agg(distinct currency, ', ') filter (where currency <> 'GBP') as others
     from pack_lines`,
  );
  const s = summary[0] ?? {};
  const sumOf = (name: string, column: string) => {
    const table = sections.find((x) => x.name === name)?.table;
    return sumDecimals((table?.rows ?? []).map((r) => String(r[column] ?? '0')));
  };
  if (Number(s.lines ?? 0) === 0)
    caveats.push(
      `${id} has no spend in the database yet: upload its extracts (spend upload --body ${id}) and run the transforms.`,
    );
  if (Number(s.undated ?? 0) > 0) caveats.push(`${s.undated} of its lines carry no date.`);
  if (s.others) caveats.push(`Spend in ${s.others} is left out of the GBP figures (not converted).`);
  caveats.push(
    'Its figures are its own uploads, classified and resolved as the partnership’s are; they are in no partnership figure while it is prospective.',
    ...ADDRESSABILITY_NOTES,
  );
  await conn.run('drop table if exists pack_lines');
  return {
    kind: 'case-for-joining',
    title: `The case for joining: ${body.name}`,
    subtitle: `${id}, prospective${body.joinedOn ? ` (planned joining ${body.joinedOn})` : ''}; its spend ${s.first ?? '–'} to ${s.last ?? '–'}; contracts and windows open on ${asOf}`,
    generatedAt: new Date().toISOString(),
    summary: [
      { label: 'Spend (GBP, net)', value: s.total ?? '0' },
      { label: 'Addressable spend (GBP)', value: s.addressable ?? '0' },
      { label: 'Suppliers shared with the partnership', value: String(sections[2]?.table.rows.length ?? 0) },
      { label: 'Its spend with them (GBP)', value: sumOf('shared_suppliers', 'prospect_net_total') },
      {
        label: 'Saving at the partnership’s best prices (GBP)',
        value: sumOf('price_savings', 'saving_at_best_price'),
      },
      {
        label: 'Saving at the partnership’s p25 prices (GBP)',
        value: sumOf('price_savings', 'saving_at_p25_price'),
      },
      {
        label: 'Saving at the partnership’s median prices (GBP)',
        value: sumOf('price_savings', 'saving_at_median_price'),
      },
      { label: 'Partnership contracts it could use', value: String(sections[4]?.table.rows.length ?? 0) },
      { label: 'Open joint procurement windows', value: String(sections[5]?.table.rows.length ?? 0) },
    ],
    sections,
    caveats,
  };
}

/** Exact sum of money strings (2 places): integer pence, never floats. */
export const sumDecimals = (values: string[]): string =>
  fromScaled(
    values.reduce((pence, value) => pence + toScaled(value, 2), 0n),
    2,
  );

// ------------------------------------------------------------------------ due diligence

export const dueDiligenceParams = z
  .strictObject({
    /** Partnership bodies (default: every body whose figures count, i.e. active and left). */
    bodies: z.array(bodyId).max(200).optional(),
    from: isoDate,
    to: isoDate,
  })
  .refine((p) => p.from <= p.to, { message: 'from must not be after to', path: ['to'] });

export async function dueDiligence(
  conn: DuckDBConnection,
  input: z.input<typeof dueDiligenceParams>,
): Promise<Pack> {
  const params = dueDiligenceParams.parse(input);
  const register = await listBodies(conn);
  const wanted = params.bodies ?? register.filter((b) => b.status !== 'prospective').map((b) => b.bodyId);
  for (const id of wanted) {
    const body = register.find((b) => b.bodyId === id);
    if (!body) throw new UserError('not-found', `Body "${id}" is not registered.`);
    if (body.status === 'prospective') {
      throw new UserError(
        'invalid-input',
        `${id} is prospective: its spend is not in partnership figures (its own figures are in its case-for-joining pack).`,
      );
    }
  }
  if (wanted.length === 0) throw new UserError('invalid-input', 'no partnership bodies to report on.');
  await requireModels(conn, [
    'int_spend_classified',
    'int_body_months',
    'fct_contracts',
    'dim_supplier_entities',
  ]);
  const p = { bodies: JSON.stringify(wanted), from: params.from, to: params.to };
  const caveats = await stageLines(
    conn,
    `${IN_PARTNERSHIP_FIGURES}
     where lines.body_id in (select unnest($bodies::varchar[]))
       and lines.spend_date between $from::date and $to::date`,
    p,
    register,
  );

  const sections: PackSection[] = [
    await section(conn, 'addressability', 'Addressable and non-addressable spend', BY_ADDRESSABILITY),
    await section(
      conn,
      'by_category',
      'Spend by category',
      `select coalesce(proclass_level1, '(unclassified)') as category,
              sum(net_amount) as net_total,
              coalesce(sum(net_amount) filter (where addressability = 'addressable'), 0) as addressable_net_total,
              count(distinct supplier_entity_id) as suppliers, count(distinct body_id) as bodies, count(*) as lines
       from pack_lines where currency = 'GBP'
       group by all order by net_total desc, category`,
      {},
      'GBP, net of credit notes; ProClass level 1 (own code, rules, the supplier’s dominant category).',
    ),
    await section(
      conn,
      'by_supplier',
      'Spend by supplier',
      `select lines.supplier_entity_id as entity_id,
              coalesce(any_value(entities.entity_name), case when bool_and(lines.supplier_redacted) then '(redacted)' else any_value(lines.supplier_name) end) as supplier,
              any_value(lines.addressability) filter (where lines.addressability <> 'addressable') as non_addressable_as,
              sum(lines.net_amount) as net_total, count(distinct lines.body_id) as bodies,
              count(distinct (lines.body_id, lines.invoice_id)) as documents
       from pack_lines as lines
       left join dim_supplier_entities as entities on entities.entity_id = lines.supplier_entity_id
       where lines.currency = 'GBP'
       group by lines.supplier_entity_id
       order by net_total desc, supplier`,
      {},
      'Supplier entities as resolved across bodies; redacted payees together under no entity.',
    ),
    await section(
      conn,
      'by_body',
      'Spend by body',
      `select lines.body_id, any_value(bodies.name) as name, any_value(bodies.status) as status,
              any_value(bodies.joined_on) as joined_on, any_value(bodies.left_on) as left_on,
              sum(lines.net_amount) as net_total,
              coalesce(sum(lines.net_amount) filter (where lines.addressability = 'addressable'), 0) as addressable_net_total,
              count(distinct lines.invoice_id) as documents, count(distinct lines.supplier_entity_id) as suppliers
       from pack_lines as lines
       left join bodies using (body_id)
       where lines.currency = 'GBP'
       group by lines.body_id order by net_total desc, lines.body_id`,
    ),
    await section(
      conn,
      'by_month',
      'Spend by month',
      `select spend_month, sum(net_amount) as net_total,
              coalesce(sum(net_amount) filter (where addressability = 'addressable'), 0) as addressable_net_total,
              count(distinct body_id) as bodies, count(distinct (body_id, invoice_id)) as documents
       from pack_lines where currency = 'GBP'
       group by all order by spend_month`,
    ),
    await section(
      conn,
      'contracts',
      'Contracts and their expiries',
      `select ocid, contract_id, title, buyer_name, body_id, supplier_names, start_date, end_date,
              value_amount, value_currency, value_trusted, is_framework,
              case
                when end_date is null then 'no end date published'
                when end_date < $from::date then 'expired before the period'
                when end_date <= $to::date then 'expires in the period'
                when end_date <= ($to::date + interval 18 month)::date then 'expires within 18 months of the period'
                else 'later'
              end as expiry
       from fct_contracts
       where body_id in (select unnest($bodies::varchar[]))
       order by end_date nulls last, ocid, contract_id`,
      p,
      'The contract register (OCDS releases loaded with spend contracts load) for these bodies.',
    ),
    await section(
      conn,
      'coverage',
      'Data coverage and quality',
      `with months as (
         select unnest(generate_series(date_trunc('month', $from::date), date_trunc('month', $to::date), interval 1 month))::date as spend_month
       ),
       wanted as (select unnest($bodies::varchar[]) as body_id),
       with_spend as (select distinct body_id, spend_month from pack_lines),
       gaps as (
         select wanted.body_id, count(*) as months_in_period,
                count(with_spend.spend_month) as months_with_spend,
                list_sort(list(strftime(months.spend_month, '%Y-%m')) filter (where with_spend.spend_month is null)) as months_without_spend
         from wanted cross join months
         left join with_spend on with_spend.body_id = wanted.body_id and with_spend.spend_month = months.spend_month
         group by all
       ),
       thresholds as (
         select body_id, max(publishing_threshold) as highest_publishing_threshold
         from int_body_months
         where spend_month between date_trunc('month', $from::date) and $to::date
         group by all
       ),
       quality as (
         select body_id,
                round(100 * sum(abs(net_amount)) filter (where proclass_level1 is not null) / nullif(sum(abs(net_amount)), 0), 1) as classified_percent,
                round(100 * coalesce(sum(abs(net_amount)) filter (where supplier_redacted), 0) / nullif(sum(abs(net_amount)), 0), 1) as redacted_percent,
                string_agg(distinct currency, ', ') filter (where currency <> 'GBP') as other_currencies
         from pack_lines group by all
       ),
       undated as (
         select body_id, count(*) as undated_lines from int_spend_classified
         where spend_date is null and body_id in (select unnest($bodies::varchar[])) group by all
       ),
       rejected as (
         select body_id, count(*) as outstanding_rejections from rejected_messages
         where replayed_at is null and body_id in (select unnest($bodies::varchar[])) group by all
       )
       select gaps.body_id, gaps.months_in_period, gaps.months_with_spend, gaps.months_without_spend,
              thresholds.highest_publishing_threshold, quality.classified_percent, quality.redacted_percent,
              quality.other_currencies, coalesce(undated.undated_lines, 0) as undated_lines,
              coalesce(rejected.outstanding_rejections, 0) as outstanding_rejections
       from gaps
       left join thresholds using (body_id)
       left join quality using (body_id)
       left join undated using (body_id)
       left join rejected using (body_id)
       order by gaps.body_id`,
      p,
    ),
  ];

  caveats.push(...coverageCaveats(sections.find((x) => x.name === 'coverage')?.table));
  const left = register.filter((b) => wanted.includes(b.bodyId) && b.status === 'left');
  for (const body of left) {
    caveats.push(
      `${body.bodyId} left the partnership on ${body.leftOn}: its spend after that day is not included.`,
    );
  }
  caveats.push(...ADDRESSABILITY_NOTES);
  const totals = await queryRows<Record<string, string>>(
    conn,
    `select coalesce(sum(net_amount) filter (where currency = 'GBP'), 0)::varchar as total,
            coalesce(sum(net_amount) filter (where currency = 'GBP' and addressability = 'addressable'), 0)::varchar as addressable,
            count(distinct (body_id, invoice_id))::varchar as documents, count(*)::varchar as lines,
            count(distinct supplier_entity_id)::varchar as suppliers
     from pack_lines`,
  );
  await conn.run('drop table if exists pack_lines');
  const t = totals[0] ?? {};
  return {
    kind: 'due-diligence',
    title: 'Due-diligence spend pack',
    subtitle: `${wanted.join(', ')}; ${params.from} to ${params.to}`,
    generatedAt: new Date().toISOString(),
    summary: [
      { label: 'Spend (GBP, net)', value: t.total ?? '0' },
      { label: 'Addressable spend (GBP)', value: t.addressable ?? '0' },
      { label: 'Bodies', value: String(wanted.length) },
      { label: 'Documents', value: t.documents ?? '0' },
      { label: 'Lines', value: t.lines ?? '0' },
      { label: 'Supplier entities', value: t.suppliers ?? '0' },
    ],
    sections,
    caveats,
  };
}

function coverageCaveats(coverage: ResultTable | undefined): string[] {
  const caveats: string[] = [];
  for (const row of coverage?.rows ?? []) {
    const id = String(row.body_id);
    const missing = (row.months_without_spend as string[] | null) ?? [];
    if (missing.length > 0) {
      caveats.push(
        `${id} has no spend in ${missing.length} of ${row.months_in_period} months (${missing.slice(0, 6).join(', ')}${missing.length > 6 ? ', …' : ''}): not uploaded, or before it joined.`,
      );
    }
    const threshold = Number(row.highest_publishing_threshold ?? 0);
    if (threshold > 0)
      caveats.push(`${id} publishes spend from £${threshold}: payments below that are not in the data.`);
    if (row.classified_percent !== null && Number(row.classified_percent) < 90) {
      caveats.push(`${id}: only ${row.classified_percent} % of its spend by value has a category.`);
    }
    if (row.other_currencies)
      caveats.push(`${id}: spend in ${row.other_currencies} is left out of the GBP figures (not converted).`);
    if (Number(row.undated_lines) > 0)
      caveats.push(`${id}: ${row.undated_lines} lines carry no date and are in no period.`);
    if (Number(row.outstanding_rejections) > 0) {
      caveats.push(
        `${id}: ${row.outstanding_rejections} rejected rows are still outstanding (spend dead-letters list --body ${id}).`,
      );
    }
  }
  return caveats;
}
