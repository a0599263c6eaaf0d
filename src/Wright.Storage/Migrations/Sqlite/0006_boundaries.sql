-- A spent refresh token remembers, encrypted and only for the reuse grace window, the successor
-- it was traded for, so that two tabs refreshing at once both get the same new pair.
ALTER TABLE refresh_tokens ADD COLUMN successor_protected TEXT NULL;
-- The periodic purge deletes by expiry and revocation time.
CREATE INDEX ix_refresh_tokens_expires ON refresh_tokens (expires_at_ms);
CREATE INDEX ix_refresh_tokens_revoked ON refresh_tokens (revoked_at_ms);
