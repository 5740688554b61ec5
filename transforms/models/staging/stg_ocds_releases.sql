-- grain: one row per OCDS release (ocid, release_id)
-- depends on: none
-- sources: ocds_releases, ocds_packages
--
-- Every release of the loaded OCDS packages once: a release loaded in two packages (the same
-- notice published again) counts once, the latest load winning.

with

releases as (
  select * from src_ocds_releases
),

packages as (
  select package_id, source_file, publisher_name from src_ocds_packages
),

latest_copy as (
  select releases.*, packages.source_file, packages.publisher_name
  from releases
  inner join packages using (package_id)
  -- the latest load of a release wins
  qualify row_number() over (partition by releases.ocid, releases.release_id order by releases.load_seq desc) = 1
),

final as (
  select
    ocid,
    release_id,
    -- the date part of the ISO date-time as published (UTC)
    try_cast(left(release_date, 10) as date) as release_date,
    release_date as release_timestamp,
    tags,
    body_id as assigned_body_id,
    package_id,
    source_file,
    publisher_name,
    release
  from latest_copy
)

select * from final
