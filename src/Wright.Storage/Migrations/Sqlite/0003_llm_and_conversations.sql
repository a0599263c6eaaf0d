CREATE TABLE llm_providers (
    name              TEXT    NOT NULL PRIMARY KEY,
    kind              TEXT    NOT NULL,
    base_url          TEXT    NULL,
    api_key_protected TEXT    NULL,
    api_key_hint      TEXT    NULL,
    created_at_ms     INTEGER NOT NULL,
    updated_at_ms     INTEGER NOT NULL
);
CREATE TABLE llm_model_overrides (
    name                        TEXT    NOT NULL PRIMARY KEY,
    context_window              INTEGER NULL,
    max_output_tokens           INTEGER NULL,
    input_cost_per_token        TEXT    NULL,
    output_cost_per_token       TEXT    NULL,
    cache_read_cost_per_token   TEXT    NULL,
    cache_write_cost_per_token  TEXT    NULL
);
CREATE TABLE chat_sessions (
    id              TEXT    NOT NULL PRIMARY KEY,
    project_id      TEXT    NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    title           TEXT    NOT NULL,
    title_source    TEXT    NOT NULL,
    current_leaf_id TEXT    NULL,
    created_at_ms   INTEGER NOT NULL,
    updated_at_ms   INTEGER NOT NULL,
    archived_at_ms  INTEGER NULL
);
CREATE INDEX ix_chat_sessions_project ON chat_sessions (project_id, created_at_ms, id);
CREATE TABLE chat_messages (
    id            TEXT    NOT NULL PRIMARY KEY,
    session_id    TEXT    NOT NULL REFERENCES chat_sessions (id) ON DELETE CASCADE,
    parent_id     TEXT    NULL,
    seq           INTEGER NOT NULL,
    role          TEXT    NOT NULL,
    content       TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    model         TEXT    NULL,
    tool_calls    TEXT    NULL,
    error_code    TEXT    NULL,
    error_detail  TEXT    NULL,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
);
CREATE INDEX ix_chat_messages_session ON chat_messages (session_id, seq);
CREATE INDEX ix_chat_messages_streaming ON chat_messages (status) WHERE status = 'streaming';
CREATE TABLE ai_requests (
    id                 TEXT    NOT NULL PRIMARY KEY,
    session_id         TEXT    NOT NULL REFERENCES chat_sessions (id) ON DELETE CASCADE,
    message_id         TEXT    NULL,
    attempt            INTEGER NOT NULL,
    provider           TEXT    NOT NULL,
    model              TEXT    NOT NULL,
    parameters         TEXT    NOT NULL,
    status             TEXT    NOT NULL,
    started_at_ms      INTEGER NOT NULL,
    ttft_ms            INTEGER NULL,
    duration_ms        INTEGER NULL,
    input_tokens       INTEGER NOT NULL,
    output_tokens      INTEGER NOT NULL,
    cache_read_tokens  INTEGER NOT NULL,
    cache_write_tokens INTEGER NOT NULL,
    cost_picos         INTEGER NOT NULL,
    currency           TEXT    NOT NULL,
    error_code         TEXT    NULL,
    error_detail       TEXT    NULL
);
CREATE INDEX ix_ai_requests_session ON ai_requests (session_id, started_at_ms);
CREATE INDEX ix_ai_requests_streaming ON ai_requests (status) WHERE status = 'streaming';
