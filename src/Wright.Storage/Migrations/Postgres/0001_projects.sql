CREATE TABLE projects (
    id             text   NOT NULL PRIMARY KEY,
    name           text   NOT NULL,
    root_path      text   NOT NULL UNIQUE,
    created_at_ms  bigint NOT NULL,
    updated_at_ms  bigint NOT NULL,
    archived_at_ms bigint NULL
);
CREATE INDEX ix_projects_created ON projects (created_at_ms, id);
