-- grain: one row per contract (ocid, contract_id): a contract signed under an award, else the award itself
-- depends on: stg_ocds_releases
--
-- The contract register from OCDS releases. Releases of one process (ocid) accumulate: each
-- award and contract is taken from the latest release that has it, the tender and buyer from
-- the latest release that has them. Contracts Finder publishes awards without `contracts`, so
-- an award with no signed contract under it is the contract. Values may be placeholders typed
-- to fill a required field (0, 0.1, 3): they are kept but flagged not trusted.

with

releases as (
  select * from stg_ocds_releases
),

bodies as (
  select body_id, name from bodies
),

-- the latest release that states them describes the process
processes as (
  select
    ocid,
    arg_max(release -> '$.tender', release_timestamp || release_id) filter (where (release ->> '$.tender.id') is not null or (release ->> '$.tender.title') is not null) as tender,
    arg_max(release ->> '$.buyer.id', release_timestamp || release_id) filter (where (release ->> '$.buyer.name') is not null) as buyer_party_id,
    arg_max(release ->> '$.buyer.name', release_timestamp || release_id) filter (where (release ->> '$.buyer.name') is not null) as buyer_name,
    arg_max(assigned_body_id, release_timestamp || release_id) filter (where assigned_body_id is not null) as assigned_body_id,
    arg_max(source_file, release_timestamp || release_id) as source_file
  from releases
  group by ocid
),

-- a buyer named only as a party with the buyer role (OCDS 1.0 style)
buyer_parties as (
  select ocid, arg_max(party ->> '$.name', release_timestamp || release_id) as buyer_name
  from (
    select ocid, release_timestamp, release_id, unnest(json_extract(release, '$.parties[*]')) as party
    from releases
  )
  where list_contains(cast(party -> '$.roles' as varchar[]), 'buyer')
  group by ocid
),

awards as (
  select ocid, award ->> '$.id' as award_id, award
  from (
    select ocid, release_timestamp, release_id, unnest(json_extract(release, '$.awards[*]')) as award
    from releases
  )
  -- the latest version of each award
  qualify row_number() over (partition by ocid, award ->> '$.id' order by release_timestamp desc, release_id desc) = 1
),

signed as (
  select ocid, contract ->> '$.id' as contract_id, contract ->> '$.awardID' as award_id, contract
  from (
    select ocid, release_timestamp, release_id, unnest(json_extract(release, '$.contracts[*]')) as contract
    from releases
  )
  -- the latest version of each contract
  qualify row_number() over (partition by ocid, contract ->> '$.id' order by release_timestamp desc, release_id desc) = 1
),

contracts as (
  select signed.ocid, signed.contract_id, signed.award_id, signed.contract, awards.award
  from signed
  left join awards using (ocid, award_id)
  union all
  select awards.ocid, awards.award_id as contract_id, awards.award_id, null::json as contract, awards.award
  from awards
  -- an award with a signed contract is represented by that contract
  anti join signed using (ocid, award_id)
),

live_contracts as (
  select * from contracts
  -- cancelled or unsuccessful awards and cancelled contracts never bound anyone
  where coalesce(award ->> '$.status', '') not in ('cancelled', 'unsuccessful')
    and coalesce(contract ->> '$.status', '') <> 'cancelled'
),

amounts as (
  select
    live_contracts.*,
    processes.tender,
    try_cast(contract ->> '$.value.amount' as decimal(20, 2)) as contract_amount,
    try_cast(award ->> '$.value.amount' as decimal(20, 2)) as award_amount,
    try_cast(processes.tender ->> '$.value.amount' as decimal(20, 2)) as tender_amount
  from live_contracts
  inner join processes using (ocid)
),

valued as (
  select
    *,
    -- the first trusted value (contract, award, then the tender's estimate), else the first stated;
    -- under £10 is a placeholder (0, 0.1, 3): no contract worth that is advertised
    case
      when contract_amount >= 10 then 'contract'
      when award_amount >= 10 then 'award'
      when tender_amount >= 10 then 'tender'
      when contract_amount is not null then 'contract'
      when award_amount is not null then 'award'
      when tender_amount is not null then 'tender'
    end as value_source
  from amounts
),

items as (
  select ocid, contract_id, unnest(item_list) as item, unnest(range(len(item_list))) as position
  from (
    select
      ocid,
      contract_id,
      -- the contract's own items, else the award's, else the tender's
      case
        when len(json_extract(contract, '$.items[*]')) > 0 then json_extract(contract, '$.items[*]')
        when len(json_extract(award, '$.items[*]')) > 0 then json_extract(award, '$.items[*]')
        else coalesce(json_extract(tender, '$.items[*]'), [])
      end as item_list
    from valued
  )
),

cpv_codes as (
  select
    ocid,
    contract_id,
    -- CPV is often published without its check digit (79952000): the 8 digits identify the code
    arg_min(cpv, position) as main_cpv,
    list_sort(list(distinct cpv)) as cpv_codes
  from (
    select ocid, contract_id, position, left(regexp_replace(item ->> '$.classification.id', '[^0-9]', '', 'g'), 8) as cpv
    from items
    where upper(item ->> '$.classification.scheme') = 'CPV'
  )
  -- a code of fewer than 8 digits is not a CPV code
  where length(cpv) = 8
  group by ocid, contract_id
),

-- buyer and body names compared in upper case, & as AND, punctuation and a leading THE dropped
body_names as (
  select
    regexp_replace(trim(regexp_replace(upper(replace(name, '&', ' AND ')), '[^A-Z0-9]+', ' ', 'g')), '^THE ', '') as name_key,
    min(body_id) as body_id
  from bodies
  group by name_key
  -- two bodies of one name: the name decides nothing
  having count(*) = 1
),

final as (
  select
    valued.ocid,
    valued.contract_id,
    valued.award_id,
    coalesce(processes.buyer_name, buyer_parties.buyer_name) as buyer_name,
    coalesce(processes.assigned_body_id, body_names.body_id) as body_id,
    case
      when processes.assigned_body_id is not null then 'assigned'
      when body_names.body_id is not null then 'buyer name'
    end as body_matched_by,
    -- the most specific title and description stated (an empty one is not stated)
    coalesce(
      nullif(trim(valued.contract ->> '$.title'), ''),
      nullif(trim(valued.award ->> '$.title'), ''),
      nullif(trim(valued.tender ->> '$.title'), '')
    ) as title,
    coalesce(
      nullif(trim(valued.contract ->> '$.description'), ''),
      nullif(trim(valued.award ->> '$.description'), ''),
      nullif(trim(valued.tender ->> '$.description'), '')
    ) as description,
    coalesce(valued.contract ->> '$.status', valued.award ->> '$.status') as status,
    case valued.value_source
      when 'contract' then valued.contract_amount
      when 'award' then valued.award_amount
      when 'tender' then valued.tender_amount
    end as value_amount,
    case valued.value_source
      when 'contract' then valued.contract ->> '$.value.currency'
      when 'award' then valued.award ->> '$.value.currency'
      when 'tender' then valued.tender ->> '$.value.currency'
    end as value_currency,
    valued.value_source,
    coalesce(
      case valued.value_source
        when 'contract' then valued.contract_amount
        when 'award' then valued.award_amount
        when 'tender' then valued.tender_amount
      end >= 10,
      false
    ) as value_trusted,
    -- a framework's value is a ceiling for every call-off under it, not a contract's worth
    regexp_matches(
      lower(concat_ws(' ', valued.contract ->> '$.title', valued.award ->> '$.title', valued.tender ->> '$.title', valued.tender ->> '$.description')),
      'framework|dynamic purchasing system'
    ) as is_framework,
    try_cast(left(coalesce(valued.contract ->> '$.period.startDate', valued.award ->> '$.contractPeriod.startDate', valued.tender ->> '$.contractPeriod.startDate'), 10) as date) as start_date,
    coalesce(
      try_cast(left(coalesce(valued.contract ->> '$.period.endDate', valued.award ->> '$.contractPeriod.endDate', valued.tender ->> '$.contractPeriod.endDate'), 10) as date),
      -- OCDS 1.1 may give a duration instead of an end date
      try_cast(left(coalesce(valued.contract ->> '$.period.startDate', valued.award ->> '$.contractPeriod.startDate', valued.tender ->> '$.contractPeriod.startDate'), 10) as date)
        + try_cast(coalesce(valued.contract ->> '$.period.durationInDays', valued.award ->> '$.contractPeriod.durationInDays') as integer)
    ) as end_date,
    cpv_codes.main_cpv,
    coalesce(cpv_codes.cpv_codes, []) as cpv_codes,
    -- every identifier a body might quote as its contract reference, compared without punctuation or case
    list_sort(list_distinct(list_filter(
      list_transform(
        [
          valued.ocid,
          valued.contract_id,
          valued.award_id,
          valued.tender ->> '$.id',
          -- Contracts Finder tender ids end with the buyer's own reference: ocds-…-<uuid>-KS/ACS/LCC/19/723-award
          nullif(regexp_extract(valued.tender ->> '$.id', '^ocds-[a-z0-9]+-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-(.+?)(-award|-tender)?$', 1), '')
        ],
        lambda ref: upper(regexp_replace(ref, '[^A-Za-z0-9]', '', 'g'))
      ),
      -- very short keys ("1", "A") would match anything
      lambda key: length(key) >= 4
    ))) as reference_keys,
    valued.award,
    processes.source_file
  from valued
  inner join processes using (ocid)
  left join buyer_parties using (ocid)
  left join cpv_codes using (ocid, contract_id)
  left join body_names
    on body_names.name_key = regexp_replace(trim(regexp_replace(upper(replace(coalesce(processes.buyer_name, buyer_parties.buyer_name), '&', ' AND ')), '[^A-Z0-9]+', ' ', 'g')), '^THE ', '')
)

select * from final
