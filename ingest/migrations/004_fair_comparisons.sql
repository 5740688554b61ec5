-- Fair comparisons across bodies, and the contract register's source tables.

-- Bodies publish spend from a threshold (the Transparency Code's £500; many publish from £250;
-- e-invoices and AP extracts carry everything, 0). Each upload records the threshold its file
-- publishes from and how that was decided (option, register, detected, e-invoice); the register
-- may hold a body's usual threshold, the default for its uploads. Cross-body figures can then
-- be compared at the highest threshold of the bodies compared (see docs/transforms.md).
alter table bodies add column publishing_threshold decimal(18, 2);
alter table uploads add column publishing_threshold decimal(18, 2);
alter table uploads add column publishing_threshold_source varchar;

-- The contract register's sources: OCDS release packages as loaded by `spend contracts load`
-- (transforms/contracts/store.ts). `if not exists`: databases from before this migration have
-- them already (the loader used to create them).

-- One row per loaded file. The package id is the sha256 of its text: loading a file again
-- changes nothing (except the body it is assigned to, when --body says so).
create table if not exists ocds_packages (
  package_id varchar primary key,
  source_file varchar not null,
  uri varchar,
  version varchar not null,
  published_date varchar,
  publisher_name varchar,
  releases integer not null,
  loaded_at timestamp not null default current_timestamp
);

create sequence if not exists ocds_load_seq start 1;

-- One row per release of a loaded package: the release as published (every string
-- HTML-decoded), and the body the loader assigned it to (null: matched on the buyer's name).
create table if not exists ocds_releases (
  package_id varchar not null,
  load_seq bigint not null,
  ocid varchar not null,
  release_id varchar not null,
  release_date varchar,
  tags varchar[] not null,
  body_id varchar,
  release json not null,
  primary key (package_id, release_id)
);
