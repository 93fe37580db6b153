-- depends: 0008.incident-list-indexes
-- The board overview's twelve-month charts, counted as incidents and tasks are written.
--
-- Counting them at read time reads every incident and closed task of the year: with 100,000
-- incidents over two years that is half of both tables, which PostgreSQL rightly reads
-- sequentially (bench part 4, bench/RESULTS.md). Here each statement that inserts incidents,
-- or writes tasks, adds its change to its board's months in the same transaction, so the
-- counts never drift from the rows they count; the overview reads twelve rows per board.
--
-- Months are 'YYYY-MM' in the schools' time zone (store.overview.SCHOOL_TZ): an incident at
-- 00:30 on the 1st counts in that month, not the previous one as in UTC. A task counts in
-- the month it closed, as met when it closed by its deadline, as missed after it; done and
-- not-applicable tasks with a deadline count, cancelled and skipped ones do not. A reopened
-- task leaves its month's count until it closes again.
--
-- A writer that changes a board's month holds that row's lock until it commits. Writers
-- change their rows first and append their audit event (the board's advisory lock) after,
-- so the two locks are always taken in the same order.
CREATE TABLE board_month_counts (
    board_id          text NOT NULL REFERENCES boards (id),
    month             text NOT NULL CHECK (month ~ '^[0-9]{4}-[0-9]{2}$'),
    incidents         integer NOT NULL DEFAULT 0,
    deadlines_met     integer NOT NULL DEFAULT 0,
    deadlines_missed  integer NOT NULL DEFAULT 0,
    PRIMARY KEY (board_id, month)
);

CREATE FUNCTION board_month_of(at timestamptz) RETURNS text
    LANGUAGE sql STABLE STRICT
    RETURN to_char(at AT TIME ZONE 'Europe/Amsterdam', 'YYYY-MM');

CREATE FUNCTION board_month_count_incidents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO board_month_counts AS c (board_id, month, incidents)
    SELECT board_id, board_month_of(created_at), count(*)
    FROM inserted GROUP BY 1, 2
    ON CONFLICT (board_id, month) DO UPDATE SET incidents = c.incidents + EXCLUDED.incidents;
    RETURN NULL;
END
$$;

CREATE TRIGGER incidents_month_counts AFTER INSERT ON incidents
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION board_month_count_incidents();

-- One function for the three task triggers. A transition table exists only for the events
-- its trigger names, so the rows to count (with +1 for after, -1 for before) are chosen by
-- the event before the one statement that adds them up.
CREATE FUNCTION board_month_count_deadlines() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changes text := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT *, 1 AS sign FROM after_rows'
        WHEN 'DELETE' THEN 'SELECT *, -1 AS sign FROM before_rows'
        ELSE 'SELECT *, 1 AS sign FROM after_rows UNION ALL SELECT *, -1 FROM before_rows'
    END;
BEGIN
    EXECUTE format($sql$
        INSERT INTO board_month_counts AS c (board_id, month, deadlines_met, deadlines_missed)
        SELECT i.board_id, board_month_of(t.closed_at),
               coalesce(sum(t.sign) FILTER (WHERE t.closed_at <= t.due_at), 0),
               coalesce(sum(t.sign) FILTER (WHERE t.closed_at > t.due_at), 0)
        FROM (%s) t
        JOIN incidents i ON i.id = t.incident_id
        WHERE t.status IN ('done', 'not_applicable')
          AND t.due_at IS NOT NULL AND t.closed_at IS NOT NULL
        GROUP BY 1, 2
        -- An update that leaves a task's count as it was (a +1 and a -1) writes nothing.
        HAVING coalesce(sum(t.sign) FILTER (WHERE t.closed_at <= t.due_at), 0) <> 0
            OR coalesce(sum(t.sign) FILTER (WHERE t.closed_at > t.due_at), 0) <> 0
        ON CONFLICT (board_id, month) DO UPDATE
            SET deadlines_met = c.deadlines_met + EXCLUDED.deadlines_met,
                deadlines_missed = c.deadlines_missed + EXCLUDED.deadlines_missed
    $sql$, changes);
    RETURN NULL;
END
$$;

CREATE TRIGGER tasks_month_counts_insert AFTER INSERT ON tasks
    REFERENCING NEW TABLE AS after_rows
    FOR EACH STATEMENT EXECUTE FUNCTION board_month_count_deadlines();
CREATE TRIGGER tasks_month_counts_update AFTER UPDATE ON tasks
    REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows
    FOR EACH STATEMENT EXECUTE FUNCTION board_month_count_deadlines();
CREATE TRIGGER tasks_month_counts_delete AFTER DELETE ON tasks
    REFERENCING OLD TABLE AS before_rows
    FOR EACH STATEMENT EXECUTE FUNCTION board_month_count_deadlines();

-- What is there already.
INSERT INTO board_month_counts (board_id, month, incidents, deadlines_met, deadlines_missed)
SELECT board_id, month, sum(incidents), sum(met), sum(missed)
FROM (
    SELECT board_id, board_month_of(created_at) AS month, count(*) AS incidents,
           0 AS met, 0 AS missed
    FROM incidents GROUP BY 1, 2
    UNION ALL
    SELECT i.board_id, board_month_of(t.closed_at), 0,
           count(*) FILTER (WHERE t.closed_at <= t.due_at),
           count(*) FILTER (WHERE t.closed_at > t.due_at)
    FROM tasks t JOIN incidents i ON i.id = t.incident_id
    WHERE t.status IN ('done', 'not_applicable')
      AND t.due_at IS NOT NULL AND t.closed_at IS NOT NULL
    GROUP BY 1, 2
) counted
GROUP BY board_id, month;
