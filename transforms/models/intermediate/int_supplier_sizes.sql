-- grain: one row per supplier entity whose size a contract notice states (entity_id)
-- depends on: stg_ocds_releases, int_contract_supplier_matches
--
-- Supplier size is not in any spend feed: the only source is the contract notices (OCDS). A
-- party's size is its OCDS `details.scale` (micro and sme are small, large is not) or Contracts
-- Finder's own `sme` flag. A supplier entity is small when the latest release stating the size of
-- a party matched to it says so. Suppliers no notice sizes are unknown (absent here) and stay out
-- of the small-supplier measure (docs/partnership.md).

with

releases as (
  select ocid, release_id, release_timestamp, release from stg_ocds_releases
),

parties as (
  select
    ocid,
    release_id,
    release_timestamp,
    party ->> '$.id' as party_id,
    case
      when party ->> '$.details.scale' in ('micro', 'sme') then true
      when party ->> '$.details.scale' = 'large' then false
      else try_cast(party ->> '$.sme' as boolean)
    end as small
  from (select ocid, release_id, release_timestamp, unnest(json_extract(release, '$.parties[*]')) as party from releases)
),

matched as (
  select distinct ocid, party_id, entity_id
  from int_contract_supplier_matches
  where entity_id is not null
),

final as (
  select matched.entity_id, parties.small, parties.ocid as sized_by_ocid
  from parties
  inner join matched using (ocid, party_id)
  -- only parties whose size the notice states
  where parties.small is not null
  -- the latest statement wins
  qualify row_number() over (
    partition by matched.entity_id order by parties.release_timestamp desc, parties.release_id desc, parties.ocid desc
  ) = 1
)

select * from final
