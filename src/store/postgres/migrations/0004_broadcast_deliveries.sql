-- One row per recipient of a broadcast. Instances claim batches of the queued and retrying ones with
-- FOR UPDATE SKIP LOCKED and hold them until `lease_until`; a row whose instance died is taken by another after.
CREATE TABLE broadcast_deliveries (
  notice_id    text NOT NULL,
  resident_key text NOT NULL,
  -- The place in the sending order.
  i            integer NOT NULL,
  channel      text NOT NULL,
  recipient    text NOT NULL,
  locale       text NOT NULL,
  -- queued, sending, retry, sent, unknown (sent-unknown), failed, skipped (see `skip`).
  status       text NOT NULL,
  skip         text,
  attempts     integer NOT NULL DEFAULT 0,
  reason       text,
  claimed_by   text,
  lease_until  timestamptz,
  -- The last change; sent_at once it is sent.
  at           timestamptz,
  sent_at      timestamptz,
  PRIMARY KEY (notice_id, resident_key)
);
-- What is left to claim, in sending order.
CREATE INDEX broadcast_deliveries_claimable ON broadcast_deliveries (notice_id, i) WHERE status IN ('queued', 'retry');
-- Sends in flight, settled as sent-unknown when their instance's lease has ended.
CREATE INDEX broadcast_deliveries_sending ON broadcast_deliveries (notice_id, lease_until) WHERE status = 'sending';
