"""A coordinator whose e-mail address the mail server refuses does not hold up the incident.

Before, the opening's e-mail was retried for ever: the assessment's answer waited for that
opening, so no later step ever opened. Now the refusal is recorded, the school leader is told,
and the incident goes on.
"""

from temporalio.testing import WorkflowEnvironment

from domain.roles import Role
from domain.steps import Step
from notifications.catcher import MailCatcher
from store import audit, mail_log
from store.db import Pool
from tests import answers
from tests.drive import complete, wait_open
from tests.fixtures.world import World, running_worker


async def test_an_unreachable_coordinator_is_reported_and_the_incident_goes_on(
    dev_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher, world: World
) -> None:
    coordinator = world.school.staff[Role.coordinator]
    leader = world.school.staff[Role.school_leader]
    mail.refuse(world.emails[coordinator])
    async with running_worker(dev_env.client, pool, mail) as h:
        incident_id = await h.service.start_incident(
            school_id=world.school.id, summary="Beelden in een appgroep", created_by=None
        )
        [notice] = await mail.wait_for(
            lambda m: world.emails[leader] in m.to and m.subject.startswith("E-mail niet")
        )
        assert f"/incidents/{incident_id}" in " ".join(notice.links)

        # The coordinator hears it in the corridor and answers on the web page.
        assess = await complete(h.service, incident_id, Step.assess, answers.assess())
        assert assess.assignee_id == coordinator
        # The steps after the assessment open: the incident was not held up.
        confront = await wait_open(h.service, incident_id, Step.confront)
        assert confront.assignee_id == leader

    async with pool.connection() as conn:
        logged = await mail_log.sent_for_incident(conn, incident_id=incident_id)
        events = await audit.events_of_incident(conn, incident_id=incident_id)
    by_key = {r["idempotency_key"]: r for r in logged}
    assert by_key[f"task_assigned:{assess.task_id}:1"]["status"] == "refused"
    assert by_key[f"email_refused:{incident_id}:{coordinator}"]["staff_id"] == leader
    assert by_key[f"email_refused:{incident_id}:{coordinator}"]["status"] == "sent"
    # The refusal is in the incident's audit trail, with whose address it was.
    assess_refusals = [
        e for e in events if e.kind == "email_refused" and e.task_id == assess.task_id
    ]
    assert [e.detail for e in assess_refusals] == [{"kind": "task_assigned", "to": coordinator}]
    # One notice per person and incident, however many of their e-mails were refused.
    assert sum(1 for r in logged if r["kind"] == "email_refused") == 1
