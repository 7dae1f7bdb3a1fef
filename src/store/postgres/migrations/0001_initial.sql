-- Every record is kept whole as JSONB (`doc`), as the application reads and writes it; the columns beside it
-- are what queries filter and sort on, each with the index its query needs.

CREATE TABLE residents (
  key           text PRIMARY KEY,
  settlement_id text,
  notices       boolean NOT NULL,
  blocked       boolean NOT NULL,
  linked_to     text,
  tags          text[] NOT NULL DEFAULT '{}',
  doc           jsonb NOT NULL
);
-- A settlement's broadcast audience: subscribed, reachable residents, read in key order with a cursor.
CREATE INDEX residents_audience ON residents (settlement_id, key) WHERE notices AND NOT blocked AND linked_to IS NULL;
CREATE INDEX residents_tags ON residents USING gin (tags);

CREATE TABLE conversation_turns (
  seq      bigserial PRIMARY KEY,
  at       timestamptz NOT NULL,
  fallback boolean NOT NULL,
  doc      jsonb NOT NULL
);
-- Turns by day (and any time range); the unanswered list is the fallbacks among them.
CREATE INDEX conversation_turns_at ON conversation_turns (at, seq);
CREATE INDEX conversation_turns_unanswered ON conversation_turns (at DESC, seq DESC) WHERE fallback;

-- The last sequence number of each UTC day's ticket ids (T261123-0007 is the 7th of 2026-11-23).
CREATE TABLE ticket_days (
  day  date PRIMARY KEY,
  last integer NOT NULL
);

CREATE TABLE tickets (
  id           text PRIMARY KEY,
  resident_key text NOT NULL,
  open         boolean NOT NULL,
  created_at   timestamptz NOT NULL,
  doc          jsonb NOT NULL
);
CREATE INDEX tickets_created ON tickets (created_at, id);
-- A resident's open tickets (one demand joins the newest); the scheduler's open ones.
CREATE INDEX tickets_resident_open ON tickets (resident_key, created_at) WHERE open;
CREATE INDEX tickets_open ON tickets (created_at, id) WHERE open;
CREATE INDEX tickets_resident ON tickets (resident_key, created_at);

CREATE TABLE outbox (
  id              text PRIMARY KEY,
  channel         text NOT NULL,
  recipient       text NOT NULL,
  status          text NOT NULL,
  next_attempt_at timestamptz NOT NULL,
  created_at      timestamptz NOT NULL,
  doc             jsonb NOT NULL
);
-- Due items, claimed oldest first.
CREATE INDEX outbox_due ON outbox (next_attempt_at, created_at) WHERE status = 'pending';
CREATE INDEX outbox_held ON outbox (channel, recipient, created_at) WHERE status = 'held';

CREATE TABLE audit_log (
  seq bigserial PRIMARY KEY,
  at  timestamptz NOT NULL,
  doc jsonb NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at, seq);

CREATE TABLE notices (
  id         text PRIMARY KEY,
  created_at timestamptz NOT NULL,
  doc        jsonb NOT NULL
);

CREATE TABLE web_identities (
  token_hash text PRIMARY KEY,
  doc        jsonb NOT NULL
);

CREATE TABLE web_histories (
  resident_id text PRIMARY KEY,
  read_up_to  integer NOT NULL DEFAULT 0,
  last_seq    integer NOT NULL DEFAULT 0
);

CREATE TABLE web_entries (
  resident_id text NOT NULL REFERENCES web_histories (resident_id),
  seq         integer NOT NULL,
  push boolean NOT NULL,
  doc         jsonb NOT NULL,
  PRIMARY KEY (resident_id, seq)
);
