CREATE TABLE llm_providers (
    name              text    NOT NULL PRIMARY KEY,
    kind              text    NOT NULL,
    base_url          text    NULL,
    api_key_protected text    NULL,
    api_key_hint      text    NULL,
    created_at_ms     bigint  NOT NULL,
    updated_at_ms     bigint  NOT NULL
);
CREATE TABLE llm_model_overrides (
    name                        text    NOT NULL PRIMARY KEY,
    context_window              bigint  NULL,
    max_output_tokens           bigint  NULL,
    input_cost_per_token        text    NULL,
    output_cost_per_token       text    NULL,
    cache_read_cost_per_token   text    NULL,
    cache_write_cost_per_token  text    NULL
);
CREATE TABLE chat_sessions (
    id              text    NOT NULL PRIMARY KEY,
    project_id      text    NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    title           text    NOT NULL,
    title_source    text    NOT NULL,
    current_leaf_id text    NULL,
    created_at_ms   bigint  NOT NULL,
    updated_at_ms   bigint  NOT NULL,
    archived_at_ms  bigint  NULL
);
CREATE INDEX ix_chat_sessions_project ON chat_sessions (project_id, created_at_ms, id);
CREATE TABLE chat_messages (
    id            text    NOT NULL PRIMARY KEY,
    session_id    text    NOT NULL REFERENCES chat_sessions (id) ON DELETE CASCADE,
    parent_id     text    NULL,
    seq           bigint  NOT NULL,
    role          text    NOT NULL,
    content       text    NOT NULL,
    status        text    NOT NULL,
    model         text    NULL,
    tool_calls    text    NULL,
    error_code    text    NULL,
    error_detail  text    NULL,
    created_at_ms bigint  NOT NULL,
    updated_at_ms bigint  NOT NULL
);
CREATE INDEX ix_chat_messages_session ON chat_messages (session_id, seq);
CREATE INDEX ix_chat_messages_streaming ON chat_messages (status) WHERE status = 'streaming';
CREATE TABLE ai_requests (
    id                 text    NOT NULL PRIMARY KEY,
    session_id         text    NOT NULL REFERENCES chat_sessions (id) ON DELETE CASCADE,
    message_id         text    NULL,
    attempt            bigint  NOT NULL,
    provider           text    NOT NULL,
    model              text    NOT NULL,
    parameters         text    NOT NULL,
    status             text    NOT NULL,
    started_at_ms      bigint  NOT NULL,
    ttft_ms            bigint  NULL,
    duration_ms        bigint  NULL,
    input_tokens       bigint  NOT NULL,
    output_tokens      bigint  NOT NULL,
    cache_read_tokens  bigint  NOT NULL,
    cache_write_tokens bigint  NOT NULL,
    cost_picos         bigint  NOT NULL,
    currency           text    NOT NULL,
    error_code         text    NULL,
    error_detail       text    NULL
);
CREATE INDEX ix_ai_requests_session ON ai_requests (session_id, started_at_ms);
CREATE INDEX ix_ai_requests_streaming ON ai_requests (status) WHERE status = 'streaming';
