CREATE TABLE prompt_contexts (
    id            text    NOT NULL PRIMARY KEY,
    session_id    text    NOT NULL REFERENCES chat_sessions (id) ON DELETE CASCADE,
    message_id    text    NOT NULL,
    turn          bigint  NOT NULL,
    budget_tokens bigint  NOT NULL,
    token_count   bigint  NOT NULL,
    head          text    NULL,
    record        text    NOT NULL,
    created_at_ms bigint  NOT NULL
);
CREATE UNIQUE INDEX ix_prompt_contexts_message ON prompt_contexts (message_id);
CREATE INDEX ix_prompt_contexts_session ON prompt_contexts (session_id, created_at_ms);
CREATE TABLE agent_runs (
    message_id     text    NOT NULL PRIMARY KEY,
    session_id     text    NOT NULL REFERENCES chat_sessions (id) ON DELETE CASCADE,
    base_commit    text    NULL,
    commit_sha     text    NULL,
    commits        text    NOT NULL,
    git_branch     text    NULL,
    stop_reason    text    NULL,
    stop_detail    text    NULL,
    steps          bigint  NOT NULL,
    cost_picos     bigint  NOT NULL,
    failure        text    NULL,
    created_at_ms  bigint  NOT NULL,
    updated_at_ms  bigint  NOT NULL
);
CREATE INDEX ix_agent_runs_session ON agent_runs (session_id, created_at_ms);
CREATE TABLE prompt_versions (
    id            text    NOT NULL PRIMARY KEY,
    scope         text    NOT NULL,
    scope_key     text    NOT NULL,
    version       bigint  NOT NULL,
    content       text    NOT NULL,
    author_id     text    NULL,
    created_at_ms bigint  NOT NULL
);
CREATE UNIQUE INDEX ix_prompt_versions_scope ON prompt_versions (scope, scope_key, version);
