/**
 * The transforms benchmark's data set, generated directly in DuckDB by SQL (no Kafka: the
 * ingested tables are written as the consumer writes them, ingest batches and offsets included),
 * so ten million invoice lines take a minute, not hours. Deterministic: every choice is a hash
 * of a row number.
 *
 * Shape for N invoice lines: N / 2.5 invoices of 1–4 lines from 8 bodies over three years;
 * N / 500 supplier entities picked with a skew (a few very large suppliers, a long tail), each
 * spelled its own way by each body (`ALDER BROOK CARE LTD`, `Alder Brook Care Limited`, …),
 * 30 % of them with a Companies House number that two bodies send; a 2,000-item catalogue that
 * each body buys at its own price; expense types as councils write them (the shipped rules
 * classify them), with ProClass codes from two bodies, CPV codes from two and local codes from
 * the rest; 3 % credit notes; 40 % of invoices citing a purchase order that exists (2 % of those
 * invoiced above the order's price), 5 % citing one that does not; 0.1 % paid twice; one OCDS
 * contract per 2,000 invoices.
 *
 * addIncrement() appends K more lines in new ingest batches: 90 % new invoices (a third dated
 * months back: late invoices for old months), 8 % corrected versions of existing invoices, 2 %
 * retractions.
 */
import type { DuckDBConnection } from '@duckdb/node-api';

export const BODIES = [
  'north-shire-cc',
  'east-vale-dc',
  'west-port-uc',
  'south-dale-bc',
  'river-city-mbc',
  'hill-county-fire',
  'moor-police',
  'coast-district',
] as const;

const INVOICE_TOPIC = 'bench.invoices.v1';
const ORDER_TOPIC = 'bench.purchase-orders.v1';
const PARTITIONS = 4;
/** Messages per ingest batch (one consumer transaction), as the consumer writes them. */
const BATCH_MESSAGES = 5000;

// biome-ignore format: a word list
const WORDS = ['Alder','Brook','Castle','Dale','Elm','Fern','Glen','Heath','Iron','Jade','Kings','Lark','Marsh','North','Oak','Pine','Quay','Rose','Stone','Thorn','Union','Vale','Willow','York','Ash','Bay','Cedar','Dove','East','Ford','Grove','Hart','Ivy','Kestrel','Lime','Mill','Nova','Orchard','Park','Ridge','Shire','Tower','Upland','Vista','West','Yew','Amber','Bridge','Copper','Delta','Echo','Falcon','Granite','Harbour','Index','Juniper','Keel','Lantern','Meadow','Noble','Opal','Prime','Quest','Raven','Summit','Tide','Urban','Vector','Wren','Zenith'];
// biome-ignore format: a word list
const TRADES = ['Care','Construction','Cleaning Services','Transport','Consulting','Catering','Foster Care','Recruitment','Software','Supplies','Grounds Maintenance','Legal','Energy','Print','Security'];
// biome-ignore format: expense types as councils write them, the ProClass code and the CPV code a body might send with each
const EXPENSE_TYPES: [string, string, string][] = [['Residential Care - Independent Sector','321017','85311000'],['Domiciliary Care','321014','85312000'],['Agency Staff','261400','79620000'],['Electricity','370000','09310000'],['Gas','370000','09123000'],['Private Contractors','390000','45000000'],['Repairs and Maintenance','390000','50700000'],['Computer Software','271440','48000000'],['Stationery','340000','30192000'],['Catering Provisions','111200','15800000'],['Legal Fees','280000','79100000'],['Consultants Fees','150000','79410000'],['Hire of Transport','360000','60100000'],['Grants to Voluntary Organisations','201700','75200000'],['Rents - Premises','202000','70000000'],['Cleaning Services','131310','90910000'],['Waste Disposal','182000','90500000'],['Grounds Maintenance','240000','77314000'],['Fostering Allowances','321100','85300000'],['Printing','191600','79800000'],['Postage','301200','64110000'],['Security Services','192200','79710000'],['Training Courses','261500','80500000'],['Insurance Premiums','201800','66510000'],['Miscellaneous Expenses','390000','45453000']];
const SERVICE_AREAS = [
  'Adult Services',
  "Children's Services",
  'Place',
  'Resources',
  'Public Health',
  'Schools',
];

const list = (values: readonly string[]) => `[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')}]`;

/** A hash-based whole number in [0, n) from a row expression and a salt. */
const pick = (row: string, salt: string, n: number) => `(hash(${row}, '${salt}') % ${n})::bigint`;

/** The ingest batch of a message: one per partition per BATCH_MESSAGES offsets, per topic. */
const batchId = (topicNo: number, partition: string, offset: string) =>
  `((${topicNo} * ${PARTITIONS} + ${partition}) * 1000000 + ${offset} // ${BATCH_MESSAGES} + 1)`;

export type BenchScale = { lines: number; invoices: number; entities: number; items: number };

export function scaleFor(lines: number): BenchScale {
  return {
    lines,
    invoices: Math.round(lines / 2.5),
    entities: Math.max(200, Math.round(lines / 500)),
    items: 2000,
  };
}

/** Registers the bodies and writes the whole data set. */
export async function generateBenchData(conn: DuckDBConnection, scale: BenchScale): Promise<void> {
  for (const [i, body] of BODIES.entries()) {
    await conn.run(
      `insert into bodies (body_id, name, kind, status, joined_on)
       values ($body, $name, $kind, 'active', $joined::date)`,
      {
        body,
        name: body.replace(/-/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase()),
        kind: body.includes('fire') ? 'fire' : body.includes('police') ? 'police' : 'council',
        // two bodies joined part-way through: their earlier spend stays out of fair comparisons
        joined: i === 6 ? '2023-04-01' : i === 7 ? '2024-01-01' : '2021-01-01',
      },
    );
  }
  await createLookups(conn, scale);
  // every invoice once, at offset = its number; 0.1 % sent twice (a duplicate payment) after them
  await conn.run(`create or replace temp table bench_targets as
    select i, i as kafka_offset, 'v1' as salt, false as retracted, i as twin_of from range(${scale.invoices}) as t(i)
    union all
    select ${scale.invoices} + row_number() over (order by i) - 1, ${scale.invoices} + row_number() over (order by i) - 1,
           'v1', false, i
    from range(${scale.invoices}) as t(i)
    where ${pick('i', 'dup', 1000)} = 0`);
  await writeInvoices(conn, scale);
  await writePurchaseOrders(conn);
  await writeBatches(conn);
  await writeContracts(conn, scale);
}

/**
 * Appends about `lines` invoice lines in new ingest batches: new invoices (a third of them
 * dated in past months), corrections of existing invoices and retractions.
 */
export async function addIncrement(conn: DuckDBConnection, scale: BenchScale, lines: number): Promise<void> {
  const documents = Math.round(lines / 2.5);
  const nextOffset = await scalar(conn, 'select max(kafka_offset) + 1 from invoices');
  const nextInvoice = await scalar(
    conn,
    `select max(cast(substr(invoice_id, 5) as bigint)) + 1 from invoices where invoice_id like 'INV-%'`,
  );
  // the next offsets start a fresh batch in every partition
  const first = Math.ceil(Number(nextOffset) / BATCH_MESSAGES) * BATCH_MESSAGES;
  await conn.run(`create or replace temp table bench_targets as
    select
      case when d < ${Math.round(documents * 0.9)} then ${nextInvoice} + d
           else ${pick('d', 'old', scale.invoices)} end as i,
      ${first} + d as kafka_offset,
      'v2' as salt,
      d >= ${Math.round(documents * 0.98)} as retracted,
      case when d < ${Math.round(documents * 0.9)} then ${nextInvoice} + d
           else ${pick('d', 'old', scale.invoices)} end as twin_of
    from range(${documents}) as t(d)`);
  await writeInvoices(conn, scale);
  await writeBatches(conn);
}

async function scalar(conn: DuckDBConnection, sql: string): Promise<string> {
  const reader = await conn.runAndReadAll(`select (${sql})::varchar`);
  return String(reader.getRows()[0]?.[0] ?? '0');
}

async function createLookups(conn: DuckDBConnection, scale: BenchScale): Promise<void> {
  const combos = WORDS.length * WORDS.length * TRADES.length;
  await conn.run(`create or replace table bench_entities as
    select
      e as entity,
      ${list(WORDS)}[1 + e % ${WORDS.length}] || ' ' || ${list(WORDS)}[1 + (e // ${WORDS.length}) % ${WORDS.length}]
        || ' ' || ${list(TRADES)}[1 + (e // ${WORDS.length ** 2}) % ${TRADES.length}]
        || case when e >= ${combos} then ' ' || (e // ${combos} + 1) else '' end as base_name,
      case when ${pick('e', 'ch', 10)} < 3 then lpad(cast(100000 + e as varchar), 8, '0') end as company_number
    from range(${scale.entities}) as t(e)`);
  await conn.run(`create or replace table bench_spellings as
    select
      b.body_index,
      b.body_id,
      e.entity,
      -- each body spells each supplier its own way
      case (hash(e.entity, b.body_index) % 3)::bigint
        when 0 then upper(e.base_name) || ' LTD'
        when 1 then e.base_name || ' Limited'
        else e.base_name || ' Ltd'
      end as supplier_name,
      -- two bodies send company numbers
      case when b.body_index in (0, 5) then e.company_number end as company_number
    from bench_entities as e
    cross join (select unnest(range(${BODIES.length})) as body_index, unnest(${list(BODIES)}) as body_id) as b`);
  await conn.run(`create or replace table bench_items as
    select i as item, 'ITEM-' || lpad(cast(i as varchar), 5, '0') as item_code,
           (1 + ${pick('i', 'price', 50000)} / 100.0)::decimal(18, 4) as base_price
    from range(${scale.items}) as t(i)`);
}

/** Writes the invoices (and their lines) listed in bench_targets. */
async function writeInvoices(conn: DuckDBConnection, scale: BenchScale): Promise<void> {
  const E = scale.entities;
  const expense = (column: 0 | 1 | 2) => list(EXPENSE_TYPES.map((e) => e[column]));
  // the invoice's attributes come from twin_of (a duplicate copies its original) and the salt
  await conn.run(`create or replace temp table bench_docs as
    select
      t.i,
      t.kafka_offset,
      t.retracted,
      ${pick('t.kafka_offset', 'part', PARTITIONS)} as kafka_partition,
      'INV-' || lpad(cast(t.i as varchar), 9, '0') as invoice_id,
      ${pick('t.twin_of', 'body', BODIES.length)} as body_index,
      least(${E - 1}, floor(${E} * pow(${pick('t.twin_of', 'sup', 1000000)} / 1000000.0, 2.5)))::bigint as entity,
      ${pick('t.twin_of', 'doc', 100)} < 3 as credit_note,
      1 + ${pick('t.twin_of', 'lines', 4)} as line_count,
      date '2022-01-01' + cast(${pick('t.twin_of', 'date', 1095)} as integer)
        + case when t.i <> t.twin_of and t.salt = 'v1' then 3 else 0 end as invoice_date,
      ${pick('t.twin_of', 'exp', EXPENSE_TYPES.length)} as expense_index,
      ${pick('t.twin_of', 'po', 100)} as po_draw,
      case when t.salt = 'v1' then t.twin_of else t.i * 1000003 + t.kafka_offset end as line_seed
    from bench_targets as t`);
  await conn.run(`create or replace temp table bench_lines as
    select
      d.kafka_partition, d.kafka_offset, d.body_index, d.invoice_id, d.credit_note, d.po_draw, d.line_no,
      it.item_code,
      (1 + ${pick('d.line_seed * 7 + d.line_no', 'qty', 20)})::decimal(18, 4) as quantity,
      -- each body pays its own price for an item (0.9–1.2 × list)
      round(it.base_price * (0.9 + ((it.item * 13 + d.body_index) % 31) / 100.0), 2)::decimal(18, 4) as unit_price
    from (
      select docs.*, g.line_no from bench_docs as docs, unnest(range(1, docs.line_count + 1)) as g(line_no)
      where not docs.retracted
    ) as d
    inner join bench_items as it on it.item = ${pick('d.line_seed * 7 + d.line_no', 'item', scale.items)}`);
  await conn.run(`insert into invoice_lines (topic, kafka_partition, kafka_offset, body_id, invoice_id, line_no,
      description, item_code, quantity, unit, unit_price, net_amount)
    select '${INVOICE_TOPIC}', l.kafka_partition, l.kafka_offset, ${list(BODIES)}[1 + l.body_index], l.invoice_id, l.line_no,
           'Item ' || l.item_code, l.item_code, l.quantity, 'each', l.unit_price,
           round(l.quantity * l.unit_price, 2) * case when l.credit_note then -1 else 1 end
    from bench_lines as l`);
  await conn.run(`insert into invoices (topic, kafka_partition, kafka_offset, ingest_batch_id, body_id, invoice_id, retracted,
      document_type, supplier_name, supplier_company_number, supplier_redacted, invoice_date, payment_date, currency,
      net_amount, po_number, description, expense_type, service_area, category_scheme, category_code, category_label)
    select
      '${INVOICE_TOPIC}',
      d.kafka_partition,
      d.kafka_offset,
      ${batchId(0, 'd.kafka_partition', 'd.kafka_offset')},
      s.body_id,
      d.invoice_id,
      d.retracted,
      -- a retraction (tombstone) carries the key only
      case when not d.retracted then case when d.credit_note then 'credit-note' else 'invoice' end end,
      case when not d.retracted then s.supplier_name end,
      case when not d.retracted then s.company_number end,
      case when not d.retracted then false end,
      case when not d.retracted then d.invoice_date end,
      case when not d.retracted then d.invoice_date + cast(14 + ${pick('d.i', 'pay', 30)} as integer) end,
      case when not d.retracted then 'GBP' end,
      totals.net,
      case when d.retracted then null
           -- 40 % cite an order that exists, 5 % one that does not
           when d.po_draw < 40 then 'PO-' || lpad(cast(d.i as varchar), 9, '0')
           when d.po_draw < 45 then 'PO-X' || lpad(cast(d.i as varchar), 9, '0') end,
      case when not d.retracted then ${expense(0)}[1 + d.expense_index] end,
      case when not d.retracted then ${expense(0)}[1 + d.expense_index] end,
      case when not d.retracted then ${list(SERVICE_AREAS)}[1 + ${pick('d.i', 'svc', SERVICE_AREAS.length)}] end,
      case when d.retracted then null when d.body_index in (0, 1) then 'proclass' when d.body_index in (2, 3) then 'cpv' else 'local' end,
      case when d.retracted then null
           when d.body_index in (0, 1) then ${expense(1)}[1 + d.expense_index]
           when d.body_index in (2, 3) then ${expense(2)}[1 + d.expense_index]
           else 'L' || (1000 + d.expense_index) end,
      case when not d.retracted and d.body_index >= 4 then ${expense(0)}[1 + d.expense_index] end
    from bench_docs as d
    inner join bench_spellings as s on s.body_index = d.body_index and s.entity = d.entity
    left join (
      select kafka_offset, sum(round(quantity * unit_price, 2) * case when credit_note then -1 else 1 end) as net
      from bench_lines group by kafka_offset
    ) as totals using (kafka_offset)`);
}

/** One purchase order per invoice citing an existing one, its lines at the invoiced prices (2 % lower). */
async function writePurchaseOrders(conn: DuckDBConnection): Promise<void> {
  await conn.run(`insert into purchase_orders (topic, kafka_partition, kafka_offset, ingest_batch_id, body_id, po_number,
      retracted, supplier_name, supplier_company_number, supplier_redacted, order_date, currency, status, total_net)
    select '${ORDER_TOPIC}', kafka_partition, po_offset, ${batchId(1, 'kafka_partition', 'po_offset')},
           body_id, po_number, false, supplier_name, supplier_company_number, false, invoice_date - 10, 'GBP', 'open', net_amount
    from (
      select *, row_number() over (order by kafka_offset) as po_offset from invoices
      where po_number like 'PO-0%' and document_type = 'invoice'
    )`);
  await conn.run(`insert into purchase_order_lines (topic, kafka_partition, kafka_offset, body_id, po_number, line_no,
      description, item_code, quantity, unit, unit_price, net_amount)
    select '${ORDER_TOPIC}', po.kafka_partition, po.kafka_offset, po.body_id, po.po_number, l.line_no,
           l.description, l.item_code, l.quantity, l.unit, prices.unit_price, round(l.quantity * prices.unit_price, 2)
    from purchase_orders as po
    inner join invoices as inv on inv.body_id = po.body_id and inv.po_number = po.po_number
    inner join invoice_lines as l on l.topic = inv.topic and l.kafka_partition = inv.kafka_partition and l.kafka_offset = inv.kafka_offset
    cross join lateral (
      -- 2 % of orders were placed at a lower price than was then invoiced
      select case when (hash(po.po_number, 'above') % 100)::bigint < 2 then round(l.unit_price * 0.95, 2) else l.unit_price end as unit_price
    ) as prices`);
}

async function writeBatches(conn: DuckDBConnection): Promise<void> {
  await conn.run(`insert into ingest_batches (ingest_batch_id, topic, kafka_partition, first_offset, last_offset, messages, accepted, rejected)
    select ingest_batch_id, topic, kafka_partition, min(kafka_offset), max(kafka_offset), count(*), count(*), 0
    from (
      select ingest_batch_id, topic, kafka_partition, kafka_offset from invoices
      union all
      select ingest_batch_id, topic, kafka_partition, kafka_offset from purchase_orders
    )
    where ingest_batch_id not in (select ingest_batch_id from ingest_batches)
    group by all`);
}

/** One OCDS release per 2,000 invoices: a body's contract with 1–3 of the suppliers it pays. */
async function writeContracts(conn: DuckDBConnection, scale: BenchScale): Promise<void> {
  const contracts = Math.max(20, Math.round(scale.invoices / 2000));
  const E = scale.entities;
  await conn.run(`insert into ocds_packages (package_id, source_file, uri, version, published_date, publisher_name, releases)
    values ('bench-package', 'bench.json', null, '1.1', '2024-01-01T00:00:00Z', 'Bench', ${contracts})`);
  await conn.run(`insert into ocds_releases (package_id, load_seq, ocid, release_id, release_date, tags, body_id, release)
    with contracts as (
      select
        c,
        ${list(BODIES)}[1 + ${pick('c', 'buyer', BODIES.length)}] as body_id,
        ${list(EXPENSE_TYPES.map((e) => e[2]))}[1 + ${pick('c', 'cpv', EXPENSE_TYPES.length)}] as cpv,
        date '2021-01-01' + cast(${pick('c', 'start', 1200)} as integer) as start_date,
        730 + ${pick('c', 'len', 730)} as days
      from range(${contracts}) as t(c)
    ),
    suppliers as (
      select c, list(json_object('id', 'S' || k, 'name', e.base_name || ' Ltd', 'roles', ['supplier']) order by k) as suppliers
      from (select c, unnest(range(1 + ${pick('c', 'n', 3)})) as k from contracts) as s
      inner join bench_entities as e
        on e.entity = least(${E - 1}, floor(${E} * pow((hash(c, k, 'sup') % 1000000)::bigint / 1000000.0, 2.5)))::bigint
      group by c
    )
    select
      'bench-package', 1, 'ocds-bench-' || c, 'ocds-bench-' || c || '-award', '2021-01-01T00:00:00Z', ['award'], null,
      json_object(
        'ocid', 'ocds-bench-' || c,
        'id', 'ocds-bench-' || c || '-award',
        'buyer', json_object('id', 'B', 'name', bodies.name),
        'tender', json_object('id', 'BENCH/' || c, 'title', 'Contract ' || c,
          'items', [json_object('id', '1', 'classification', json_object('scheme', 'CPV', 'id', cpv))]),
        'parties', suppliers.suppliers,
        'awards', [json_object('id', 'A' || c, 'status', 'active',
          'value', json_object('amount', 10000 + ${pick('c', 'value', 5000000)}, 'currency', 'GBP'),
          'suppliers', suppliers.suppliers,
          'contractPeriod', json_object(
            'startDate', strftime(start_date, '%Y-%m-%dT00:00:00Z'),
            'endDate', strftime(start_date + cast(days as integer), '%Y-%m-%dT00:00:00Z')))]
      )
    from contracts
    inner join suppliers using (c)
    inner join bodies using (body_id)`);
}
