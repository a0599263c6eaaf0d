CREATE TABLE agent_projects (
    id                TEXT    NOT NULL PRIMARY KEY,
    owner_id          TEXT    NOT NULL,
    path              TEXT    NOT NULL,
    name              TEXT    NOT NULL,
    remote            TEXT    NULL,
    branch            TEXT    NULL,
    wright_project_id TEXT    NULL,
    created_at_ms     INTEGER NOT NULL
);
CREATE UNIQUE INDEX ix_agent_projects_owner_path ON agent_projects (owner_id, path);
CREATE TABLE agents (
    id               TEXT    NOT NULL PRIMARY KEY,
    owner_id         TEXT    NOT NULL,
    kind             TEXT    NOT NULL,
    name             TEXT    NULL,
    project_id       TEXT    NOT NULL REFERENCES agent_projects (id) ON DELETE CASCADE,
    session_uuid     TEXT    NULL,
    agent_session_id TEXT    NULL,
    terminal_pane    TEXT    NULL,
    current_task_id  TEXT    NULL,
    transcript_path  TEXT    NULL,
    started_at_ms    INTEGER NOT NULL,
    last_seen_at_ms  INTEGER NOT NULL,
    ended_at_ms      INTEGER NULL
);
CREATE UNIQUE INDEX ix_agents_session_uuid ON agents (owner_id, session_uuid);
CREATE INDEX ix_agents_agent_session ON agents (owner_id, agent_session_id);
CREATE INDEX ix_agents_owner_seen ON agents (owner_id, last_seen_at_ms);
CREATE INDEX ix_agents_project ON agents (project_id, started_at_ms);
CREATE TABLE agent_tasks (
    id                  TEXT    NOT NULL PRIMARY KEY,
    agent_id            TEXT    NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    state               TEXT    NOT NULL,
    waiting_on          TEXT    NULL,
    started_at_ms       INTEGER NOT NULL,
    state_changed_at_ms INTEGER NOT NULL,
    completed_at_ms     INTEGER NULL,
    end_reason          TEXT    NULL
);
CREATE INDEX ix_agent_tasks_agent ON agent_tasks (agent_id, started_at_ms);
CREATE TABLE agent_turns (
    seq        INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    id         TEXT    NOT NULL UNIQUE,
    agent_id   TEXT    NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    task_id    TEXT    NOT NULL REFERENCES agent_tasks (id) ON DELETE CASCADE,
    actor      TEXT    NOT NULL,
    intent     TEXT    NOT NULL,
    text       TEXT    NULL,
    commit_sha TEXT    NULL,
    at_ms      INTEGER NOT NULL
);
CREATE INDEX ix_agent_turns_agent ON agent_turns (agent_id, seq);
CREATE TABLE agent_events (
    seq        INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    id         TEXT    NOT NULL UNIQUE,
    agent_id   TEXT    NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    project_id TEXT    NOT NULL,
    task_id    TEXT    NULL,
    turn_id    TEXT    NULL,
    type       TEXT    NOT NULL,
    payload    TEXT    NOT NULL,
    at_ms      INTEGER NOT NULL
);
CREATE INDEX ix_agent_events_agent ON agent_events (agent_id, seq);
CREATE TABLE agent_usage (
    agent_id           TEXT    NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    usage_key          TEXT    NOT NULL,
    task_id            TEXT    NULL,
    turn_id            TEXT    NULL,
    model              TEXT    NULL,
    input_tokens       INTEGER NOT NULL,
    output_tokens      INTEGER NOT NULL,
    cache_read_tokens  INTEGER NOT NULL,
    cache_write_tokens INTEGER NOT NULL,
    total_tokens       INTEGER NOT NULL,
    cost_picos         INTEGER NOT NULL,
    at_ms              INTEGER NOT NULL,
    PRIMARY KEY (agent_id, usage_key)
);
CREATE INDEX ix_agent_usage_at ON agent_usage (at_ms);
CREATE TABLE agent_transcripts (
    agent_id    TEXT    NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    path        TEXT    NOT NULL,
    read_offset INTEGER NOT NULL,
    PRIMARY KEY (agent_id, path)
);
