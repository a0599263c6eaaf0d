CREATE TABLE terminals (
    id            TEXT    NOT NULL PRIMARY KEY,
    project_id    TEXT    NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id       TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    shell         TEXT    NOT NULL,
    cwd           TEXT    NOT NULL,
    cols          INTEGER NOT NULL,
    rows          INTEGER NOT NULL,
    host          TEXT    NOT NULL,
    started_at_ms INTEGER NOT NULL,
    exited_at_ms  INTEGER NULL,
    exit_code     INTEGER NULL
);
CREATE INDEX ix_terminals_project ON terminals (project_id, user_id, started_at_ms);
CREATE TABLE preview_ports (
    project_id  TEXT    NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id     TEXT    NOT NULL,
    port        INTEGER NOT NULL,
    added_at_ms INTEGER NOT NULL,
    PRIMARY KEY (project_id, user_id, port)
);
