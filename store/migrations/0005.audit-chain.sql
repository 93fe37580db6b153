-- depends: 0004.policy-review
-- Tamper evidence: the audit log becomes a hash chain per board. Each event carries the hash
-- of the board's event before it (prev_hash; 64 zeros for the first) and its own hash, the
-- hex SHA-256 of prev_hash followed by the event's canonical JSON (domain/audit_hash.py).
-- `store.audit.record` takes a per-board advisory lock, so a board's chain never forks; the
-- unique index refuses a fork even from a writer that skips the lock. Existing events get
-- their hashes in 0006 (Python, the same canonical form), which then makes them NOT NULL.

ALTER TABLE audit_events
    ADD COLUMN prev_hash text CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
    ADD COLUMN hash text CHECK (hash ~ '^[0-9a-f]{64}$');

CREATE INDEX audit_events_board ON audit_events (board_id, id);

-- Append-only also against TRUNCATE, which row triggers do not see.
CREATE TRIGGER audit_events_no_truncate
    BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
