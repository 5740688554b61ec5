/**
 * What is in the database, per body: the `spend stats --json` contract.
 * Counts are of CURRENT documents (latest version per key, retracted ones excluded);
 * netTotal is the exact GBP total as a decimal string, other currencies are reported apart.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from './db.ts';

export type BodyStats = {
  bodyId: string;
  /** Current invoice documents (credit notes included), all currencies. */
  invoices: number;
  /** Lines of current invoices; a header-only invoice has none. */
  invoiceLines: number;
  purchaseOrders: number;
  /** Rejected messages attributed to this registered body (by the value's bodyId, else the key's). */
  rejected: number;
  /** Exact sum of netAmount of current GBP invoices, 2 places. */
  netTotal: string;
  /** min / max of coalesce(invoiceDate, paymentDate) over current invoices of any currency. */
  firstInvoiceDate: string | null;
  lastInvoiceDate: string | null;
  /** Other currencies' totals, by currency code. */
  otherCurrencies: { currency: string; netTotal: string }[];
};

export type Stats = {
  bodies: BodyStats[];
  /** Rejected messages that name no registered body (unknown body, unreadable key). */
  unattributedRejected: number;
};

const STATS_SQL = `
with invoice_totals as (
  select body_id,
         count(*) as invoices,
         sum(net_amount) filter (where currency = 'GBP') as gbp_total,
         min(coalesce(invoice_date, payment_date)) as first_date,
         max(coalesce(invoice_date, payment_date)) as last_date
  from current_invoices
  group by body_id
),
other_currencies as (
  select body_id,
         to_json(list({'currency': currency, 'netTotal': total::varchar} order by currency))::varchar as totals
  from (select body_id, currency, sum(net_amount) as total
        from current_invoices where currency <> 'GBP' group by body_id, currency)
  group by body_id
),
line_counts as (select body_id, count(*) as lines from current_invoice_lines group by body_id),
order_counts as (select body_id, count(*) as orders from current_purchase_orders group by body_id),
rejected_counts as (select body_id, count(*) as rejected from rejected_messages where replayed_at is null group by body_id)
select b.body_id,
       coalesce(i.invoices, 0)::integer as invoices,
       coalesce(l.lines, 0)::integer as invoice_lines,
       coalesce(o.orders, 0)::integer as purchase_orders,
       coalesce(r.rejected, 0)::integer as rejected,
       coalesce(i.gbp_total, 0)::decimal(38, 2)::varchar as net_total,
       i.first_date::varchar as first_date,
       i.last_date::varchar as last_date,
       coalesce(c.totals, '[]') as other_currencies
from bodies as b
left join invoice_totals as i using (body_id)
left join line_counts as l using (body_id)
left join order_counts as o using (body_id)
left join rejected_counts as r using (body_id)
left join other_currencies as c using (body_id)
order by b.body_id`;

export async function readStats(conn: DuckDBConnection): Promise<Stats> {
  const rows = await queryRows<{
    body_id: string;
    invoices: number;
    invoice_lines: number;
    purchase_orders: number;
    rejected: number;
    net_total: string;
    first_date: string | null;
    last_date: string | null;
    other_currencies: string;
  }>(conn, STATS_SQL);
  const unattributed = await queryRows<{ n: number }>(
    conn,
    'select count(*)::integer as n from rejected_messages where body_id is null and replayed_at is null',
  );
  return {
    bodies: rows.map((r) => ({
      bodyId: r.body_id,
      invoices: r.invoices,
      invoiceLines: r.invoice_lines,
      purchaseOrders: r.purchase_orders,
      rejected: r.rejected,
      netTotal: r.net_total,
      firstInvoiceDate: r.first_date,
      lastInvoiceDate: r.last_date,
      otherCurrencies: JSON.parse(r.other_currencies),
    })),
    unattributedRejected: unattributed[0]?.n ?? 0,
  };
}
