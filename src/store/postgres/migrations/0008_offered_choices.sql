-- The choices last offered to a resident ("2" in their next message picks the second), shared by instances.
CREATE TABLE offered_choices (
  resident_key text PRIMARY KEY,
  choices      text[] NOT NULL,
  offered_at   timestamptz NOT NULL
);
