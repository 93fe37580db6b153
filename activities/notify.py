"""Send one e-mail to one staff member, exactly once per idempotency key, as far as SMTP allows.

The mail log row is claimed, locked and marked 'sent' in one transaction, which commits the
moment the message's final "." goes to the SMTP server (notifications.smtp.deliver's
`record`), while the server's reply is still on its way; if the server then refuses, the mark
is taken back and the activity fails to be retried. So a retry after a crash finds the e-mail
sent (and sends nothing) unless the worker died between handing the message's end and the
COMMIT to the network: two system calls, one right after the other (`store.db.commit_now`).
A database failure in that moment (a restart) is remembered in the process, and the retry
records the send instead of repeating it. What is left, a resend after a worker death in that
instant, carries the same Message-ID (derived from the idempotency key), so the receiving
side can recognise it.

An address the server refuses for good (a 5xx to the recipient) is not retried: the row says
'refused', the audit trail records it, and someone at the school who can reassign the task
and get the address put right is told (`domain.roles.pick_unreachable_watcher`). Retrying
would never end, and the opening that waits for this e-mail would hold up the incident.
"""

import hashlib
from collections.abc import Awaitable
from datetime import UTC, datetime

from activities import metrics
from activities.deps import Deps
from domain.roles import pick_unreachable_watcher
from domain.steps import TaskKind, title
from notifications.messages import MessageContext, MessageKind
from notifications.render import Language, render_message
from notifications.smtp import DeliveryError, deliver
from store import audit, directory, mail_log
from store.db import commit_now
from store.directory import Conn
from store.mail_log import Claim


async def send_to_staff(
    deps: Deps,
    *,
    key: str,
    kind: MessageKind,
    staff_id: str,
    incident_id: str | None,
    task_kind: TaskKind | None,
    task_id: str | None = None,
    school_id: str | None = None,
    task_title: tuple[str, str] | None = None,
    deadline: datetime | None = None,
    link: str | None = None,
    body: str | None = None,
    escalation_level: int = 0,
    reason_code: str | None = None,
    tell_if_refused: bool = True,
) -> bool:
    """Returns True when the e-mail left now; False when it was sent before, or when the
    server refused the address for good (then, with `tell_if_refused`, someone is told)."""
    refused: Claim | None = None
    async with deps.pool.connection() as conn:
        # Written as 'sent' before sending and committed as the message leaves (deliver's
        # `record`), so a crash in the moment the server accepts it almost never leaves it
        # unrecorded.
        to = await mail_log.claim_as_sent(
            conn,
            key=key,
            kind=kind.value,
            staff_id=staff_id,
            incident_id=incident_id,
            school_id=school_id,
            task_id=task_id,
        )
        if to is None:
            raise LookupError(
                f"staff {staff_id}, incident {incident_id} or school {school_id} does not exist"
            )
        if to.mail_id is None:
            return False
        language: Language = "en" if to.language == "en" else "nl"
        context = MessageContext(
            school_name=to.school_name,
            step_title=(
                title(task_kind, language)
                if task_kind
                else (task_title[1] if language == "en" else task_title[0])
                if task_title
                else "Regie"
            ),
            deadline=deadline,
            link=link,
            reference=to.reference,
            escalation_level=escalation_level,
            body=body,
            reason_code=reason_code,
        )
        message = render_message(kind, context, language=language)

        committed: list[bool] = []

        def record_sent() -> Awaitable[None]:
            # Remembered first: if the database fails before the commit (a restart), the
            # retry in this process records the send instead of sending again. Then the
            # COMMIT goes on the socket before this returns: deliver calls it right after
            # handing the final "." to the network, so both leave in the same moment.
            _ACCEPTED.add(key)
            commit = commit_now(conn)  # one round trip: the row says 'sent' already

            async def recorded() -> None:
                await commit
                committed.append(True)
                _ACCEPTED.discard(key)

            return recorded()

        if key in _ACCEPTED:
            await record_sent()  # the server took it on an earlier try; only the record failed
            return True
        try:
            await deliver(
                deps.smtp,
                to=to.email,
                message=message,
                message_id=message_id_for(key),
                record=record_sent,
                connections=deps.smtp_connections,
            )
        except DeliveryError as error:
            _ACCEPTED.discard(key)
            if error.address_refused:
                await _record_refusal(
                    conn, to, key=key, kind=kind, staff_id=staff_id, incident_id=incident_id,
                    task_id=task_id,
                )  # fmt: skip
                refused = to
            else:
                if committed:  # the server refused after all: the retry must send it
                    await mail_log.unmark_sent(conn, mail_id=to.mail_id)
                    await conn.commit()
                metrics.record(metrics.EMAILS_FAILED, task_id=task_id, kind=kind.value)
                raise
        else:
            metrics.record(metrics.EMAILS_SENT, task_id=task_id, kind=kind.value)
    if refused is None:
        return True
    if tell_if_refused:
        await _tell_about_refusal(
            deps, refused, staff_id=staff_id, incident_id=incident_id, task_id=task_id,
            task_kind=task_kind, task_title=task_title, deadline=deadline,
        )  # fmt: skip
    return False


async def _record_refusal(
    conn: Conn,
    to: Claim,
    *,
    key: str,
    kind: MessageKind,
    staff_id: str,
    incident_id: str | None,
    task_id: str | None,
) -> None:
    assert to.mail_id is not None
    # One transaction: the log row and the audit event say 'refused' together or not at all.
    await mail_log.mark_refused(conn, mail_id=to.mail_id)
    await audit.record(
        conn,
        key=f"email_refused:{key}",
        kind="email_refused",
        at=datetime.now(UTC),
        incident_id=incident_id,
        board_id=to.board_id,
        task_id=task_id,
        detail={"kind": kind.value, "to": staff_id},
    )
    await conn.commit()
    metrics.record(metrics.EMAILS_REFUSED, task_id=task_id, kind=kind.value)


async def _tell_about_refusal(
    deps: Deps,
    refused: Claim,
    *,
    staff_id: str,
    incident_id: str | None,
    task_id: str | None,
    task_kind: TaskKind | None,
    task_title: tuple[str, str] | None,
    deadline: datetime | None,
) -> None:
    async with deps.pool.connection() as conn:
        holders = await directory.role_holders(conn, school_id=refused.school_id)
    watcher = pick_unreachable_watcher(staff_id, holders)
    if watcher is None:
        return  # the audit event and the metric are all there is to go on
    about = incident_id or f"school:{refused.school_id}"
    await send_to_staff(
        deps,
        # Once per unreachable person and incident: their next reminder adds nothing new.
        key=f"email_refused:{about}:{staff_id}",
        kind=MessageKind.email_refused,
        staff_id=watcher,
        incident_id=incident_id,
        school_id=refused.school_id,
        task_id=task_id,
        task_kind=task_kind,
        task_title=task_title,
        deadline=deadline,
        link=deps.incident_url(incident_id) if incident_id else deps.base_url,
        tell_if_refused=False,
    )


# Keys of e-mails the SMTP server accepted from this process whose "sent" record has not
# committed yet. Only a database failure in that moment leaves a key here; the next try of
# the same e-mail in this process then records it without sending it again.
_ACCEPTED: set[str] = set()


def message_id_for(key: str) -> str:
    """The left part of the Message-ID of the e-mail sent under `key`: the same on every try."""
    return hashlib.sha256(key.encode()).hexdigest()[:32]
