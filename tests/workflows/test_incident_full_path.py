"""The full path of a possible-CSAM incident with a URL, end to end on the dev server."""

from temporalio.testing import WorkflowEnvironment

from domain.plan import StepStatus
from domain.roles import Role
from domain.steps import Step, TaskKind
from notifications.catcher import MailCatcher
from store import audit, tasks
from store.db import Pool
from tests import answers
from tests.drive import complete, eventually, wait_open
from tests.fixtures.world import World, running_worker
from workflows.contracts import incident_workflow_id
from workflows.incident import IncidentWorkflow


async def test_csam_with_url_runs_every_step_in_order(
    dev_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher, world: World
) -> None:
    school = world.school
    async with running_worker(dev_env.client, pool, mail) as h:
        incident_id = await h.service.start_incident(
            school_id=school.id, summary="Naaktfoto gedeeld in klassenapp", created_by=None
        )
        # Assess and support open at once; nothing else does.
        snap = await eventually(
            h.service,
            incident_id,
            lambda s: (
                s.steps[Step.assess] is StepStatus.open and s.steps[Step.support] is StepStatus.open
            ),
        )
        assert {s for s, st in snap.steps.items() if st is StepStatus.open} == {
            Step.assess,
            Step.support,
        }

        await complete(h.service, incident_id, Step.assess, answers.assess())
        report = await wait_open(h.service, incident_id, Step.report)
        assert report.assignee_id == school.staff[Role.coordinator]
        snap = await h.service.snapshot(incident_id)
        # Report first, delete afterwards.
        assert snap.steps[Step.remove] is StepStatus.waiting
        assert snap.steps[Step.confront] is StepStatus.open
        # Inform waits for the victim's voice.
        assert snap.steps[Step.inform] is StepStatus.waiting

        await complete(h.service, incident_id, Step.report, answers.report())
        await wait_open(h.service, incident_id, Step.remove)
        await complete(h.service, incident_id, Step.support, answers.support())
        await wait_open(h.service, incident_id, Step.inform)
        await complete(h.service, incident_id, Step.remove, answers.remove())
        await complete(h.service, incident_id, Step.confront, answers.confront())
        snap = await h.service.snapshot(incident_id)
        assert snap.steps[Step.evaluate] is StepStatus.waiting
        await complete(h.service, incident_id, Step.inform, answers.inform())
        await wait_open(h.service, incident_id, Step.evaluate)
        snap = await h.service.snapshot(incident_id)
        assert snap.steps[Step.media] is StepStatus.skipped
        await complete(h.service, incident_id, Step.evaluate, answers.evaluate())
        snap = await eventually(h.service, incident_id, lambda s: s.status == "closed")

        handle = h.client.get_workflow_handle_for(
            IncidentWorkflow.run, incident_workflow_id(incident_id)
        )
        result = await handle.result()
        assert result.status == "closed"

    async with pool.connection() as conn:
        rows = await tasks.tasks_of_incident(conn, incident_id=incident_id)
        events = await audit.events_of_incident(conn, incident_id=incident_id)
    by_kind = {r.kind: r for r in rows}
    # Assess and support opened together, at the start.
    assert by_kind["assess"].opened_at == by_kind["support"].opened_at
    assert by_kind["media"].status == "skipped"
    rows = [r for r in rows if r.status != "skipped"]
    assert {r.kind for r in rows} == {k.value for k in TaskKind} - {
        "media",
        "contact_outside_school",
    }
    assert all(r.status == "done" for r in rows)
    kinds = [e.kind for e in events]
    assert kinds[0] == "incident_opened" and kinds[-1] == "incident_closed"
    assert kinds.count("task_opened") == 7 and kinds.count("task_done") == 7
    assert "report_handoff_prepared" in kinds and "parent_letter_sent" in kinds
    # Removal opened only after the report was done.
    report_done = next(e.id for e in events if e.kind == "task_done" and e.step == "report")
    remove_opened = next(e.id for e in events if e.kind == "task_opened" and e.step == "remove")
    assert report_done < remove_opened

    # One task e-mail per opened task, to the right person.
    assigned = [m for m in mail.messages() if m.id and m.links and "/t/" in m.links[0]]
    by_task = {r.id: world.emails[r.assignee_id or ""] for r in rows}
    assert len(assigned) == len(rows)
    assert sorted(a for m in assigned for a in m.to) == sorted(by_task.values())
