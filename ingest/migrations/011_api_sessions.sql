-- The dashboards' login sessions (api/sessions.ts), so that a restart of `spend serve` does not
-- log everyone out. Only SHA-256 digests of the session id and its CSRF token are stored (both
-- are 32 random bytes, shown to the browser once). A session works while it has not expired and
-- its key is neither revoked nor expired; revoking a key also deletes its sessions.
create table api_sessions (
  session_sha256 varchar primary key,
  key_id varchar not null,
  csrf_sha256 varchar not null,
  created_at timestamp not null default current_timestamp,
  expires_at timestamp not null
);
