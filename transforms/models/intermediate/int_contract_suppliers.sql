-- grain: one row per supplier of a contract (ocid, contract_id, party_id)
-- depends on: int_contracts, stg_ocds_releases
--
-- The suppliers an award names, with the party details the release gives for them: the name,
-- and Companies House numbers from the party's identifier or additional identifiers (GB-COH).

with

contracts as (
  select ocid, contract_id, award from int_contracts
),

releases as (
  select ocid, release_id, release_timestamp, release from stg_ocds_releases
),

parties as (
  select ocid, party ->> '$.id' as party_id, party
  from (
    select ocid, release_timestamp, release_id, unnest(json_extract(release, '$.parties[*]')) as party
    from releases
  )
  -- the latest version of each party
  qualify row_number() over (partition by ocid, party ->> '$.id' order by release_timestamp desc, release_id desc) = 1
),

award_suppliers as (
  select ocid, contract_id, supplier ->> '$.id' as party_id, supplier ->> '$.name' as award_name, position
  from (
    select
      ocid,
      contract_id,
      unnest(json_extract(award, '$.suppliers[*]')) as supplier,
      unnest(range(len(json_extract(award, '$.suppliers[*]')))) as position
    from contracts
  )
),

party_identifiers as (
  select
    ocid,
    party_id,
    unnest([party -> '$.identifier'] || coalesce(json_extract(party, '$.additionalIdentifiers[*]'), [])) as identifier
  from parties
),

identifiers as (
  select ocid, party_id, list_sort(list(distinct trim(identifier ->> '$.id'))) as company_numbers
  from party_identifiers
  -- Companies House registrations only, written as published (normalised when matched to entities)
  where upper(identifier ->> '$.scheme') = 'GB-COH' and trim(identifier ->> '$.id') <> ''
  group by ocid, party_id
),

final as (
  select
    award_suppliers.ocid,
    award_suppliers.contract_id,
    -- a supplier without a party id is still a supplier: number it by its place in the award
    coalesce(award_suppliers.party_id, '#' || (award_suppliers.position + 1)) as party_id,
    trim(coalesce(parties.party ->> '$.name', award_suppliers.award_name)) as supplier_name,
    coalesce(identifiers.company_numbers, []) as company_numbers,
    try_cast(parties.party ->> '$.x_awardValue.amount' as decimal(20, 2)) as supplier_award_value
  from award_suppliers
  left join parties using (ocid, party_id)
  left join identifiers using (ocid, party_id)
  -- a supplier entry without any name cannot be matched or shown
  where coalesce(parties.party ->> '$.name', award_suppliers.award_name) is not null
)

select * from final
