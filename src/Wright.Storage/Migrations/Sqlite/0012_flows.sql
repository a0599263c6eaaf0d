-- Flows (issue 13): templates kept with a user, FlowRuns with their checkpoints and events.
CREATE TABLE flow_templates (
    user_id       TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          TEXT    NOT NULL,
    format        TEXT    NOT NULL,
    text          TEXT    NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    PRIMARY KEY (user_id, name)
);

-- A run keeps the template it started with (graph), so editing the template never changes a run.
-- position: the node, whether its start checkpoint is saved, its visit and the effect it recorded.
CREATE TABLE flow_runs (
    id                TEXT    NOT NULL PRIMARY KEY,
    session_id        TEXT    NOT NULL REFERENCES chat_sessions (id) ON DELETE CASCADE,
    project_id        TEXT    NOT NULL,
    user_id           TEXT    NULL,
    flow              TEXT    NOT NULL,
    graph             TEXT    NOT NULL,
    state             TEXT    NOT NULL,
    position          TEXT    NULL,
    paused_prompt     TEXT    NULL,
    paused_at_ms      INTEGER NULL,
    variables         TEXT    NOT NULL,
    error_code        TEXT    NULL,
    error_detail      TEXT    NULL,
    cost_picos        INTEGER NOT NULL DEFAULT 0,
    unpriced          INTEGER NOT NULL DEFAULT 0,
    owner_instance_id TEXT    NULL,
    event_seq         INTEGER NOT NULL DEFAULT 0,
    checkpoint_seq    INTEGER NOT NULL DEFAULT 0,
    started_at_ms     INTEGER NOT NULL,
    updated_at_ms     INTEGER NOT NULL,
    ended_at_ms       INTEGER NULL
);
CREATE INDEX ix_flow_runs_session ON flow_runs (session_id, started_at_ms, id);
CREATE INDEX ix_flow_runs_state ON flow_runs (state, started_at_ms);
-- At most one running or paused run per session.
CREATE UNIQUE INDEX ux_flow_runs_active ON flow_runs (session_id) WHERE state IN ('running', 'paused');

CREATE TABLE flow_checkpoints (
    run_id      TEXT    NOT NULL REFERENCES flow_runs (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    node_id     TEXT    NOT NULL,
    phase       TEXT    NOT NULL,
    at_ms       INTEGER NOT NULL,
    commit_sha  TEXT    NULL,
    duration_ms INTEGER NULL,
    cost_picos  INTEGER NOT NULL DEFAULT 0,
    inputs      TEXT    NULL,
    outputs     TEXT    NULL,
    PRIMARY KEY (run_id, seq)
);

CREATE TABLE flow_events (
    run_id TEXT    NOT NULL REFERENCES flow_runs (id) ON DELETE CASCADE,
    seq    INTEGER NOT NULL,
    type   TEXT    NOT NULL,
    data   TEXT    NOT NULL,
    at_ms  INTEGER NOT NULL,
    PRIMARY KEY (run_id, seq)
);
