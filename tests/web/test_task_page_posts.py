"""Hand-made POSTs to a task page, through the routes and templates: never a 500, never a
page out of bounds. Schemathesis does not see the pages; this is their bad-input run.

The forms come from a seeded generator, so a failure names the form that caused it and
repeats: field names and row numbers from the page's own form and others, text with markup,
direction marks, other digits, dates that do not exist and lengths past the limits, and every
action the page knows and some it does not.
"""

import random
from typing import Any

from api.web.forms import fields_of
from domain.roles import Role
from domain.steps import TASK_KINDS, TaskKind
from tests.fixtures.api import Api
from tests.web.test_pages import _csrf, _task_link

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


async def _post_many(api: Api, staff_id: str, kind: TaskKind, seed: int) -> None:
    link = await _task_link(api, staff_id)
    opened = await api.client.get(link, follow_redirects=True, headers={"accept": "text/html"})
    assert opened.status_code == 200
    task_path = str(opened.url).replace("http://regie.test", "")
    csrf = _csrf(opened.text)
    rng = random.Random(seed)
    for _ in range(POSTS_PER_TASK):
        form = _random_form(rng, kind, csrf)
        answered = await api.client.post(task_path, data=form)
        assert answered.status_code in ANSWERS, (answered.status_code, form, answered.text[:300])
        assert len(answered.content) < MAX_PAGE_BYTES, (len(answered.content), form)


async def test_hand_made_posts_to_the_first_two_task_pages(api: Api) -> None:
    coordinator = api.school_staff(Role.coordinator)
    mentor = api.school_staff(Role.support)
    created = await api.client.post(
        "/api/incidents",
        json={"school_id": api.world.school.id, "summary": "Foto gedeeld in de klassenapp"},
        headers=api.as_(coordinator),
    )
    assert created.status_code == 201
    await _post_many(api, mentor, TaskKind.support, seed=1)
    await _post_many(api, coordinator, TaskKind.assess, seed=2)
