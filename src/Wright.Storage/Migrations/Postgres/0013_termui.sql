-- A terminal opened in the project's sandbox (bubblewrap) rather than as the user's plain shell.
ALTER TABLE terminals ADD COLUMN sandboxed bigint NOT NULL DEFAULT 0;
