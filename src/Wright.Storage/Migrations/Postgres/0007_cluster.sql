CREATE TABLE cluster_instances (
    id             text    NOT NULL PRIMARY KEY,
    started_at_ms  bigint  NOT NULL,
    lease_until_ms bigint  NOT NULL
);

CREATE TABLE answer_owners (
    message_id    text    NOT NULL PRIMARY KEY,
    instance_id   text    NOT NULL,
    claimed_at_ms bigint  NOT NULL
);
CREATE INDEX ix_answer_owners_instance ON answer_owners (instance_id);

CREATE TABLE cluster_events (
    id         bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id text    NULL,
    type       text    NOT NULL,
    at_ms      bigint  NOT NULL,
    data       text    NOT NULL
);

CREATE TABLE rate_windows (
    key             text    NOT NULL,
    window_start_ms bigint  NOT NULL,
    hits            integer NOT NULL,
    PRIMARY KEY (key, window_start_ms)
);
CREATE INDEX ix_rate_windows_start ON rate_windows (window_start_ms);
