-- depends: 0006.hardening
-- Retention: how long a board keeps an incident's personal details after it closes (an
-- ISO-8601 duration, two years by default), and when an incident's details were erased.
-- The incident, its tasks and their times stay, so the statistics keep counting it.

ALTER TABLE boards ADD COLUMN retention text NOT NULL DEFAULT 'P2Y';
ALTER TABLE incidents ADD COLUMN erased_at timestamptz;
