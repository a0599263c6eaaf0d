-- Wright's own loop is an Answer ("agent" is an external coding agent): agent_runs becomes answers, rows kept.
ALTER TABLE agent_runs RENAME TO answers;
ALTER INDEX ix_agent_runs_session RENAME TO ix_answers_session;
-- The answer record between steps (step, messages so far, staged changes, pending approval), as JSON.
ALTER TABLE answers ADD COLUMN state text NULL;
-- 1 when a provider call of the answer had no known price (its cost is not counted, not zero).
ALTER TABLE answers ADD COLUMN unpriced bigint NOT NULL DEFAULT 0;
