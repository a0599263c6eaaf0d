CREATE TABLE agent_projects (
    id                text    NOT NULL PRIMARY KEY,
    owner_id          text    NOT NULL,
    path              text    NOT NULL,
    name              text    NOT NULL,
    remote            text    NULL,
    branch            text    NULL,
    wright_project_id text    NULL,
    created_at_ms     bigint  NOT NULL
);
CREATE UNIQUE INDEX ix_agent_projects_owner_path ON agent_projects (owner_id, path);
CREATE TABLE agents (
    id               text    NOT NULL PRIMARY KEY,
    owner_id         text    NOT NULL,
    kind             text    NOT NULL,
    name             text    NULL,
    project_id       text    NOT NULL REFERENCES agent_projects (id) ON DELETE CASCADE,
    session_uuid     text    NULL,
    agent_session_id text    NULL,
    terminal_pane    text    NULL,
    current_task_id  text    NULL,
    transcript_path  text    NULL,
    started_at_ms    bigint  NOT NULL,
    last_seen_at_ms  bigint  NOT NULL,
    ended_at_ms      bigint  NULL
);
CREATE UNIQUE INDEX ix_agents_session_uuid ON agents (owner_id, session_uuid);
CREATE INDEX ix_agents_agent_session ON agents (owner_id, agent_session_id);
CREATE INDEX ix_agents_owner_seen ON agents (owner_id, last_seen_at_ms);
CREATE INDEX ix_agents_project ON agents (project_id, started_at_ms);
CREATE TABLE agent_tasks (
    id                  text    NOT NULL PRIMARY KEY,
    agent_id            text    NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    state               text    NOT NULL,
    waiting_on          text    NULL,
    started_at_ms       bigint  NOT NULL,
    state_changed_at_ms bigint  NOT NULL,
    completed_at_ms     bigint  NULL,
    end_reason          text    NULL
);
CREATE INDEX ix_agent_tasks_agent ON agent_tasks (agent_id, started_at_ms);
CREATE TABLE agent_turns (
    seq        bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id         text    NOT NULL UNIQUE,
    agent_id   text    NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    task_id    text    NOT NULL REFERENCES agent_tasks (id) ON DELETE CASCADE,
    actor      text    NOT NULL,
    intent     text    NOT NULL,
    text       text    NULL,
    commit_sha text    NULL,
    at_ms      bigint  NOT NULL
);
CREATE INDEX ix_agent_turns_agent ON agent_turns (agent_id, seq);
CREATE TABLE agent_events (
    seq        bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id         text    NOT NULL UNIQUE,
    agent_id   text    NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    project_id text    NOT NULL,
    task_id    text    NULL,
    turn_id    text    NULL,
    type       text    NOT NULL,
    payload    text    NOT NULL,
    at_ms      bigint  NOT NULL
);
CREATE INDEX ix_agent_events_agent ON agent_events (agent_id, seq);
CREATE TABLE agent_usage (
    agent_id           text    NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    usage_key          text    NOT NULL,
    task_id            text    NULL,
    turn_id            text    NULL,
    model              text    NULL,
    input_tokens       bigint  NOT NULL,
    output_tokens      bigint  NOT NULL,
    cache_read_tokens  bigint  NOT NULL,
    cache_write_tokens bigint  NOT NULL,
    total_tokens       bigint  NOT NULL,
    cost_picos         bigint  NOT NULL,
    at_ms              bigint  NOT NULL,
    PRIMARY KEY (agent_id, usage_key)
);
CREATE INDEX ix_agent_usage_at ON agent_usage (at_ms);
CREATE TABLE agent_transcripts (
    agent_id    text    NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    path        text    NOT NULL,
    read_offset bigint  NOT NULL,
    PRIMARY KEY (agent_id, path)
);
