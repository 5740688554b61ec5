/**
 * Behind a price dispersion row (fct_price_dispersion): each body's usual unit price for the item
 * (int_item_body_prices), and the invoice lines themselves (int_spend_lines), for the buying
 * power page's drill-down. Staff roles only: these name bodies beside their prices, which a body
 * key may not see of others (api/marts.ts).
 */
import { z } from 'zod';
import type { ApiContext } from '../context.ts';
import { negotiate, sendQuery } from '../respond.ts';
import { route } from '../route.ts';
import { pageQuery, TABLE_MEDIA, tableResponse } from '../schemas.ts';

const STAFF = ['procurement', 'finance', 'admin'] as const;
const itemParams = z.strictObject({ itemCode: z.string().min(1).max(200) });
const itemQuery = z.strictObject({
  unit: z
    .string()
    .max(100)
    .default('')
    .meta({ description: "the item's unit as in fct_price_dispersion ('' for none)" }),
  ...pageQuery,
});

export function priceLineRoutes(context: ApiContext) {
  const table = (sql: string, filename: string) =>
    route({
      method: 'get',
      path: `/api/v1/prices/:itemCode/${filename}`,
      tag: 'marts',
      summary:
        filename === 'bodies'
          ? "Each body's usual unit price for an item, with the best and median of all bodies, and what it would save at the best price"
          : 'The invoice lines of an item, every body, newest first',
      access: STAFF,
      params: itemParams,
      query: itemQuery,
      response: tableResponse,
      produces: TABLE_MEDIA,
      handler: async ({ req, res, params, query }) => {
        await sendQuery(req, res, context.db, {
          sql,
          params: { item: params.itemCode, unit: query.unit },
          format: negotiate(req, query.format),
          page: { limit: query.limit, offset: query.cursor ?? 0 },
          timeoutMs: context.settings.queryTimeoutMs,
          filename: `item-${filename}`,
        });
      },
    });
  return [
    table(
      `select p.body_id, p.unit_price, d.min_unit_price as best_unit_price, d.median_unit_price,
              p.quantity, p.net_amount, p.lines, p.lines_at_other_prices,
              greatest(0, p.net_amount - round(p.quantity * d.min_unit_price, 2)) as saving_at_best_price
       from int_item_body_prices p
       inner join fct_price_dispersion d on d.item_code = p.item_code and d.unit = p.unit
       where p.item_code = $item and p.unit = $unit and p.quantity > 0
       order by p.unit_price, p.body_id`,
      'bodies',
    ),
    table(
      `select body_id, invoice_id, line_no, document_type, spend_date, supplier_name, description,
              quantity, unit, unit_price, net_amount
       from int_spend_lines
       where item_code = $item and coalesce(unit, '') = $unit and currency = 'GBP'
       order by spend_date desc, body_id, invoice_id, line_no, document_type`,
      'lines',
    ),
  ];
}
