"""Shared by inform and media: render approved texts, refuse any that names a person, send."""

from dataclasses import dataclass

from temporalio.exceptions import ApplicationError

from activities.deps import Deps
from activities.notify import send_to_staff
from domain.anonymity import persons_named
from domain.forms.support import Audience
from notifications.letters import DocumentKind, render_document
from notifications.messages import MessageKind
from store import audit, directory, documents, incidents
from workflows.contracts import SendDocumentsInput
from workflows.refusals import ActivityFailure


@dataclass(frozen=True)
class Draft:
    key: str
    text: str
    audience: Audience | None


async def check_and_send(
    deps: Deps, inp: SendDocumentsInput, *, kind: DocumentKind, drafts: list[Draft]
) -> None:
    task = inp.task
    async with deps.pool.connection() as conn:
        incident = await incidents.get_incident(conn, incident_id=task.incident_id)
        assert incident is not None
        school = await directory.school_name(conn, school_id=incident.school_id)
        group = [incident.id, *await incidents.linked_ids(conn, incident_id=incident.id)]
        if incident.origin_incident_id:
            group.append(incident.origin_incident_id)
        persons = await incidents.persons(conn, incident_ids=group)
        rendered = [
            (
                draft,
                render_document(
                    kind,
                    text=draft.text,
                    school_name=school,
                    day=inp.at.date(),
                    audience=draft.audience,
                ),
            )
            for draft in drafts
        ]
        named = sorted({label for _, text in rendered for label in persons_named(text, persons)})
        status = "refused" if named else "sent"
        for draft, text in rendered:
            await documents.upsert(
                conn,
                document_id=f"{kind}:{inp.answer_id}:{draft.key}",
                incident_id=task.incident_id,
                task_id=task.task_id,
                kind=kind,
                audience=draft.audience.value if draft.audience else None,
                body=text,
                status=status,
            )
    if named:
        # Committed above: the refused drafts stay on record for the assignee to rewrite.
        raise ApplicationError(
            f"the {kind.replace('_', ' ')} names {len(named)} person(s) in the incident "
            f"({', '.join(named)}); nothing was sent",
            len(named),
            type=ActivityFailure.names_person.value,
            non_retryable=True,
        )
    message = MessageKind.parent_letter if kind == "parent_letter" else MessageKind.media_statement
    for draft, text in rendered:
        await send_to_staff(
            deps,
            key=f"{kind}:{inp.answer_id}:{draft.key}",
            kind=message,
            staff_id=inp.approver_id,
            incident_id=task.incident_id,
            task_id=task.task_id,
            task_kind=task.kind,
            body=text,
        )
    async with deps.pool.connection() as conn:
        await audit.record(
            conn,
            key=f"{kind}_sent:{inp.answer_id}",
            kind=f"{kind}_sent",
            at=inp.at,
            incident_id=task.incident_id,
            task_id=task.task_id,
            step=task.step.value,
            actor_id=inp.approver_id,
            detail={"documents": len(drafts)},
        )
