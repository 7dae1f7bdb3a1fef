-- The scheduler's time check each minute (TicketRepository.dueForCheck): open tickets by due time, and resolved
-- ones whose return visit is neither answered nor alerted yet, by its due time. The conditions match the query's.
CREATE INDEX tickets_open_due ON tickets ((doc->>'dueAt')) WHERE open;
CREATE INDEX tickets_return_visit ON tickets ((doc->>'returnVisitDueAt'))
  WHERE NOT open AND doc->>'status' = 'resolved' AND doc->>'satisfaction' IS NULL AND doc->'alerted'->>'returnVisit' IS NULL;
