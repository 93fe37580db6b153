-- The directory (boards, schools, staff and roles), incidents and their persons, the task read
-- model, answers and documents, lessons, the append-only audit log and the mail log.

CREATE TABLE boards (
    id          text PRIMARY KEY,
    name        text NOT NULL,
    deadlines   jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE schools (
    id          text PRIMARY KEY,
    board_id    text NOT NULL REFERENCES boards (id),
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX schools_board ON schools (board_id);

CREATE TABLE staff (
    id          text PRIMARY KEY,
    board_id    text NOT NULL REFERENCES boards (id),
    name        text NOT NULL,
    email       text NOT NULL,
    language    text NOT NULL DEFAULT 'nl' CHECK (language IN ('nl', 'en')),
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX staff_email ON staff (lower(email));
CREATE INDEX staff_board ON staff (board_id);

-- school_id NULL: a role at the board's trust office, valid for all its schools.
CREATE TABLE staff_roles (
    staff_id    text NOT NULL REFERENCES staff (id),
    role        text NOT NULL,
    school_id   text REFERENCES schools (id),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX staff_roles_unique ON staff_roles (staff_id, role, coalesce(school_id, ''));
CREATE INDEX staff_roles_school ON staff_roles (school_id, role);

CREATE SEQUENCE incident_reference_seq;

CREATE TABLE incidents (
    id                  text PRIMARY KEY,
    reference           text NOT NULL UNIQUE,
    board_id            text NOT NULL REFERENCES boards (id),
    school_id           text NOT NULL REFERENCES schools (id),
    status              text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'cancelled')),
    summary             text NOT NULL DEFAULT '',
    origin_incident_id  text REFERENCES incidents (id),
    created_by          text REFERENCES staff (id),
    created_at          timestamptz NOT NULL DEFAULT now(),
    closed_at           timestamptz
);
CREATE INDEX incidents_school_status ON incidents (school_id, status, created_at DESC);
CREATE INDEX incidents_board_status ON incidents (board_id, status, created_at DESC);
CREATE UNIQUE INDEX incidents_one_link_per_school
    ON incidents (origin_incident_id, school_id) WHERE origin_incident_id IS NOT NULL;

CREATE TABLE incident_links (
    incident_id         text NOT NULL REFERENCES incidents (id),
    linked_incident_id  text NOT NULL REFERENCES incidents (id),
    PRIMARY KEY (incident_id, linked_incident_id)
);

-- The label ("Leerling A") is what letters, pages and logs may show; the name stays here.
CREATE TABLE incident_persons (
    id            text PRIMARY KEY,
    incident_id   text NOT NULL REFERENCES incidents (id),
    role          text NOT NULL CHECK (role IN ('victim', 'maker', 'spreader', 'recipient', 'bystander')),
    label         text NOT NULL,
    name          text NOT NULL,
    is_our_pupil  boolean NOT NULL DEFAULT true,
    answer_id     text,  -- the assessment that named them; gone again if it is refused
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (incident_id, label)
);

CREATE TABLE tasks (
    id                text PRIMARY KEY,
    incident_id       text NOT NULL REFERENCES incidents (id),
    step              text NOT NULL,
    kind              text NOT NULL,
    assignee_id       text REFERENCES staff (id),
    status            text NOT NULL CHECK (status IN ('waiting', 'open', 'done', 'not_applicable',
                                                      'skipped', 'cancelled')),
    urgent            boolean NOT NULL DEFAULT false,
    opened_at         timestamptz,
    due_at            timestamptz,
    closed_at         timestamptz,
    escalation_level  integer NOT NULL DEFAULT 0,
    reminded_at       timestamptz,
    assignment        integer NOT NULL DEFAULT 1,
    answer_id         text
);
CREATE INDEX tasks_incident ON tasks (incident_id);
CREATE INDEX tasks_assignee_open ON tasks (assignee_id, due_at) WHERE status = 'open';

-- A person's full answer to a task, names and free text included. 'pending' until the
-- workflow accepted it; a refused answer is deleted again.
CREATE TABLE answers (
    id           text PRIMARY KEY,
    task_id      text NOT NULL REFERENCES tasks (id),
    incident_id  text NOT NULL REFERENCES incidents (id),
    kind         text NOT NULL,
    actor_id     text NOT NULL REFERENCES staff (id),
    body         jsonb NOT NULL,
    status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted')),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX answers_task ON answers (task_id);

-- Free text that goes with a signal or update: a reason, an inquiry, new information.
CREATE TABLE notes (
    id           text PRIMARY KEY,
    incident_id  text NOT NULL REFERENCES incidents (id),
    task_id      text REFERENCES tasks (id),
    kind         text NOT NULL,
    actor_id     text REFERENCES staff (id),
    body         text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notes_incident ON notes (incident_id);

-- Texts Regie prepares or sends: the report hand-off, parent letters, media statements.
CREATE TABLE documents (
    id           text PRIMARY KEY,
    incident_id  text NOT NULL REFERENCES incidents (id),
    task_id      text REFERENCES tasks (id),
    kind         text NOT NULL CHECK (kind IN ('report_handoff', 'parent_letter', 'media_statement')),
    audience     text,
    body         text NOT NULL,
    status       text NOT NULL CHECK (status IN ('prepared', 'sent', 'refused')),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX documents_incident ON documents (incident_id);

-- What an evaluation taught, read by the school's next yearly policy review.
CREATE TABLE lessons (
    incident_id           text PRIMARY KEY REFERENCES incidents (id),
    school_id             text NOT NULL REFERENCES schools (id),
    board_id              text NOT NULL REFERENCES boards (id),
    went_well             text NOT NULL,
    can_be_better         text NOT NULL,
    policy_change_needed  boolean NOT NULL,
    policy_change         text NOT NULL DEFAULT '',
    created_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX lessons_school ON lessons (school_id, created_at);

-- Append-only: who did what, when, at which step. No personal data in `detail`.
CREATE TABLE audit_events (
    id               bigserial PRIMARY KEY,
    board_id         text NOT NULL REFERENCES boards (id),
    incident_id      text REFERENCES incidents (id),
    task_id          text,
    step             text,
    kind             text NOT NULL,
    actor_id         text,
    detail           jsonb NOT NULL DEFAULT '{}'::jsonb,
    idempotency_key  text NOT NULL UNIQUE,
    at               timestamptz NOT NULL
);
CREATE INDEX audit_events_incident ON audit_events (incident_id, id);

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP;
END;
$$;
CREATE TRIGGER audit_events_append_only
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

-- One row per e-mail Regie means to send; the key makes a retried activity send it once.
CREATE TABLE mail_log (
    id               text PRIMARY KEY,
    idempotency_key  text NOT NULL UNIQUE,
    kind             text NOT NULL,
    staff_id         text REFERENCES staff (id),
    to_address       text NOT NULL,
    incident_id      text REFERENCES incidents (id),
    task_id          text,
    status           text NOT NULL CHECK (status IN ('sending', 'sent')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz
);
CREATE INDEX mail_log_incident ON mail_log (incident_id);
