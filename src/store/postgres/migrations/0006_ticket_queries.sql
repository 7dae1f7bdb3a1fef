-- Staff lists and inbox counts: a settlement's tickets, open first, by due time (TicketRepository.query/counts).
CREATE INDEX tickets_settlement_due ON tickets ((doc->>'settlementId'), open, (doc->>'dueAt'), id);
