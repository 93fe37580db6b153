"""Send one e-mail to one staff member, exactly once per idempotency key, as far as SMTP allows.

The mail log row is claimed, locked and marked 'sent' in one transaction, which commits the
moment the message's final "." goes to the SMTP server (notifications.smtp.deliver's
`record`), while the server's reply is still on its way; if the server then refuses, the mark
is taken back and the activity fails to be retried. So a retry after a crash finds the e-mail
sent (and sends nothing) unless the worker died within one turn of its event loop after
handing the message over. A database failure in that moment (a restart) is remembered in the
process, and the retry records the send instead of repeating it. What is left, a resend after
a worker death in that instant, carries the same Message-ID (derived from the idempotency
key), so the receiving side can recognise it.
"""

import hashlib
from datetime import datetime

from activities import metrics
from activities.deps import Deps
from domain.steps import TaskKind, title
from notifications.messages import MessageContext, MessageKind
from notifications.render import Language, render_message
from notifications.smtp import DeliveryError, deliver
from store import mail_log


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
) -> bool:
    """Returns False when this e-mail was sent before."""
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

        async def record_sent() -> None:
            # Remembered first: if the database fails before the commit (a restart), the
            # retry in this process records the send instead of sending again.
            _ACCEPTED.add(key)
            await conn.commit()  # one round trip: the row says 'sent' already
            committed.append(True)
            _ACCEPTED.discard(key)

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
        except DeliveryError:
            _ACCEPTED.discard(key)
            if committed:  # the server refused after all: the retry must send it
                await mail_log.unmark_sent(conn, mail_id=to.mail_id)
                await conn.commit()
            metrics.record(metrics.EMAILS_FAILED, task_id=task_id, kind=kind.value)
            raise
        metrics.record(metrics.EMAILS_SENT, task_id=task_id, kind=kind.value)
    return True


# Keys of e-mails the SMTP server accepted from this process whose "sent" record has not
# committed yet. Only a database failure in that moment leaves a key here; the next try of
# the same e-mail in this process then records it without sending it again.
_ACCEPTED: set[str] = set()


def message_id_for(key: str) -> str:
    """The left part of the Message-ID of the e-mail sent under `key`: the same on every try."""
    return hashlib.sha256(key.encode()).hexdigest()[:32]
