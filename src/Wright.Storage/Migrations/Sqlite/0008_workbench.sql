CREATE TABLE workbench_states (
    user_id       TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    project_id    TEXT    NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    state         TEXT    NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    PRIMARY KEY (user_id, project_id)
);
CREATE INDEX ix_workbench_states_project ON workbench_states (project_id);
