"""The one window where an e-mail can go out twice, and what makes the resend recognisable.

If the worker dies after the SMTP server accepted an e-mail but before the mail log row is
committed as sent, the row rolls back and the retried activity sends again. That resend is
real (the first test shows it arriving twice); what we can give the receiver is the same
Message-ID on both, derived from the idempotency key rather than the row id. A worker that
lives on (the database failed in that moment, not the worker) records the send on the retry
instead of repeating it (the second test).
"""

from collections.abc import Awaitable, Callable

import pytest

from activities import notify
from domain.roles import Role
from domain.steps import TaskKind
from notifications.catcher import MailCatcher
from notifications.messages import MessageKind
from store.db import Pool
from tests.fixtures.world import World, make_deps


class CommitFailed(Exception):
    """Stands in for what ends a send between the server's "250" and the mail log's commit."""


def _sender(
    pool: Pool, mail: MailCatcher, world: World, role: Role, key: str
) -> Callable[[], Awaitable[bool]]:
    deps = make_deps(pool, mail)

    async def send() -> bool:
        return await notify.send_to_staff(
            deps,
            key=key,
            kind=MessageKind.task_assigned,
            staff_id=world.school.staff[role],
            incident_id=None,
            school_id=world.school.id,
            task_kind=TaskKind.assess,
            link="http://regie.test/t/x",
        )

    return send


def _commit_fails(monkeypatch: pytest.MonkeyPatch, why: str) -> None:
    # The only commit of a send is the one that leaves with the message's final ".".
    def fail(conn: object) -> Awaitable[None]:
        async def failed() -> None:
            raise CommitFailed(why)

        return failed()

    monkeypatch.setattr(notify, "commit_now", fail)


async def test_a_resend_after_a_crash_before_commit_carries_the_same_message_id(
    pool: Pool, mail: MailCatcher, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff_id = world.school.staff[Role.coordinator]
    key = f"task_assigned:crash-window-{world.tag}:1"
    send = _sender(pool, mail, world, Role.coordinator, key)

    with monkeypatch.context() as patched:
        _commit_fails(patched, "the worker died between the SMTP server's 250 and our commit")
        with pytest.raises(CommitFailed):
            await send()
    notify._ACCEPTED.clear()  # a dead worker's memory goes with it
    assert await send() is True  # the retry: no committed row, so it sends again
    assert await send() is False  # and after a committed 'sent', never again

    received = await mail.wait_for(lambda m: world.emails[staff_id] in m.to, count=2)
    assert len(received) == 2
    assert received[0].message_id == received[1].message_id
    assert received[0].message_id == f"<{notify.message_id_for(key)}@regie>"


async def test_a_database_failure_after_the_server_accepted_does_not_send_again(
    pool: Pool, mail: MailCatcher, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff_id = world.school.staff[Role.support]
    key = f"task_assigned:db-window-{world.tag}:1"
    send = _sender(pool, mail, world, Role.support, key)

    with monkeypatch.context() as patched:
        _commit_fails(patched, "terminating connection due to administrator command")
        with pytest.raises(CommitFailed):
            await send()
    assert await send() is True  # the retry records the send it made before
    assert await send() is False
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT status FROM mail_log WHERE idempotency_key = %s", (key,))
        assert [r["status"] for r in await cur.fetchall()] == ["sent"]
    received = await mail.wait_for(lambda m: world.emails[staff_id] in m.to, count=1)
    assert len(received) == 1
    assert key not in notify._ACCEPTED
