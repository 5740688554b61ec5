-- grain: one row per spend line (body_id, invoice_id, line_no); line_no 0 is an invoice sent without lines
-- depends on: stg_invoices, stg_invoice_lines, int_supplier_matches, int_classification_rules, int_proclass_codes
-- materialised: incremental by invoice
--
-- Every pound of every current invoice and credit note, once: its lines, or the invoice itself
-- when it came without lines (transparency extracts usually do). Each line carries its supplier
-- entity (null when the payee was redacted: redacted payments stay in totals but never form a
-- supplier), its date and month, whether the body had joined the partnership by then, and what
-- it says of its own category (line_proclass_code, line_cpv_code, line_classified_by):
-- 1. own-code: its own ProClass or CPV code (CPV with or without its check digit); a body's
--    local code is not a common scheme, only text for the rules, and so is a ProClass code
--    that nothing in the 17.1 list explains (Kirklees' 401040 "Public Health Other Contracts");
-- 2. rule:<id>: else the first rule matching its most specific text: the expense type or its
--    own category label, then the description, then the service area (Liverpool's descriptions
--    are only the group of its expense types), by priority within the field;
-- 3. proclass-name: else an own category label that is a ProClass level-1 name (Bury: "Catering").
-- A CPV code without a ProClass code gets one from our CPV → ProClass mapping (longest prefix).
-- What its supplier says comes later (int_supplier_categories, int_spend_classified).
-- Incremental: the invoices rebuilt are read through delta_*; an invoice whose supplier the
-- resolver has since put in another entity is stale (int_spend_lines.stale.sql).

with

invoices as (
  select * from delta_stg_invoices
),

lines as (
  select * from delta_stg_invoice_lines
),

matches as (
  select body_id, supplier_name, entity_id from int_supplier_matches
),

bodies as (
  select body_id, status, joined_on, left_on from bodies
),

spend_rows as (
  -- each line of an invoice, or the invoice itself (line 0) when it came without lines
  select
    invoices.*,
    coalesce(lines.line_no, 0) as spend_line_no,
    lines.line_no is not null as from_line,
    lines.description as line_description,
    lines.item_code,
    lines.quantity,
    lines.unit,
    lines.unit_price,
    lines.net_amount as line_net_amount,
    lines.category_scheme as line_category_scheme,
    lines.category_code as line_category_code,
    lines.category_label as line_category_label,
    lines.standard_item_scheme,
    lines.standard_item_id,
    lines.sellers_item_code,
    lines.buyers_item_code,
    lines.pack_quantity,
    lines.pack_unit
  from invoices
  left join lines using (body_id, invoice_id)
),

spend as not materialized (
  select
    spend_rows.body_id,
    spend_rows.invoice_id,
    spend_rows.spend_line_no as line_no,
    spend_rows.document_type,
    spend_rows.supplier_name,
    spend_rows.supplier_redacted or matches.entity_id is null as supplier_redacted,
    matches.entity_id as supplier_entity_id,
    spend_rows.spend_date,
    date_trunc('month', spend_rows.spend_date)::date as spend_month,
    spend_rows.invoice_date,
    spend_rows.payment_date,
    spend_rows.currency,
    -- a line's amount, or the invoice's when it has no lines: every pound once
    case when spend_rows.from_line then spend_rows.line_net_amount else spend_rows.net_amount end as net_amount,
    -- the whole document's net total (its lines sum exactly to it): thresholds apply to payments
    spend_rows.net_amount as document_net_amount,
    spend_rows.quantity,
    spend_rows.unit,
    spend_rows.unit_price,
    spend_rows.item_code,
    -- what the line says of its item's identity and pack (int_item_lines reads them)
    spend_rows.standard_item_scheme,
    spend_rows.standard_item_id,
    spend_rows.sellers_item_code,
    spend_rows.buyers_item_code,
    spend_rows.pack_quantity,
    spend_rows.pack_unit,
    coalesce(spend_rows.line_description, spend_rows.description) as description,
    spend_rows.expense_type,
    spend_rows.service_area,
    spend_rows.po_number,
    spend_rows.contract_ref,
    coalesce(spend_rows.line_category_scheme, spend_rows.category_scheme) as own_category_scheme,
    coalesce(spend_rows.line_category_code, spend_rows.category_code) as own_category_code,
    -- the label that goes with the code the line uses
    case when spend_rows.line_category_code is not null then spend_rows.line_category_label else spend_rows.category_label end as own_category_label,
    -- fair comparisons use only what a body spent while it was in the partnership
    -- (a prospective body never is: its joining date is only planned)
    coalesce(bodies.status, '') <> 'prospective'
      and (bodies.joined_on is null or spend_rows.spend_date >= bodies.joined_on)
      and (bodies.left_on is null or spend_rows.spend_date <= bodies.left_on) as in_partnership,
    spend_rows.ingest_batch_id
  from spend_rows
  left join matches using (body_id, supplier_name)
  left join bodies using (body_id)
),

rules as (
  select * from int_classification_rules
  -- rules on the supplier's name come after the supplier's dominant category (int_spend_classified)
  where field <> 'supplier_name'
),

known_codes as (
  select code from int_proclass_codes
),

level1_names as (
  -- level-1 names compared in upper case without punctuation or AND ("Facilities and Management Services")
  select
    code,
    trim(regexp_replace(regexp_replace(upper(level1), '[^A-Z0-9]+', ' ', 'g'), '(^| )AND( |$)', ' ', 'g')) as name_key
  from seed_proclass
  where level2 is null
),

cpv_map as (
  select cpv_prefix, proclass_code from seed_cpv_proclass
),

-- rules are matched against each distinct text once, not against every line (the texts read
-- from the documents, a superset of the lines' texts)
texts as (
  select distinct 'expense_type' as field, expense_type as text from invoices where expense_type is not null
  union
  select distinct 'category_label', category_label from invoices where category_label is not null
  union
  select distinct 'category_label', category_label from lines where category_label is not null
  union
  select distinct 'description', description from invoices where description is not null
  union
  select distinct 'description', description from lines where description is not null
  union
  select distinct 'service_area', service_area from invoices where service_area is not null
),

text_rules as materialized (
  select texts.field, texts.text, rules.rule_id, rules.priority, rules.proclass_code, rules.cpv_code
  from texts
  inner join rules
    on (
      rules.field = texts.field
      -- a body's own category label is its expense type under another name (Bury's ProClass text)
      or (rules.field = 'expense_type' and texts.field = 'category_label')
      -- "text" rules read every field that says what was bought (not the service area)
      or (rules.field = 'text' and texts.field in ('expense_type', 'category_label', 'description'))
    )
    and texts.text ilike rules.pattern
  -- the first matching rule for the text
  qualify row_number() over (partition by texts.field, texts.text order by rules.priority, rules.rule_id) = 1
),

signals as (
  select
    spend.*,
    -- a six-digit ProClass code the list explains (any, when there is no list to check against)
    case
      when spend.own_category_scheme = 'proclass'
        and regexp_full_match(trim(spend.own_category_code), '[0-9]{6}')
        and (known.code is not null or listed.codes = 0)
      then trim(spend.own_category_code)
    end as own_proclass_code,
    -- CPV codes are often sent without their check digit: the 8 digits identify the code
    case
      when spend.own_category_scheme = 'cpv' and length(regexp_replace(spend.own_category_code, '[^0-9]', '', 'g')) >= 8
      then left(regexp_replace(spend.own_category_code, '[^0-9]', '', 'g'), 8)
    end as own_cpv_code,
    least(
      case when by_expense_type.rule_id is not null then {'field_rank': 1, 'priority': by_expense_type.priority, 'rule_id': by_expense_type.rule_id, 'proclass_code': by_expense_type.proclass_code, 'cpv_code': by_expense_type.cpv_code} end,
      case when by_label.rule_id is not null then {'field_rank': 1, 'priority': by_label.priority, 'rule_id': by_label.rule_id, 'proclass_code': by_label.proclass_code, 'cpv_code': by_label.cpv_code} end,
      case when by_description.rule_id is not null then {'field_rank': 2, 'priority': by_description.priority, 'rule_id': by_description.rule_id, 'proclass_code': by_description.proclass_code, 'cpv_code': by_description.cpv_code} end,
      case when by_service_area.rule_id is not null then {'field_rank': 3, 'priority': by_service_area.priority, 'rule_id': by_service_area.rule_id, 'proclass_code': by_service_area.proclass_code, 'cpv_code': by_service_area.cpv_code} end
    ) as hit,
    level1_names.code as named_code
  from spend
  cross join (select count(*) as codes from seed_proclass) as listed
  -- (equality-only joins: a condition on the line's side would make DuckDB compare every pair)
  left join known_codes as known on known.code = trim(spend.own_category_code)
  left join text_rules as by_expense_type on by_expense_type.field = 'expense_type' and by_expense_type.text = spend.expense_type
  left join text_rules as by_label on by_label.field = 'category_label' and by_label.text = spend.own_category_label
  left join text_rules as by_description on by_description.field = 'description' and by_description.text = spend.description
  left join text_rules as by_service_area on by_service_area.field = 'service_area' and by_service_area.text = spend.service_area
  left join level1_names
    on level1_names.name_key = trim(regexp_replace(regexp_replace(upper(spend.own_category_label), '[^A-Z0-9]+', ' ', 'g'), '(^| )AND( |$)', ' ', 'g'))
),

categorised as (
  select
    * exclude (own_proclass_code, own_cpv_code, hit, named_code),
    case
      when own_proclass_code is not null or own_cpv_code is not null then own_proclass_code
      when hit is not null then hit.proclass_code
      else named_code
    end as stated_proclass_code,
    case
      when own_proclass_code is not null or own_cpv_code is not null then own_cpv_code
      when hit is not null then hit.cpv_code
    end as line_cpv_code,
    case
      when own_proclass_code is not null or own_cpv_code is not null then 'own-code'
      when hit is not null then 'rule:' || hit.rule_id
      when named_code is not null then 'proclass-name'
    end as line_classified_by
  from signals
),

cpv_proclass as (
  -- each CPV code's ProClass code by the longest matching prefix of our mapping
  select cpv_codes.cpv_code, cpv_map.proclass_code
  from (select distinct line_cpv_code as cpv_code from categorised where line_cpv_code is not null) as cpv_codes
  inner join cpv_map on starts_with(cpv_codes.cpv_code, cpv_map.cpv_prefix)
  qualify row_number() over (partition by cpv_codes.cpv_code order by length(cpv_map.cpv_prefix) desc) = 1
),

final as (
  select
    categorised.* exclude (stated_proclass_code),
    coalesce(categorised.stated_proclass_code, cpv_proclass.proclass_code) as line_proclass_code,
    categorised.stated_proclass_code is null and cpv_proclass.proclass_code is not null as line_proclass_from_cpv
  from categorised
  left join cpv_proclass on cpv_proclass.cpv_code = categorised.line_cpv_code
)

select * from final
