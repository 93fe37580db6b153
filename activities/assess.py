"""Assess: an immediate referral tells the board's safeguarding adviser at once."""

from temporalio import activity

from activities.deps import Deps
from activities.notify import send_to_staff
from domain.steps import TaskKind
from notifications.messages import MessageKind
from store import audit
from workflows.contracts import ReferralAlertInput


class AssessActivities:
    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    @activity.defn
    async def alert_board(self, inp: ReferralAlertInput) -> None:
        async with self._deps.pool.connection() as conn:
            await audit.record(
                conn,
                key=f"board_alerted:{inp.incident_id}",
                kind="board_alerted",
                at=inp.at,
                incident_id=inp.incident_id,
                step="assess",
                detail={"to": inp.recipient_id, "criteria": [c.value for c in inp.criteria]},
            )
        await send_to_staff(
            self._deps,
            key=f"urgent_referral:{inp.incident_id}",
            kind=MessageKind.urgent_referral,
            staff_id=inp.recipient_id,
            incident_id=inp.incident_id,
            task_kind=TaskKind.report,
            link=self._deps.incident_url(inp.incident_id),
        )
