-- depends: 0001.directory-incidents-tasks
-- Personal API tokens, e-mail sign-in links and web sessions. Only hashes are stored: the
-- secrets are random 256-bit values, so a SHA-256 hash cannot be reversed or guessed.

CREATE TABLE api_tokens (
    id            text PRIMARY KEY,
    staff_id      text NOT NULL REFERENCES staff (id),
    label         text NOT NULL DEFAULT '',
    secret_hash   text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz
);
CREATE INDEX api_tokens_staff ON api_tokens (staff_id);

CREATE TABLE sign_in_links (
    id           text PRIMARY KEY,
    staff_id     text NOT NULL REFERENCES staff (id),
    secret_hash  text NOT NULL,
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_links_staff ON sign_in_links (staff_id, created_at);

-- A session from a task link is limited to that task (task_id set).
CREATE TABLE sessions (
    id           text PRIMARY KEY,
    staff_id     text NOT NULL REFERENCES staff (id),
    secret_hash  text NOT NULL,
    task_id      text REFERENCES tasks (id),
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_staff ON sessions (staff_id);
