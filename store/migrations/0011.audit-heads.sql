-- depends: 0010.mail-refused
-- Each board's chain end in a row of its own, so appending an audit event takes two
-- statements instead of three (bench/RESULTS.md: round trips are most of what a step costs).
--
-- Before, a writer took the board's advisory lock in one statement and read the chain's end
-- in the next: a statement that reads the end while it waits for the lock reads it as of
-- before the wait. A row lock does not have that problem: an INSERT .. ON CONFLICT DO UPDATE
-- of the board's head row waits for the previous writer and then returns the row as that
-- writer committed it, so locking and reading are one statement (store.audit.record).
--
-- The trigger keeps the head equal to the board's latest event whoever inserts it, so an
-- older replica still appending under the advisory lock during a rolling upgrade cannot leave
-- it behind; if two writers of different versions ever chose the same predecessor, the
-- unique index audit_events_chain_no_fork refuses the second and its activity tries again.
-- The head is a convenience for writers, not evidence: `regie audit verify` walks the events.
CREATE TABLE audit_heads (
    board_id  text PRIMARY KEY REFERENCES boards (id),
    hash      text CHECK (hash ~ '^[0-9a-f]{64}$')  -- NULL: the board has no event yet
);

CREATE FUNCTION audit_heads_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_heads AS h (board_id, hash) VALUES (NEW.board_id, NEW.hash)
    ON CONFLICT (board_id) DO UPDATE SET hash = EXCLUDED.hash;
    RETURN NULL;
END
$$;

-- Created before the backfill: CREATE TRIGGER waits for transactions inserting events and
-- holds off new ones until this migration commits, so the backfill sees every event.
CREATE TRIGGER audit_heads_follow
    AFTER INSERT ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_heads_follow();

INSERT INTO audit_heads (board_id, hash)
SELECT DISTINCT ON (board_id) board_id, hash FROM audit_events ORDER BY board_id, id DESC;
