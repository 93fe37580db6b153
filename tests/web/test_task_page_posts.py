"""Hand-made POSTs to every task page (the inform and media pages' preview renders the typed
text as the letter or statement), through the routes and templates: never a 500, never a
page out of bounds. Schemathesis does not see the pages;
this is their bad-input run.

The forms come from a seeded generator, so a failure names the form that caused it and
repeats: field names and row numbers from the page's own form and others, text with markup,
direction marks, other digits, dates that do not exist and lengths past the limits, and every
action the page knows and some it does not.
"""

import asyncio
import random
from typing import Any

from api.web.forms import fields_of
from domain.roles import Role
from domain.steps import TASK_KINDS, TaskKind
from store.tasks import TaskRow
from tests import answers
from tests.fixtures.api import Api
from tests.web.test_incident_and_board import _csrf, _new_incident, _open_task, _session

POSTS_PER_TASK = 60
ANSWERS = {200, 303, 403, 409, 422}
# A task page with every row a list allows is well under this; millions of rows are not.
MAX_PAGE_BYTES = 1_500_000

NASTY = [
    "",
    " ",
    "x",
    "Klas 3C groep",
    "<script>alert(1)</script>",
    "\u202eanders om",
    "²",
    "٣",
    "-1",
    "9" * 40,
    "2026-13-45",
    "2026-02-29",
    "true",
    "on",
    "app_group",
    "13_15",
    "\U0001f4f7",
    "Leerling A",
    "é" * 2100,
]
ROW_NUMBERS = ["0", "1", "49", "50", "99", "100", "101", "99999999", "²", "-1", "01", ""]
ACTIONS = ["complete", "preview", "not_applicable", "reassign", "", "zzz"]


def _random_form(rng: random.Random, kind: TaskKind, csrf: str) -> dict[str, Any]:
    specs = fields_of(TASK_KINDS[kind].form, "nl")
    keys: list[str] = ["reason", "assignee_id", "lang"]
    for spec in specs:
        keys.append(spec.name)
        for sub in spec.sub:
            keys += [f"{spec.name}.{n}.{sub.name}" for n in ROW_NUMBERS]
    form: dict[str, Any] = {"csrf": csrf, "action": rng.choice(ACTIONS)}
    for key in rng.sample(keys, k=min(len(keys), rng.randint(0, 8))):
        values = [rng.choice(NASTY) for _ in range(rng.randint(1, 3))]
        form[key] = values if len(values) > 1 else values[0]
    return form


async def _post_many(
    api: Api, staff_id: str, task: TaskRow, seed: int
) -> tuple[str, dict[str, str], str]:
    """Posts the generated forms on the person's task; returns the task page's path, the
    person's session headers and the form's CSRF token."""
    kind = TaskKind(task.kind)
    task_path = f"/tasks/{task.id}"
    session = await _session(api, staff_id)
    opened = await api.client.get(task_path, headers=session)
    assert opened.status_code == 200
    csrf = _csrf(opened.text)
    rng = random.Random(seed)
    for _ in range(POSTS_PER_TASK):
        form = _random_form(rng, kind, csrf)
        answered = await api.client.post(task_path, data=form, headers=session)
        assert answered.status_code in ANSWERS, (answered.status_code, form, answered.text[:300])
        assert len(answered.content) < MAX_PAGE_BYTES, (len(answered.content), form)
    return task_path, session, csrf


async def test_hand_made_posts_to_the_first_two_task_pages(api: Api) -> None:
    incident_id = await _new_incident(api, "Foto gedeeld in de klassenapp")
    support = await _open_task(api, incident_id, "support")
    await _post_many(api, api.school_staff(Role.support), support, seed=1)
    assess = await _open_task(api, incident_id, "assess")
    await _post_many(api, api.school_staff(Role.coordinator), assess, seed=2)


async def test_hand_made_posts_to_every_later_task_page(api: Api) -> None:
    """Report to evaluate, each page before its real answer; the inform and media pages
    preview the typed text as the letter or statement. A generated post that closes a task
    (as not applicable, with a generated reason) leaves the real answer out."""
    coordinator = api.school_staff(Role.coordinator)
    mentor = api.school_staff(Role.support)
    leader = api.school_staff(Role.school_leader)
    comms = api.board_staff(Role.communications)
    incident_id = await _new_incident(api, "Foto gedeeld in de klassenapp")
    steps: list[tuple[str, TaskKind, dict[str, Any]]] = [
        (coordinator, TaskKind.assess, answers.assess(media_risk=True)),
        (mentor, TaskKind.support, answers.support()),
        (coordinator, TaskKind.report, answers.report()),
        (coordinator, TaskKind.remove, answers.remove()),
        (leader, TaskKind.confront, answers.confront()),
        (leader, TaskKind.inform, answers.inform()),
        (comms, TaskKind.media, answers.media(comms)),
        (leader, TaskKind.evaluate, answers.evaluate()),
    ]
    page: tuple[str, dict[str, str], str] = ("", {}, "")
    for seed, (staff_id, kind, answer) in enumerate(steps, start=10):
        task = await _open_task(api, incident_id, kind.value)
        if kind not in (TaskKind.assess, TaskKind.support):  # the first test's
            page = await _post_many(api, staff_id, task, seed=seed)
        state = await api.client.get(f"/api/tasks/{task.id}", headers=api.as_(staff_id))
        if state.json()["status"] == "open":
            done = await api.client.post(
                f"/api/tasks/{task.id}/complete", json=answer, headers=api.as_(staff_id)
            )
            assert done.status_code == 200, done.text

    # The evaluation closed the incident and its workflow ended: a valid answer posted on
    # the evaluation's page now is a 409 page saying so, not Temporal's "not found".
    for _ in range(100):
        closed = await api.client.get(f"/api/incidents/{incident_id}", headers=api.as_(leader))
        if closed.json()["status"] == "closed":
            break
        await asyncio.sleep(0.05)
    task_path, session, csrf = page
    again = await api.client.post(
        task_path,
        headers=session,
        data={
            "csrf": csrf,
            "action": "complete",
            "went_well": "Snel gemeld",
            "can_be_better": "Ouders eerder betrekken",
            "policy_change_needed": "on",
            "policy_change": "Appgroepen in het beleid",
        },
    )
    assert again.status_code == 409, again.text[:300]
    assert 'class="badge done">klaar<' in again.text  # the page shows the task as done
    assert "Dit is afgerond: hier verandert niets meer." in again.text  # why nothing was saved
    assert "nog " not in again.text  # a done task's deadline no longer counts down
