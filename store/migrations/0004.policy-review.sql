-- depends: 0002.sign-in
-- The yearly policy review: when each school reviews (a board default, a school's own date,
-- paused or not), each review with its counts and outcome, and review tasks in the task read
-- model beside incident tasks.

ALTER TABLE boards
    ADD COLUMN review_month integer NOT NULL DEFAULT 9 CHECK (review_month BETWEEN 1 AND 12),
    ADD COLUMN review_day integer NOT NULL DEFAULT 15 CHECK (review_day BETWEEN 1 AND 28);

CREATE TABLE policy_review_settings (
    school_id   text PRIMARY KEY REFERENCES schools (id),
    month       integer CHECK (month BETWEEN 1 AND 12),  -- NULL: the board's default
    day         integer CHECK (day BETWEEN 1 AND 31),  -- checked against the month by the API
    at_time     time NOT NULL DEFAULT '09:00',
    paused      boolean NOT NULL DEFAULT false,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- id is the review workflow's id, so a retried activity finds the same review.
CREATE TABLE policy_reviews (
    id                text PRIMARY KEY,
    school_id         text NOT NULL REFERENCES schools (id),
    board_id          text NOT NULL REFERENCES boards (id),
    year              integer NOT NULL,
    status            text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    started_at        timestamptz NOT NULL,
    closed_at         timestamptz,
    stats             jsonb NOT NULL DEFAULT '{}'::jsonb,
    policy_changed    boolean,
    change            text NOT NULL DEFAULT '',
    new_version_date  date
);
CREATE INDEX policy_reviews_school ON policy_reviews (school_id, started_at DESC);

ALTER TABLE tasks
    ALTER COLUMN incident_id DROP NOT NULL,
    ADD COLUMN review_id text REFERENCES policy_reviews (id),
    ADD CONSTRAINT tasks_of_incident_or_review CHECK ((incident_id IS NULL) <> (review_id IS NULL));
CREATE INDEX tasks_review ON tasks (review_id) WHERE review_id IS NOT NULL;

ALTER TABLE answers
    ALTER COLUMN incident_id DROP NOT NULL,
    ADD COLUMN review_id text REFERENCES policy_reviews (id);

ALTER TABLE audit_events ADD COLUMN review_id text REFERENCES policy_reviews (id);
CREATE INDEX audit_events_review ON audit_events (review_id, id) WHERE review_id IS NOT NULL;
