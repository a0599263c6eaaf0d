CREATE TABLE terminals (
    id            text    NOT NULL PRIMARY KEY,
    project_id    text    NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id       text    NOT NULL,
    name          text    NOT NULL,
    shell         text    NOT NULL,
    cwd           text    NOT NULL,
    cols          bigint  NOT NULL,
    rows          bigint  NOT NULL,
    host          text    NOT NULL,
    started_at_ms bigint  NOT NULL,
    exited_at_ms  bigint  NULL,
    exit_code     bigint  NULL
);
CREATE INDEX ix_terminals_project ON terminals (project_id, user_id, started_at_ms);
CREATE TABLE preview_ports (
    project_id  text   NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id     text   NOT NULL,
    port        bigint NOT NULL,
    added_at_ms bigint NOT NULL,
    PRIMARY KEY (project_id, user_id, port)
);
