/**
 * fct_price_dispersion with, per row, each body's price and the invoice lines behind it
 * (`price_points`: [{ body_id, unit_price, lines, line_refs: ['INV#1', …] }]), read from
 * int_item_body_prices and int_item_priced_lines (the mart keeps no per-line lists: they would
 * not fit in memory at scale). For tests that must find the rows resting on planted lines.
 */
export const DISPERSION_WITH_PRICE_POINTS = `(
  with traced as (
    select prices.item_scheme, prices.item_key, prices.unit_key,
           list({'body_id': prices.body_id, 'unit_price': prices.unit_price, 'lines': prices.lines,
                 'line_refs': (select list(l.invoice_id || '#' || l.line_no::varchar order by l.invoice_id, l.line_no)
                               from int_item_priced_lines l
                               where l.item_scheme = prices.item_scheme and l.item_key = prices.item_key
                                 and l.unit_key = prices.unit_key and l.body_id = prices.body_id
                                 and l.unit_price = prices.unit_price)}
                order by prices.unit_price, prices.body_id) as price_points
    from int_item_body_prices as prices
    where prices.quantity > 0
    group by all
  )
  select dispersion.*, traced.price_points
  from fct_price_dispersion as dispersion
  inner join traced using (item_scheme, item_key, unit_key)
)`;
