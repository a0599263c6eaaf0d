-- A SQLite database has one server; these tables keep the schema the same in both dialects.
CREATE TABLE cluster_instances (
    id             TEXT    NOT NULL PRIMARY KEY,
    started_at_ms  INTEGER NOT NULL,
    lease_until_ms INTEGER NOT NULL
);

CREATE TABLE answer_owners (
    message_id    TEXT    NOT NULL PRIMARY KEY,
    instance_id   TEXT    NOT NULL,
    claimed_at_ms INTEGER NOT NULL
);
CREATE INDEX ix_answer_owners_instance ON answer_owners (instance_id);

CREATE TABLE cluster_events (
    id         INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    project_id TEXT    NULL,
    type       TEXT    NOT NULL,
    at_ms      INTEGER NOT NULL,
    data       TEXT    NOT NULL
);

CREATE TABLE rate_windows (
    key             TEXT    NOT NULL,
    window_start_ms INTEGER NOT NULL,
    hits            INTEGER NOT NULL,
    PRIMARY KEY (key, window_start_ms)
);
CREATE INDEX ix_rate_windows_start ON rate_windows (window_start_ms);
