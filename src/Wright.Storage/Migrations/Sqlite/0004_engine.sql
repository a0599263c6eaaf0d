CREATE TABLE prompt_contexts (
    id            TEXT    NOT NULL PRIMARY KEY,
    session_id    TEXT    NOT NULL REFERENCES chat_sessions (id) ON DELETE CASCADE,
    message_id    TEXT    NOT NULL,
    turn          INTEGER NOT NULL,
    budget_tokens INTEGER NOT NULL,
    token_count   INTEGER NOT NULL,
    head          TEXT    NULL,
    record        TEXT    NOT NULL,
    created_at_ms INTEGER NOT NULL
);
CREATE UNIQUE INDEX ix_prompt_contexts_message ON prompt_contexts (message_id);
CREATE INDEX ix_prompt_contexts_session ON prompt_contexts (session_id, created_at_ms);
CREATE TABLE agent_runs (
    message_id     TEXT    NOT NULL PRIMARY KEY,
    session_id     TEXT    NOT NULL REFERENCES chat_sessions (id) ON DELETE CASCADE,
    base_commit    TEXT    NULL,
    commit_sha     TEXT    NULL,
    commits        TEXT    NOT NULL,
    git_branch     TEXT    NULL,
    stop_reason    TEXT    NULL,
    stop_detail    TEXT    NULL,
    steps          INTEGER NOT NULL,
    cost_picos     INTEGER NOT NULL,
    failure        TEXT    NULL,
    created_at_ms  INTEGER NOT NULL,
    updated_at_ms  INTEGER NOT NULL
);
CREATE INDEX ix_agent_runs_session ON agent_runs (session_id, created_at_ms);
CREATE TABLE prompt_versions (
    id            TEXT    NOT NULL PRIMARY KEY,
    scope         TEXT    NOT NULL,
    scope_key     TEXT    NOT NULL,
    version       INTEGER NOT NULL,
    content       TEXT    NOT NULL,
    author_id     TEXT    NULL,
    created_at_ms INTEGER NOT NULL
);
CREATE UNIQUE INDEX ix_prompt_versions_scope ON prompt_versions (scope, scope_key, version);
