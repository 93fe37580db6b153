"""No personal data leaks: not into Temporal's history, not into any e-mail, not into logs.

And no letter or statement that names a person in the incident is ever sent.
"""

import base64
import contextlib
import json
import logging
from typing import Any

import pytest
from temporalio.testing import WorkflowEnvironment

from domain.roles import Role
from domain.steps import Step, TaskKind
from notifications.catcher import MailCatcher
from regie.service import Refused
from store import answers as answer_store
from store import audit, documents, mail_log
from store.db import Pool
from tests import answers
from tests.drive import complete, eventually, wait_open
from tests.fixtures.world import World, running_worker
from workflows.contracts import CompleteTask, incident_workflow_id
from workflows.incident import IncidentWorkflow
from workflows.refusals import Refusal

SUMMARY = "Melding over Zwaantje in de klassenapp, samenvatting-Y7K"
CANCEL_REASON = "Bleek een misverstand rond Quirijn, reden-P2W"
SECRETS = [
    answers.VICTIM,
    answers.SPREADER,
    answers.SECRET_NOTE,
    answers.GROUP_NAME,
    "Zwaantje",
    "Oosterbroek",
    "Vlasbloem",
    "samenvatting-Y7K",
    "reden-P2W",
]


def decoded_history(history_json: str) -> str:
    """The history as text with every payload decoded, so nothing hides in base64."""
    parts: list[str] = [history_json]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            data = node.get("data")
            if isinstance(data, str) and "metadata" in node:
                with contextlib.suppress(ValueError):
                    parts.append(base64.b64decode(data).decode("utf-8", "replace"))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(history_json))
    return "\n".join(parts)


def assert_clean(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret.casefold() not in text.casefold(), f"{secret!r} leaked into {where}"


async def test_names_and_free_text_never_leave_postgresql(
    dev_env: WorkflowEnvironment,
    pool: Pool,
    mail: MailCatcher,
    world: World,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    comms = world.board_staff[Role.communications]
    async with running_worker(dev_env.client, pool, mail) as h:
        incident_id = await h.service.start_incident(
            school_id=world.school.id, summary=SUMMARY, created_by=None
        )
        await complete(
            h.service,
            incident_id,
            Step.assess,
            answers.assess(media_risk=True, outside_school_involved=True),
        )
        await complete(h.service, incident_id, Step.support, answers.support())
        await complete(h.service, incident_id, Step.report, answers.report())
        await complete(h.service, incident_id, Step.remove, answers.remove())
        await complete(h.service, incident_id, Step.confront, answers.confront())
        await complete(h.service, incident_id, Step.inform, answers.inform())
        await complete(h.service, incident_id, Step.media, answers.media(comms))
        contact = await wait_open(h.service, incident_id, TaskKind.contact_outside_school)
        assert contact.assignee_id is not None
        await h.service.complete_task(
            task_id=contact.task_id,
            actor_id=contact.assignee_id,
            answer=answers.contact_outside_school(),
        )
        await h.service.media_inquiry(
            incident_id=incident_id, actor_id=comms, text=f"Journalist vraagt naar {answers.VICTIM}"
        )
        await complete(h.service, incident_id, Step.evaluate, answers.evaluate())
        await eventually(h.service, incident_id, lambda s: s.status == "closed")

        # A second incident, cancelled with a reason that names someone.
        other = await h.service.start_incident(
            school_id=world.school.id, summary=SUMMARY, created_by=None
        )
        await wait_open(h.service, other, Step.assess)
        await h.service.cancel(incident_id=other, actor_id=None, reason=CANCEL_REASON)
        await eventually(h.service, other, lambda s: s.status == "cancelled")

        for incident in (incident_id, other):
            handle = h.client.get_workflow_handle(incident_workflow_id(incident))
            history = await handle.fetch_history()
            assert_clean(decoded_history(history.to_json()), f"the history of {incident}")

    # The free text is in PostgreSQL, where it belongs (encrypted, store/crypto.py), so the
    # search above could have found it.
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT id FROM answers WHERE incident_id = %s", (incident_id,))
        bodies = [
            json.dumps(await answer_store.get_body(conn, answer_id=str(r["id"])))
            for r in await cur.fetchall()
        ]
        events = await audit.events_of_incident(conn, incident_id=incident_id)
    assert any(answers.SECRET_NOTE in body for body in bodies)
    assert_clean(json.dumps([e.detail for e in events]), "the audit log")

    caught = mail.messages()
    assert len(caught) >= 10
    for message in caught:
        assert_clean(message.subject + message.text + message.html, f"e-mail {message.subject!r}")
    assert_clean("\n".join(r.getMessage() for r in caplog.records), "the logs")


async def test_a_letter_that_names_a_pupil_is_refused(
    dev_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher, world: World
) -> None:
    async with running_worker(dev_env.client, pool, mail) as h:
        incident_id = await h.service.start_incident(
            school_id=world.school.id, summary="test", created_by=None
        )
        await complete(h.service, incident_id, Step.assess, answers.assess(possible_csam=False))
        await complete(h.service, incident_id, Step.support, answers.support())
        inform = await wait_open(h.service, incident_id, Step.inform)
        assert inform.assignee_id is not None
        naming = answers.LETTER + " Het gaat om zwaantje uit klas 2B."

        # At the edge: the service refuses and nothing reaches the workflow.
        with pytest.raises(Refused) as caught:
            await h.service.complete_task(
                task_id=inform.task_id, actor_id=inform.assignee_id, answer=answers.inform(naming)
            )
        assert caught.value.code == Refusal.invalid_answer
        assert "Leerling A" in caught.value.message and "Zwaantje" not in caught.value.message

        # Past the edge (a stored answer sent straight to the workflow), the activity refuses
        # to send it: nothing goes out, the task opens again and its assignee is told.
        async with pool.connection() as conn:
            answer_id = await answer_store.insert_pending(
                conn,
                task_id=inform.task_id,
                incident_id=incident_id,
                kind="inform",
                actor_id=inform.assignee_id,
                body=answers.inform(naming),
            )
        handle = h.client.get_workflow_handle(incident_workflow_id(incident_id))
        await handle.execute_update(
            IncidentWorkflow.complete_task,
            CompleteTask(
                task_id=inform.task_id,
                actor_id=inform.assignee_id,
                answer_id=answer_id,
                outcome={
                    "audiences": ["class_parents"],
                    "culture_and_religion_considered": True,
                    "letters": 1,
                },
            ),
        )
        await mail.wait_for(lambda m: "niet verstuurd" in m.subject, timeout=10)
        reopened = await wait_open(h.service, incident_id, Step.inform)
        assert reopened.task_id == inform.task_id

        async with pool.connection() as conn:
            sent = await mail_log.sent_for_incident(conn, incident_id=incident_id)
            letters = await documents.of_incident(
                conn, incident_id=incident_id, kind="parent_letter"
            )
        kinds = [row["kind"] for row in sent]
        assert "parent_letter" not in kinds
        assert "letter_refused" in kinds
        assert [d["status"] for d in letters] == ["refused"]

        # Rewritten without the name, it goes out.
        await h.service.complete_task(
            task_id=inform.task_id, actor_id=inform.assignee_id, answer=answers.inform()
        )
        await mail.wait_for(lambda m: answers.LETTER[:40] in m.text, timeout=10)
