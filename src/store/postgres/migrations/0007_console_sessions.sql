-- Staff console sessions shared by every instance (PostgresConsoleSessionStore). The cookie's session id is never
-- stored, only its SHA-256: a copy of the table signs nobody in. The member is looked up in the staff file on each use.
CREATE TABLE console_sessions (
  id_hash text PRIMARY KEY,
  member_id text NOT NULL,
  csrf text NOT NULL,
  created_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL
);
-- Pruning sessions past their idle time.
CREATE INDEX console_sessions_last_seen ON console_sessions (last_seen_at);
