"""Retention's side effect: erase the personal details of incidents past their term, and
answers that were stored but can never be taken any more."""

from dataclasses import asdict

from temporalio import activity

from activities.deps import Deps
from store import retention
from workflows.contracts import EraseExpired, ErasureReport


class RetentionActivities:
    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    @activity.defn
    async def erase_expired(self, inp: EraseExpired) -> ErasureReport:
        """Idempotent: an incident erased by an earlier attempt is not counted again."""
        async with self._deps.pool.connection() as conn:
            incidents, counts = await retention.erase_expired(conn, now=inp.at, dry_run=inp.dry_run)
            orphans = await retention.discard_orphan_answers(conn, now=inp.at, dry_run=inp.dry_run)
        return ErasureReport(
            dry_run=inp.dry_run, incidents=incidents, orphan_answers=orphans, **asdict(counts)
        )
