-- History summaries: a model's summary of a session's earlier turns, through one message, reused by every later prompt below it.
CREATE TABLE history_summaries (
    id                 TEXT    NOT NULL PRIMARY KEY,
    session_id         TEXT    NOT NULL REFERENCES chat_sessions (id) ON DELETE CASCADE,
    through_message_id TEXT    NOT NULL,
    turns              INTEGER NOT NULL,
    text               TEXT    NOT NULL,
    model              TEXT    NOT NULL,
    tokens             INTEGER NOT NULL,
    created_at_ms      INTEGER NOT NULL
);
CREATE UNIQUE INDEX ix_history_summaries_through ON history_summaries (session_id, through_message_id);
-- The token estimate's learned factor per model (models without an exact tokenizer), kept across restarts.
CREATE TABLE token_calibration (
    model         TEXT    NOT NULL PRIMARY KEY,
    factor        REAL    NOT NULL,
    updated_at_ms INTEGER NOT NULL
);
-- Merge links: a merge message of a session and the branch (of this or another session) merged into it.
CREATE TABLE message_merges (
    message_id      TEXT    NOT NULL PRIMARY KEY,
    session_id      TEXT    NOT NULL REFERENCES chat_sessions (id) ON DELETE CASCADE,
    from_session_id TEXT    NOT NULL,
    from_message_id TEXT    NOT NULL,
    merged_commit   TEXT    NULL,
    commit_sha      TEXT    NULL,
    strategy        TEXT    NULL,
    created_at_ms   INTEGER NOT NULL
);
CREATE INDEX ix_message_merges_session ON message_merges (session_id);
