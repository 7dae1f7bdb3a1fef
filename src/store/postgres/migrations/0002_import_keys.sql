-- Rows moved from lowdb by `npm run migrate-store` carry a key made from their content, so moving twice adds none
-- twice: turns and audit entries have no natural key of their own.
ALTER TABLE conversation_turns ADD COLUMN import_key text UNIQUE;
ALTER TABLE audit_log ADD COLUMN import_key text UNIQUE;
