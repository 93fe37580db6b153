"""The mail log says 'sent' as the message leaves, before the server's reply: and takes it back
when the server refuses, so the retry sends. A real aiosmtpd server judges each message."""

import asyncio
import dataclasses
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from activities import notify
from domain.roles import Role
from domain.steps import TaskKind
from notifications.catcher import MailCatcher, _AnyPortController
from notifications.messages import MessageKind
from notifications.smtp import DeliveryError, SmtpSettings
from store.db import Pool
from tests.fixtures.world import World, make_deps


class Judge:
    """Looks the mail log up (committed rows only) before it answers, then answers as told."""

    def __init__(self, database_url: str, key: str) -> None:
        self.database_url = database_url
        self.key = key
        self.answers = ["451 4.3.0 try again later", "250 OK"]
        self.seen_status: list[str | None] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        # The worker's commit travels beside the final "."; give it a moment to land.
        deadline = time.monotonic() + 2
        status = None
        while time.monotonic() < deadline:
            async with await psycopg.AsyncConnection.connect(self.database_url) as conn:
                cur = await conn.execute(
                    "SELECT status FROM mail_log WHERE idempotency_key = %s", (self.key,)
                )
                row = await cur.fetchone()
            status = row[0] if row else None
            if status == "sent":
                break
            await asyncio.sleep(0.02)
        self.seen_status.append(status)
        return self.answers.pop(0)


@pytest.fixture
def judge(database_url: str, world: World) -> Iterator[tuple[Judge, int]]:
    made = Judge(database_url, f"task_assigned:judged-{world.tag}:1")
    controller = _AnyPortController(made, hostname="127.0.0.1", port=0)
    controller.start()
    try:
        yield made, int(controller.port)
    finally:
        controller.stop()


async def test_sent_is_committed_before_the_reply_and_taken_back_on_a_refusal(
    pool: Pool, mail: MailCatcher, world: World, judge: tuple[Judge, int]
) -> None:
    server, port = judge
    deps = dataclasses.replace(
        make_deps(pool, mail), smtp=SmtpSettings(host="127.0.0.1", port=port)
    )

    async def send() -> bool:
        return await notify.send_to_staff(
            deps,
            key=server.key,
            kind=MessageKind.task_assigned,
            staff_id=world.school.staff[Role.coordinator],
            incident_id=None,
            school_id=world.school.id,
            task_kind=TaskKind.assess,
            link="http://regie.test/t/z",
        )

    with pytest.raises(DeliveryError) as refused:
        await send()
    assert not refused.value.permanent  # 4xx: the activity tries again
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT status FROM mail_log WHERE idempotency_key = %s", (server.key,)
        )
        assert [r["status"] for r in await cur.fetchall()] == ["sending"]
    assert await send() is True
    assert await send() is False
    # Both times the server saw 'sent' committed before it answered.
    assert server.seen_status == ["sent", "sent"]
