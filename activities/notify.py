"""Send one e-mail to one staff member, exactly once per idempotency key, as far as SMTP allows.

The mail log row is claimed and locked in the same transaction that marks it sent, so a retry
after a crash either finds it sent (and sends nothing) or finds no committed row (and sends).
That transaction commits the moment the SMTP server has accepted the message, before the
connection's QUIT, so the window in which a crash leaves an accepted e-mail unrecorded is one
database round trip. A database failure in that window (a restart) is remembered in the
process, and the retry records the send instead of repeating it. Only a worker that dies in
that window sends the e-mail twice; the Message-ID is derived from the idempotency key, so the
resend carries the same Message-ID and the receiving side can recognise it.
"""

import hashlib
from datetime import datetime

from activities import metrics
from activities.deps import Deps
from domain.steps import TaskKind, title
from notifications.messages import MessageContext, MessageKind
from notifications.render import Language, render_message
from notifications.smtp import DeliveryError, deliver
from store import directory, incidents, mail_log


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
        staff = await directory.get_staff(conn, staff_id=staff_id)
        incident = (
            await incidents.get_incident(conn, incident_id=incident_id) if incident_id else None
        )
        school_id = incident.school_id if incident else school_id
        if staff is None or school_id is None:
            raise LookupError(f"staff {staff_id} or incident {incident_id} does not exist")
        school = await directory.school_name(conn, school_id=school_id)
        mail_id = await mail_log.claim(
            conn,
            key=key,
            kind=kind.value,
            staff_id=staff_id,
            to_address=staff.email,
            incident_id=incident_id,
            task_id=task_id,
        )
        if mail_id is None:
            return False
        language: Language = "en" if staff.language == "en" else "nl"
        context = MessageContext(
            school_name=school,
            step_title=(
                title(task_kind, language)
                if task_kind
                else (task_title[1] if language == "en" else task_title[0])
                if task_title
                else "Regie"
            ),
            deadline=deadline,
            link=link,
            reference=incident.reference if incident else None,
            escalation_level=escalation_level,
            body=body,
            reason_code=reason_code,
        )
        message = render_message(kind, context, language=language)

        async def record_sent() -> None:
            # Remembered first: if the database fails before the commit (a restart), the
            # retry in this process records the send instead of sending again.
            _ACCEPTED.add(key)
            await mail_log.mark_sent(conn, mail_id=mail_id)
            await conn.commit()
            _ACCEPTED.discard(key)

        if key in _ACCEPTED:
            await record_sent()  # the server took it on an earlier try; only the record failed
            return True
        try:
            await deliver(
                deps.smtp,
                to=staff.email,
                message=message,
                message_id=message_id_for(key),
                on_accepted=record_sent,
            )
        except DeliveryError:
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
