-- Least-loaded routing counts each caseworker's open tickets on every demand: from an index, not every ticket.
CREATE INDEX tickets_open_assignee ON tickets ((doc->>'assignee')) WHERE open;
