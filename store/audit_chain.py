"""`regie audit verify`: walk each board's hash chain in id order and name the first break."""

from collections.abc import Callable
from dataclasses import dataclass, field

from domain.audit_hash import BrokenLink, ChainFields, ChainWalker
from store.db import Pool


@dataclass(frozen=True)
class BoardChain:
    board_id: str
    events: int
    broken: BrokenLink | None


@dataclass(frozen=True)
class Verification:
    boards: list[BoardChain] = field(default_factory=list)

    @property
    def events(self) -> int:
        return sum(board.events for board in self.boards)

    @property
    def intact(self) -> bool:
        return all(board.broken is None for board in self.boards)

    @property
    def broken(self) -> list[BrokenLink]:
        return [board.broken for board in self.boards if board.broken is not None]


Progress = Callable[[int, int], None]  # (events checked, events in all)

_BATCH = 2000


async def verify(
    pool: Pool, *, board_id: str | None = None, progress: Progress | None = None
) -> Verification:
    """Recompute every link; each board's chain is read in one snapshot, in batches."""
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT board_id, count(*) AS n FROM audit_events"
            " WHERE %(board)s::text IS NULL OR board_id = %(board)s"
            " GROUP BY board_id ORDER BY board_id",
            {"board": board_id},
        )
        counts = {str(r["board_id"]): int(r["n"]) for r in await cur.fetchall()}
    if board_id is not None and board_id not in counts:
        counts[board_id] = 0
    total = sum(counts.values())
    done = 0
    if progress:
        progress(done, total)
    boards = []
    for board in counts:
        walker = ChainWalker(board)
        async with (
            pool.connection() as conn,
            conn.transaction(),
            conn.cursor(name="audit_chain") as rows,
        ):
            await rows.execute(
                "SELECT id, board_id, incident_id, review_id, task_id, step, kind, actor_id,"
                " detail, at, idempotency_key, prev_hash, hash"
                " FROM audit_events WHERE board_id = %s ORDER BY id",
                (board,),
            )
            while batch := await rows.fetchmany(_BATCH):
                for r in batch:
                    walker.feed(
                        int(r["id"]),
                        r["prev_hash"],
                        r["hash"],
                        ChainFields(
                            board=r["board_id"],
                            incident=r["incident_id"],
                            review=r["review_id"],
                            task=r["task_id"],
                            step=r["step"],
                            kind=r["kind"],
                            actor=r["actor_id"],
                            detail=r["detail"],
                            at=r["at"],
                            key=r["idempotency_key"],
                        ),
                    )
                done += len(batch)
                if progress:
                    progress(done, total)
        boards.append(BoardChain(board, walker.count, walker.broken))
    return Verification(boards)
