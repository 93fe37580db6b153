-- depends: 0011.audit-heads
-- The board's monthly deadline counts (0009), kept by row triggers that fire only for the
-- rows that change a count.
--
-- 0009's statement triggers ran for every statement that wrote tasks, and each built its
-- query as text and had PostgreSQL plan it anew: opening, closing or escalating a task
-- planned a grouped join even when no count changed. On the bench that was 10 ms of the
-- database's CPU per incident, more than the statements themselves (bench/RESULTS.md). Here
-- each trigger's WHEN clause (a plain SQL function, which PostgreSQL inlines) is checked
-- without entering PL/pgSQL, so a task that opens, escalates or is reassigned costs almost
-- nothing; a task that closes (or reopens, or is deleted while counted) adds or takes back
-- one, with a query planned once per connection.
--
-- What counts is unchanged: done and not-applicable tasks of an incident, with a deadline,
-- in the month they closed (the schools' time zone), as met when closed by the deadline and
-- missed after it.

DROP TRIGGER tasks_month_counts_insert ON tasks;
DROP TRIGGER tasks_month_counts_update ON tasks;
DROP TRIGGER tasks_month_counts_delete ON tasks;
DROP FUNCTION board_month_count_deadlines();

-- Adds `sign` (1 or -1) to the month of a counted task; nothing for a task of the yearly
-- review, which has no incident.
CREATE FUNCTION board_month_count_task(
    task_incident text, task_closed_at timestamptz, task_due_at timestamptz, sign integer
) RETURNS void LANGUAGE sql AS $$
    INSERT INTO board_month_counts AS c (board_id, month, deadlines_met, deadlines_missed)
    SELECT i.board_id, board_month_of(task_closed_at),
           CASE WHEN task_closed_at <= task_due_at THEN sign ELSE 0 END,
           CASE WHEN task_closed_at > task_due_at THEN sign ELSE 0 END
    FROM incidents i WHERE i.id = task_incident
    ON CONFLICT (board_id, month) DO UPDATE
        SET deadlines_met = c.deadlines_met + EXCLUDED.deadlines_met,
            deadlines_missed = c.deadlines_missed + EXCLUDED.deadlines_missed
$$;

CREATE FUNCTION board_month_counted(status text, closed_at timestamptz, due_at timestamptz)
    RETURNS boolean LANGUAGE sql IMMUTABLE
    RETURN status IN ('done', 'not_applicable') AND due_at IS NOT NULL
           AND closed_at IS NOT NULL;

CREATE FUNCTION board_month_count_deadline() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND board_month_counted(OLD.status, OLD.closed_at, OLD.due_at) THEN
        PERFORM board_month_count_task(OLD.incident_id, OLD.closed_at, OLD.due_at, -1);
    END IF;
    IF TG_OP <> 'DELETE' AND board_month_counted(NEW.status, NEW.closed_at, NEW.due_at) THEN
        PERFORM board_month_count_task(NEW.incident_id, NEW.closed_at, NEW.due_at, 1);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER tasks_month_counts_insert AFTER INSERT ON tasks
    FOR EACH ROW
    WHEN (board_month_counted(NEW.status, NEW.closed_at, NEW.due_at))
    EXECUTE FUNCTION board_month_count_deadline();

-- Only an update that changes what or where a counted task counts.
CREATE TRIGGER tasks_month_counts_update AFTER UPDATE ON tasks
    FOR EACH ROW
    WHEN (
        (board_month_counted(OLD.status, OLD.closed_at, OLD.due_at)
         OR board_month_counted(NEW.status, NEW.closed_at, NEW.due_at))
        AND (OLD.status, OLD.closed_at, OLD.due_at, OLD.incident_id)
            IS DISTINCT FROM (NEW.status, NEW.closed_at, NEW.due_at, NEW.incident_id)
    )
    EXECUTE FUNCTION board_month_count_deadline();

CREATE TRIGGER tasks_month_counts_delete AFTER DELETE ON tasks
    FOR EACH ROW
    WHEN (board_month_counted(OLD.status, OLD.closed_at, OLD.due_at))
    EXECUTE FUNCTION board_month_count_deadline();
