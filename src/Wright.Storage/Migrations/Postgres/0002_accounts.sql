CREATE TABLE users (
    id             text    NOT NULL PRIMARY KEY,
    user_name      text    NOT NULL,
    user_name_key  text    NOT NULL UNIQUE,
    role           text    NOT NULL,
    password_hash  text    NOT NULL,
    created_at_ms  bigint  NOT NULL,
    updated_at_ms  bigint  NOT NULL,
    disabled_at_ms bigint  NULL
);
CREATE INDEX ix_users_created ON users (created_at_ms, id);

ALTER TABLE projects ADD COLUMN owner_id text NULL REFERENCES users (id);
CREATE INDEX ix_projects_owner ON projects (owner_id);

CREATE TABLE project_members (
    project_id  text    NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id     text    NOT NULL REFERENCES users (id),
    added_at_ms bigint  NOT NULL,
    PRIMARY KEY (project_id, user_id)
);
CREATE INDEX ix_project_members_user ON project_members (user_id);

CREATE TABLE refresh_tokens (
    id            text    NOT NULL PRIMARY KEY,
    family_id     text    NOT NULL,
    user_id       text    NOT NULL REFERENCES users (id),
    token_hash    text    NOT NULL UNIQUE,
    created_at_ms bigint  NOT NULL,
    expires_at_ms bigint  NOT NULL,
    used_at_ms    bigint  NULL,
    revoked_at_ms bigint  NULL
);
CREATE INDEX ix_refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX ix_refresh_tokens_user ON refresh_tokens (user_id);

CREATE TABLE personal_access_tokens (
    id              text    NOT NULL PRIMARY KEY,
    user_id         text    NOT NULL REFERENCES users (id),
    name            text    NOT NULL,
    token_hash      text    NOT NULL UNIQUE,
    hint            text    NOT NULL,
    scopes          text    NOT NULL,
    created_at_ms   bigint  NOT NULL,
    expires_at_ms   bigint  NULL,
    last_used_at_ms bigint  NULL,
    revoked_at_ms   bigint  NULL
);
CREATE INDEX ix_personal_access_tokens_user ON personal_access_tokens (user_id, created_at_ms, id);

CREATE TABLE audit_log (
    id         text    NOT NULL PRIMARY KEY,
    at_ms      bigint  NOT NULL,
    action     text    NOT NULL,
    actor_id   text    NULL,
    actor_name text    NULL,
    target     text    NULL,
    address    text    NULL,
    detail     text    NULL
);
CREATE INDEX ix_audit_log_at ON audit_log (at_ms, id);

CREATE TABLE data_protection_keys (
    name          text    NOT NULL PRIMARY KEY,
    xml           text    NOT NULL,
    created_at_ms bigint  NOT NULL
);
