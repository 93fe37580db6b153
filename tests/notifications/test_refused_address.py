"""An address the mail server refuses for good is not retried: it is logged and audited as
refused, and someone at the school who can act is told, once per person and incident.

A real aiosmtpd server (the catcher) answers the mistyped address with 550, as a real relay
answers a mailbox that does not exist.
"""

from datetime import UTC, datetime, timedelta

import pytest

from activities import notify
from domain.roles import Role
from domain.steps import TaskKind
from notifications.catcher import MailCatcher
from notifications.messages import MessageKind
from notifications.smtp import DeliveryError
from store import audit, incidents, mail_log
from store.db import Pool
from tests.fixtures.world import BASE_URL, World, make_deps

DEADLINE = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def _incident(pool: Pool, world: World) -> str:
    async with pool.connection() as conn:
        created = await incidents.create_incident(
            conn, school_id=world.school.id, summary="Beelden gedeeld", created_by=None
        )
    return created.id


async def _send(
    pool: Pool, mail: MailCatcher, *, key: str, staff_id: str, incident_id: str
) -> bool:
    return await notify.send_to_staff(
        make_deps(pool, mail),
        key=key,
        kind=MessageKind.task_assigned,
        staff_id=staff_id,
        incident_id=incident_id,
        task_id=f"{incident_id}-assess",
        task_kind=TaskKind.assess,
        deadline=DEADLINE,
        link=f"{BASE_URL}/t/abc",
    )


async def test_a_refused_address_is_recorded_and_the_school_leader_is_told_once(
    pool: Pool, mail: MailCatcher, world: World
) -> None:
    incident_id = await _incident(pool, world)
    coordinator = world.school.staff[Role.coordinator]
    leader = world.school.staff[Role.school_leader]
    mail.refuse(world.emails[coordinator])

    # Returns instead of raising: the activity completes rather than retrying for ever.
    assert not await _send(
        pool, mail, key="assigned:1", staff_id=coordinator, incident_id=incident_id
    )
    # The same person's next e-mail in this incident (a reminder) is refused as well.
    assert not await _send(
        pool, mail, key="reminder:1", staff_id=coordinator, incident_id=incident_id
    )

    assert mail.refusals(world.emails[coordinator]) == 2  # each e-mail asked once, not retried
    async with pool.connection() as conn:
        logged = await mail_log.sent_for_incident(conn, incident_id=incident_id)
        events = await audit.events_of_incident(conn, incident_id=incident_id)
    by_key = {row["idempotency_key"]: row for row in logged}
    assert by_key["assigned:1"]["status"] == "refused"
    assert by_key["reminder:1"]["status"] == "refused"
    refusals = [e for e in events if e.kind == "email_refused"]
    assert [e.detail for e in refusals] == [
        {"kind": "task_assigned", "to": coordinator},
        {"kind": "task_assigned", "to": coordinator},
    ]
    assert all(e.task_id == f"{incident_id}-assess" for e in refusals)

    # One notice for the school leader, not one per refused e-mail.
    [notice] = await mail.wait_for(lambda m: world.emails[leader] in m.to)
    assert by_key[f"email_refused:{incident_id}:{coordinator}"]["staff_id"] == leader
    assert notice.subject.startswith("E-mail niet bezorgd: ")
    assert world.school.name in notice.subject
    assert f"{BASE_URL}/incidents/{incident_id}" in notice.links
    assert "1 december 2026" in notice.text  # the step's deadline, so the urgency shows
    # The notice names no address: the incident page shows who has the task.
    assert world.emails[coordinator] not in notice.text + notice.html
    assert len(mail.messages()) == 1


async def test_when_the_school_leader_is_unreachable_the_coordinator_hears(
    pool: Pool, mail: MailCatcher, world: World
) -> None:
    incident_id = await _incident(pool, world)
    leader = world.school.staff[Role.school_leader]
    coordinator = world.school.staff[Role.coordinator]
    mail.refuse(world.emails[leader])

    assert not await _send(pool, mail, key="assigned:2", staff_id=leader, incident_id=incident_id)

    [notice] = await mail.wait_for(lambda m: world.emails[coordinator] in m.to)
    assert notice.subject.startswith("E-mail niet bezorgd: ")


async def test_a_refused_notice_is_not_passed_on_again(
    pool: Pool, mail: MailCatcher, world: World
) -> None:
    incident_id = await _incident(pool, world)
    coordinator = world.school.staff[Role.coordinator]
    leader = world.school.staff[Role.school_leader]
    mail.refuse(world.emails[coordinator])
    mail.refuse(world.emails[leader])

    assert not await _send(
        pool, mail, key="assigned:3", staff_id=coordinator, incident_id=incident_id
    )

    assert mail.refusals(world.emails[leader]) == 1
    assert mail.messages() == []
    async with pool.connection() as conn:
        logged = await mail_log.sent_for_incident(conn, incident_id=incident_id)
    assert sorted(str(row["status"]) for row in logged) == ["refused", "refused"]


async def test_a_refused_email_tried_again_goes_out_once_the_address_is_put_right(
    pool: Pool, mail: MailCatcher, world: World
) -> None:
    incident_id = await _incident(pool, world)
    coordinator = world.school.staff[Role.coordinator]
    mail.refuse(world.emails[coordinator])
    assert not await _send(
        pool, mail, key="assigned:4", staff_id=coordinator, incident_id=incident_id
    )

    mail.clear()  # accepts every address again, as after the directory was corrected
    assert await _send(pool, mail, key="assigned:4", staff_id=coordinator, incident_id=incident_id)
    await mail.wait_for(lambda m: world.emails[coordinator] in m.to)


async def test_a_server_that_is_down_is_still_retried(
    pool: Pool, mail: MailCatcher, world: World
) -> None:
    # Nothing about an address is known when the server cannot be reached: keep trying.
    incident_id = await _incident(pool, world)
    deps = make_deps(pool, mail)
    closed = type(deps.smtp)(host="127.0.0.1", port=1)
    with pytest.raises(DeliveryError) as caught:
        await notify.send_to_staff(
            type(deps)(pool=pool, smtp=closed, base_url=BASE_URL, secret_key=deps.secret_key),
            key="assigned:5",
            kind=MessageKind.task_assigned,
            staff_id=world.school.staff[Role.coordinator],
            incident_id=incident_id,
            task_kind=TaskKind.assess,
            deadline=DEADLINE + timedelta(days=1),
            link=f"{BASE_URL}/t/abc",
        )
    assert not caught.value.address_refused
    async with pool.connection() as conn:
        logged = await mail_log.sent_for_incident(conn, incident_id=incident_id)
        events = await audit.events_of_incident(conn, incident_id=incident_id)
    assert [row["status"] for row in logged] == []  # rolled back: the retry claims it anew
    assert not [e for e in events if e.kind == "email_refused"]


async def test_a_refused_mail_outside_an_incident_is_told_with_a_link_to_regie(
    pool: Pool, mail: MailCatcher, world: World
) -> None:
    # The yearly policy review's e-mails belong to a school, not to an incident.
    leader = world.school.staff[Role.school_leader]
    coordinator = world.school.staff[Role.coordinator]
    mail.refuse(world.emails[leader])

    sent = await notify.send_to_staff(
        make_deps(pool, mail),
        key="review_assigned:6",
        kind=MessageKind.task_assigned,
        staff_id=leader,
        incident_id=None,
        school_id=world.school.id,
        task_kind=None,
        task_title=("Jaarlijkse evaluatie van het beleid", "Yearly policy review"),
        link=f"{BASE_URL}/t/review",
    )

    assert not sent
    [notice] = await mail.wait_for(lambda m: world.emails[coordinator] in m.to)
    assert "Jaarlijkse evaluatie van het beleid" in notice.subject
    assert notice.links == [BASE_URL]
    assert "Open Regie" in notice.html
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT board_id, incident_id, detail FROM audit_events WHERE idempotency_key = %s",
            ("email_refused:review_assigned:6",),
        )
        [event] = await cur.fetchall()
    assert event == {
        "board_id": world.board_id,
        "incident_id": None,
        "detail": {"kind": "task_assigned", "to": leader},
    }
