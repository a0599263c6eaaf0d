-- Flows (issue 13): templates kept with a user, FlowRuns with their checkpoints and events.
CREATE TABLE flow_templates (
    user_id       text    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          text    NOT NULL,
    format        text    NOT NULL,
    text          text    NOT NULL,
    updated_at_ms bigint  NOT NULL,
    PRIMARY KEY (user_id, name)
);

-- A run keeps the template it started with (graph), so editing the template never changes a run.
-- position: the node, whether its start checkpoint is saved, its visit and the effect it recorded.
CREATE TABLE flow_runs (
    id                text    NOT NULL PRIMARY KEY,
    session_id        text    NOT NULL REFERENCES chat_sessions (id) ON DELETE CASCADE,
    project_id        text    NOT NULL,
    user_id           text    NULL,
    flow              text    NOT NULL,
    graph             text    NOT NULL,
    state             text    NOT NULL,
    position          text    NULL,
    paused_prompt     text    NULL,
    paused_at_ms      bigint  NULL,
    variables         text    NOT NULL,
    error_code        text    NULL,
    error_detail      text    NULL,
    cost_picos        bigint  NOT NULL DEFAULT 0,
    unpriced          bigint  NOT NULL DEFAULT 0,
    owner_instance_id text    NULL,
    event_seq         bigint  NOT NULL DEFAULT 0,
    checkpoint_seq    bigint  NOT NULL DEFAULT 0,
    started_at_ms     bigint  NOT NULL,
    updated_at_ms     bigint  NOT NULL,
    ended_at_ms       bigint  NULL
);
CREATE INDEX ix_flow_runs_session ON flow_runs (session_id, started_at_ms, id);
CREATE INDEX ix_flow_runs_state ON flow_runs (state, started_at_ms);
-- At most one running or paused run per session.
CREATE UNIQUE INDEX ux_flow_runs_active ON flow_runs (session_id) WHERE state IN ('running', 'paused');

CREATE TABLE flow_checkpoints (
    run_id      text    NOT NULL REFERENCES flow_runs (id) ON DELETE CASCADE,
    seq         bigint  NOT NULL,
    node_id     text    NOT NULL,
    phase       text    NOT NULL,
    at_ms       bigint  NOT NULL,
    commit_sha  text    NULL,
    duration_ms bigint  NULL,
    cost_picos  bigint  NOT NULL DEFAULT 0,
    inputs      text    NULL,
    outputs     text    NULL,
    PRIMARY KEY (run_id, seq)
);

CREATE TABLE flow_events (
    run_id text    NOT NULL REFERENCES flow_runs (id) ON DELETE CASCADE,
    seq    bigint  NOT NULL,
    type   text    NOT NULL,
    data   text    NOT NULL,
    at_ms  bigint  NOT NULL,
    PRIMARY KEY (run_id, seq)
);
