-- Item identity and pack size on document lines (issue 17): the standard identifier the line
-- states (scheme + id, e.g. GTIN "0160"), the seller's and the buyer's own codes, and how many
-- pack units one unit holds. Older messages have none of them: the columns stay null.
alter table invoice_lines add column standard_item_scheme varchar;
alter table invoice_lines add column standard_item_id varchar;
alter table invoice_lines add column sellers_item_code varchar;
alter table invoice_lines add column buyers_item_code varchar;
alter table invoice_lines add column pack_quantity decimal(18, 4);
alter table invoice_lines add column pack_unit varchar;

alter table purchase_order_lines add column standard_item_scheme varchar;
alter table purchase_order_lines add column standard_item_id varchar;
alter table purchase_order_lines add column sellers_item_code varchar;
alter table purchase_order_lines add column buyers_item_code varchar;
alter table purchase_order_lines add column pack_quantity decimal(18, 4);
alter table purchase_order_lines add column pack_unit varchar;

-- An analyst's word on a suggested description match (fct_item_match_suggestions): 'confirm'
-- makes its lines one item, whose prices then enter comparisons and savings; 'split' keeps them
-- apart and stops the suggestion. The latest decision per match wins; none is ever deleted.
create table item_match_decisions (
  match_id varchar not null,
  decision varchar not null check (decision in ('confirm', 'split')),
  -- the description variants the analyst saw: a variant seen later is not covered by a confirmation
  variants varchar[] not null,
  decided_by varchar not null,
  decided_at timestamp not null default current_timestamp,
  note varchar
);
