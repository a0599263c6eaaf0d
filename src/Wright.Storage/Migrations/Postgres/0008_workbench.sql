CREATE TABLE workbench_states (
    user_id       text    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    project_id    text    NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    state         text    NOT NULL,
    updated_at_ms bigint  NOT NULL,
    PRIMARY KEY (user_id, project_id)
);
CREATE INDEX ix_workbench_states_project ON workbench_states (project_id);
