-- depends: 0007.retention
-- Indexes for the incident list, found with the bench (part 4, bench/RESULTS.md).
--
-- The list reads a board's incidents newest first (created_at, then id, for the keyset
-- cursor), with or without a status. Without a status, incidents_board_status cannot give
-- that order, so PostgreSQL read and sorted every incident of the board for each page; with
-- this index a page stops after its rows. The board overview's count per month reads it too.
CREATE INDEX incidents_board_created ON incidents (board_id, created_at DESC, id DESC);

-- School staff other than coordinators and leaders see the incidents in which they hold a
-- task; that check read the whole tasks table (only open tasks had an index by assignee).
CREATE INDEX tasks_assignee ON tasks (assignee_id, incident_id);
