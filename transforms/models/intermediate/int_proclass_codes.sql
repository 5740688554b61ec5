-- grain: one row per ProClass code that can classify a line (code)
-- depends on: stg_invoices, stg_invoice_lines, int_classification_rules
--
-- Every ProClass code that can reach a spend line (listed, sent by a body, named by a rule or
-- by our CPV mapping) with the labels it rolls up to. A code missing from the 17.1 list takes
-- its nearest listed parent's labels (321016 → 321000), else those of listed codes sharing its
-- first five digits when they are all of one level-1 category (322003 → 322001); via says
-- which. A code neither explains has no labels (and a body's code like it is read as local).

with

proclass as (
  select code, level1, level2 from seed_proclass
),

sent_codes as (
  -- six-digit codes only: anything else in that scheme is a label
  select distinct trim(category_code) as code from stg_invoices
  where category_scheme = 'proclass' and regexp_full_match(trim(category_code), '[0-9]{6}')
  union
  select distinct trim(category_code) from stg_invoice_lines
  where category_scheme = 'proclass' and regexp_full_match(trim(category_code), '[0-9]{6}')
),

candidate_codes as (
  select code from proclass
  union
  select code from sent_codes
  union
  select proclass_code from int_classification_rules where proclass_code is not null
  union
  select proclass_code from seed_cpv_proclass where proclass_code is not null
),

labelled as (
  select
    candidate_codes.code,
    proclass.level1,
    proclass.level2,
    parents.depth,
    case when parents.depth > 0 then 'parent code' end as via
  from candidate_codes
  cross join (select unnest([0, 1, 2, 3]) as depth) as parents
  inner join proclass
    on proclass.code = case parents.depth
      when 0 then candidate_codes.code
      when 1 then left(candidate_codes.code, 4) || '00'
      when 2 then left(candidate_codes.code, 3) || '000'
      else left(candidate_codes.code, 2) || '0000'
    end
  union all
  select candidate_codes.code, any_value(proclass.level1), null, 4, 'sibling code'
  from candidate_codes
  inner join proclass on left(proclass.code, 5) = left(candidate_codes.code, 5)
  group by candidate_codes.code
  -- siblings of two level-1 categories say nothing
  having count(distinct proclass.level1) = 1
),

final as (
  select code, level1, level2, via
  from labelled
  -- the closest explanation wins: the code itself, then parents, then siblings
  qualify row_number() over (partition by code order by depth) = 1
)

select * from final
