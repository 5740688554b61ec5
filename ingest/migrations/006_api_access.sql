-- API keys and the audit log (api/auth.ts, api/audit.ts). A key's secret is never stored:
-- only its SHA-256 (the secret is 32 random bytes, so a slow hash adds nothing).
create table api_keys (
  key_id varchar primary key,
  name varchar not null,
  role varchar not null check (role in ('body', 'procurement', 'finance', 'admin')),
  body_id varchar,
  secret_sha256 varchar not null,
  created_at timestamp not null default current_timestamp,
  expires_at timestamp,
  revoked_at timestamp,
  check ((role = 'body') = (body_id is not null))
);

create sequence audit_log_seq;

-- Every state-changing call: who, when, what, and the state before and after (JSON text).
create table audit_log (
  audit_id bigint primary key default nextval('audit_log_seq'),
  occurred_at timestamp not null default current_timestamp,
  key_id varchar,
  role varchar,
  body_id varchar,
  method varchar not null,
  path varchar not null,
  status integer not null,
  request_id varchar,
  target varchar,
  before_state varchar,
  after_state varchar
);
