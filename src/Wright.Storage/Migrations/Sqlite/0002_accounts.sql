CREATE TABLE users (
    id             TEXT    NOT NULL PRIMARY KEY,
    user_name      TEXT    NOT NULL,
    user_name_key  TEXT    NOT NULL UNIQUE,
    role           TEXT    NOT NULL,
    password_hash  TEXT    NOT NULL,
    created_at_ms  INTEGER NOT NULL,
    updated_at_ms  INTEGER NOT NULL,
    disabled_at_ms INTEGER NULL
);
CREATE INDEX ix_users_created ON users (created_at_ms, id);

ALTER TABLE projects ADD COLUMN owner_id TEXT NULL REFERENCES users (id);
CREATE INDEX ix_projects_owner ON projects (owner_id);

CREATE TABLE project_members (
    project_id  TEXT    NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id     TEXT    NOT NULL REFERENCES users (id),
    added_at_ms INTEGER NOT NULL,
    PRIMARY KEY (project_id, user_id)
);
CREATE INDEX ix_project_members_user ON project_members (user_id);

CREATE TABLE refresh_tokens (
    id            TEXT    NOT NULL PRIMARY KEY,
    family_id     TEXT    NOT NULL,
    user_id       TEXT    NOT NULL REFERENCES users (id),
    token_hash    TEXT    NOT NULL UNIQUE,
    created_at_ms INTEGER NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    used_at_ms    INTEGER NULL,
    revoked_at_ms INTEGER NULL
);
CREATE INDEX ix_refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX ix_refresh_tokens_user ON refresh_tokens (user_id);

CREATE TABLE personal_access_tokens (
    id              TEXT    NOT NULL PRIMARY KEY,
    user_id         TEXT    NOT NULL REFERENCES users (id),
    name            TEXT    NOT NULL,
    token_hash      TEXT    NOT NULL UNIQUE,
    hint            TEXT    NOT NULL,
    scopes          TEXT    NOT NULL,
    created_at_ms   INTEGER NOT NULL,
    expires_at_ms   INTEGER NULL,
    last_used_at_ms INTEGER NULL,
    revoked_at_ms   INTEGER NULL
);
CREATE INDEX ix_personal_access_tokens_user ON personal_access_tokens (user_id, created_at_ms, id);

CREATE TABLE audit_log (
    id         TEXT    NOT NULL PRIMARY KEY,
    at_ms      INTEGER NOT NULL,
    action     TEXT    NOT NULL,
    actor_id   TEXT    NULL,
    actor_name TEXT    NULL,
    target     TEXT    NULL,
    address    TEXT    NULL,
    detail     TEXT    NULL
);
CREATE INDEX ix_audit_log_at ON audit_log (at_ms, id);

CREATE TABLE data_protection_keys (
    name          TEXT    NOT NULL PRIMARY KEY,
    xml           TEXT    NOT NULL,
    created_at_ms INTEGER NOT NULL
);
