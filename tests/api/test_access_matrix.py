"""Every role against every route, for its own school, another school and another board.

The rules are those of issue 3 ("Sign-in and roles") as written down in `api/access.py`:
board roles see every school of their board; coordinators and school leaders see their
school; other school staff only incidents in which they hold a task; auditors read history
only; nobody sees another board. An incident one may not see answers 404, not 403.

One module-scoped world serves the whole table: board 1 with two schools and an incident at
each (school 0's incident assessed, so that the support person, the coordinator and the leader
hold open tasks in it), and board 2 with an incident of its own. Rows that would change what
other rows read use incidents or tasks of their own:

- cancelling (202) happens on a fresh incident; refused cancels use a spare incident;
- completing one's own task with a valid answer (200) uses a fresh incident; every other
  completion sends an answer with an unknown field, so 422 proves the caller got past the
  access rules without changing anything;
- reassigning names the task's current assignee, which the workflow refuses with 422 after
  the access rules let the caller through.

Lists (incidents, my tasks, schools, staff) answer 200 to everyone; their rows say whether the
target is SEEN in the list or HIDDEN from it.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from domain.roles import Role
from notifications.catcher import MailCatcher
from store import directory, tasks, tokens
from store.db import Pool
from store.tasks import TaskRow
from tests import answers
from tests.fixtures.api import make_runtime, tokens_for
from tests.fixtures.world import BASE_URL, Harness, World, end_all, make_world, running_worker

SEEN = "seen"
HIDDEN = "hidden"
Expected = int | str

# Who asks. Everyone but the last two belongs to board 1; school staff work at school 0.
C, S, SN, L = "coordinator", "support", "support_without_task", "school_leader"
BS, CO, BA, AU = "board_safeguarding", "communications", "board_admin", "auditor"
XC, XA = "other_board_coordinator", "other_board_admin"
WHO = (C, S, SN, L, BS, CO, BA, AU, XC, XA)

# What they ask about. Incidents and schools: board 1's school 0 and school 1, board 2's school.
INCIDENTS = ("school0", "school1", "board2")
# Tasks: in school 0's incident the support task (support's) and the report task
# (coordinator's); the assess tasks of school 1's incident and of board 2's incident.
TASKS = ("school0_support", "school0_report", "school1_assess", "board2_assess")
BOARDS = ("board1", "board2")

# route -> (targets, {who: one expectation per target})
MATRIX: dict[str, tuple[tuple[str, ...], dict[str, tuple[Expected, ...]]]] = {
    "GET /api/incidents": (INCIDENTS, {
        C: (SEEN, HIDDEN, HIDDEN),
        S: (SEEN, HIDDEN, HIDDEN),
        SN: (HIDDEN, HIDDEN, HIDDEN),
        L: (SEEN, HIDDEN, HIDDEN),
        BS: (SEEN, SEEN, HIDDEN),
        CO: (SEEN, SEEN, HIDDEN),
        BA: (SEEN, SEEN, HIDDEN),
        AU: (SEEN, SEEN, HIDDEN),
        XC: (HIDDEN, HIDDEN, SEEN),
        XA: (HIDDEN, HIDDEN, SEEN),
    }),
    "GET /api/incidents/{id}": (INCIDENTS, {
        C: (200, 404, 404),
        S: (200, 404, 404),
        SN: (404, 404, 404),
        L: (200, 404, 404),
        BS: (200, 200, 404),
        CO: (200, 200, 404),
        BA: (200, 200, 404),
        AU: (403, 403, 404),
        XC: (404, 404, 200),
        XA: (404, 404, 200),
    }),
    "GET /api/incidents/{id}/history": (INCIDENTS, {
        C: (200, 404, 404),
        S: (200, 404, 404),
        SN: (404, 404, 404),
        L: (200, 404, 404),
        BS: (200, 200, 404),
        CO: (200, 200, 404),
        BA: (200, 200, 404),
        AU: (200, 200, 404),
        XC: (404, 404, 200),
        XA: (404, 404, 200),
    }),
    "POST /api/incidents/{id}/media-inquiry": (INCIDENTS, {
        C: (202, 404, 404),
        S: (202, 404, 404),
        SN: (404, 404, 404),
        L: (202, 404, 404),
        BS: (202, 202, 404),
        CO: (202, 202, 404),
        BA: (202, 202, 404),
        AU: (403, 403, 404),
        XC: (404, 404, 202),
        XA: (404, 404, 202),
    }),
    "POST /api/incidents/{id}/new-information": (INCIDENTS, {
        C: (202, 404, 404),
        S: (202, 404, 404),
        SN: (404, 404, 404),
        L: (202, 404, 404),
        BS: (202, 202, 404),
        CO: (202, 202, 404),
        BA: (202, 202, 404),
        AU: (403, 403, 404),
        XC: (404, 404, 202),
        XA: (404, 404, 202),
    }),
    "POST /api/incidents/{id}/cancel": (INCIDENTS, {
        C: (202, 404, 404),
        S: (403, 404, 404),
        SN: (404, 404, 404),
        L: (202, 404, 404),
        BS: (202, 202, 404),
        CO: (403, 403, 404),
        BA: (403, 403, 404),
        AU: (403, 403, 404),
        XC: (404, 404, 202),
        XA: (404, 404, 403),
    }),
    "POST /api/incidents": (INCIDENTS, {
        C: (201, 403, 422),
        S: (403, 403, 422),
        SN: (403, 403, 422),
        L: (201, 403, 422),
        BS: (201, 201, 422),
        CO: (403, 403, 422),
        BA: (403, 403, 422),
        AU: (403, 403, 422),
        XC: (422, 422, 201),
        XA: (422, 422, 403),
    }),
    "GET /api/tasks/{id}": (TASKS, {
        C: (200, 200, 404, 404),
        S: (200, 200, 404, 404),
        SN: (404, 404, 404, 404),
        L: (200, 200, 404, 404),
        BS: (200, 200, 200, 404),
        CO: (200, 200, 200, 404),
        BA: (200, 200, 200, 404),
        AU: (403, 403, 403, 404),
        XC: (404, 404, 404, 200),
        XA: (404, 404, 404, 200),
    }),
    # An answer with an unknown field: 422 means "yours, but not a valid answer".
    "POST /api/tasks/{id}/complete": (TASKS, {
        C: (403, 422, 404, 404),
        S: (422, 403, 404, 404),
        SN: (404, 404, 404, 404),
        L: (403, 403, 404, 404),
        BS: (403, 403, 403, 404),
        CO: (403, 403, 403, 404),
        BA: (403, 403, 403, 404),
        AU: (403, 403, 403, 404),
        XC: (404, 404, 404, 422),
        XA: (404, 404, 404, 403),
    }),
    # A blank reason: 422 means "yours, but say why".
    "POST /api/tasks/{id}/not-applicable": (TASKS, {
        C: (403, 422, 404, 404),
        S: (422, 403, 404, 404),
        SN: (404, 404, 404, 404),
        L: (403, 403, 404, 404),
        BS: (403, 403, 403, 404),
        CO: (403, 403, 403, 404),
        BA: (403, 403, 403, 404),
        AU: (403, 403, 403, 404),
        XC: (404, 404, 404, 422),
        XA: (404, 404, 404, 403),
    }),
    # To the current assignee: 422 ("already assigned") means the caller may reassign it.
    "POST /api/tasks/{id}/reassign": (TASKS, {
        C: (422, 422, 404, 404),
        S: (422, 403, 404, 404),
        SN: (404, 404, 404, 404),
        L: (422, 422, 404, 404),
        BS: (422, 422, 422, 404),
        CO: (403, 403, 403, 404),
        BA: (422, 422, 422, 404),
        AU: (403, 403, 403, 404),
        XC: (404, 404, 404, 422),
        XA: (404, 404, 404, 422),
    }),
    "GET /api/me/tasks": (TASKS, {
        C: (HIDDEN, SEEN, HIDDEN, HIDDEN),
        S: (SEEN, HIDDEN, HIDDEN, HIDDEN),
        SN: (HIDDEN, HIDDEN, HIDDEN, HIDDEN),
        L: (HIDDEN, HIDDEN, HIDDEN, HIDDEN),
        BS: (HIDDEN, HIDDEN, HIDDEN, HIDDEN),
        CO: (HIDDEN, HIDDEN, HIDDEN, HIDDEN),
        BA: (HIDDEN, HIDDEN, HIDDEN, HIDDEN),
        AU: (HIDDEN, HIDDEN, HIDDEN, HIDDEN),
        XC: (HIDDEN, HIDDEN, HIDDEN, SEEN),
        XA: (HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    }),
    "GET /api/schools": (INCIDENTS, {
        C: (SEEN, HIDDEN, HIDDEN),
        S: (SEEN, HIDDEN, HIDDEN),
        SN: (SEEN, HIDDEN, HIDDEN),
        L: (SEEN, HIDDEN, HIDDEN),
        BS: (SEEN, SEEN, HIDDEN),
        CO: (SEEN, SEEN, HIDDEN),
        BA: (SEEN, SEEN, HIDDEN),
        AU: (SEEN, SEEN, HIDDEN),
        XC: (HIDDEN, HIDDEN, SEEN),
        XA: (HIDDEN, HIDDEN, SEEN),
    }),
    # Is the target school's coordinator among the colleagues listed?
    "GET /api/staff": (INCIDENTS, {
        C: (SEEN, HIDDEN, HIDDEN),
        S: (SEEN, HIDDEN, HIDDEN),
        SN: (SEEN, HIDDEN, HIDDEN),
        L: (SEEN, HIDDEN, HIDDEN),
        BS: (SEEN, SEEN, HIDDEN),
        CO: (SEEN, SEEN, HIDDEN),
        BA: (SEEN, SEEN, HIDDEN),
        AU: (SEEN, SEEN, HIDDEN),
        XC: (HIDDEN, HIDDEN, SEEN),
        XA: (HIDDEN, HIDDEN, SEEN),
    }),
    # A new support person at the target school.
    "POST /api/staff": (INCIDENTS, {
        C: (403, 403, 403),
        S: (403, 403, 403),
        SN: (403, 403, 403),
        L: (403, 403, 403),
        BS: (403, 403, 403),
        CO: (403, 403, 403),
        BA: (201, 201, 422),
        AU: (403, 403, 403),
        XC: (403, 403, 403),
        XA: (422, 422, 201),
    }),
    "GET /api/boards/{id}/deadlines": (BOARDS, {
        **{who: (200, 404) for who in (C, S, SN, L, BS, CO, BA, AU)},
        XC: (404, 200),
        XA: (404, 200),
    }),
    "PUT /api/boards/{id}/deadlines": (BOARDS, {
        **{who: (403, 404) for who in (C, S, SN, L, BS, CO, AU)},
        BA: (200, 404),
        XC: (404, 403),
        XA: (404, 200),
    }),
}  # fmt: skip

# Completing one's own task for real, on a fresh incident at one's own school.
COMPLETE_FOR_REAL = "POST /api/tasks/{id}/complete (valid answer, fresh incident)"
EXTRA: list[tuple[str, str, str, Expected]] = [
    (C, COMPLETE_FOR_REAL, "school0", 200),
    (S, COMPLETE_FOR_REAL, "school0", 200),
    (XC, COMPLETE_FOR_REAL, "board2", 200),
]

# Rows where the code disagrees with the issue: (who, route, target) -> reason.
XFAIL: dict[tuple[str, str, str], str] = {}

TABLE: list[tuple[str, str, str, Expected]] = [
    (who, route, target, expected)
    for route, (targets, rows) in MATRIX.items()
    for who in WHO
    for target, expected in zip(targets, rows[who], strict=True)
] + EXTRA


def _params() -> list[Any]:
    return [
        pytest.param(
            *row,
            id=f"{row[0]}|{row[1]}|{row[2]}",
            marks=[pytest.mark.xfail(strict=True, reason=XFAIL[row[:3]])]
            if row[:3] in XFAIL
            else [],
        )
        for row in TABLE
    ]


@dataclass
class Matrix:
    client: httpx.AsyncClient
    pool: Pool
    harness: Harness
    world: World
    other: World
    staff: dict[str, str]  # WHO -> staff id
    tokens: dict[str, str]  # staff id -> token
    incidents: dict[str, str]  # INCIDENTS -> incident id
    spares: dict[str, str]  # INCIDENTS -> an incident only refused cancels touch
    tasks: dict[str, str]  # TASKS -> task id
    schools: dict[str, str]  # INCIDENTS -> school id
    boards: dict[str, str]  # BOARDS -> board id
    deadlines: dict[str, Any]
    creators: dict[str, str] = field(default_factory=dict)  # school id -> its coordinator

    def as_(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[self.staff[who]]}"}


async def wait_task(pool: Pool, incident_id: str, kind: str) -> TaskRow:
    for _ in range(300):
        async with pool.connection() as conn:
            rows = await tasks.tasks_of_incident(conn, incident_id=incident_id)
        found = [r for r in rows if r.kind == kind and r.status == "open"]
        if found:
            return found[0]
        await asyncio.sleep(0.03)
    raise AssertionError(f"no open {kind} task in incident {incident_id}")


async def create(client: httpx.AsyncClient, headers: dict[str, str], school_id: str) -> str:
    response = await client.post(
        "/api/incidents",
        json={"school_id": school_id, "summary": "Foto gedeeld in een appgroep"},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest_asyncio.fixture(scope="module")
async def m(
    dev_env: WorkflowEnvironment, pool: Pool, mail_catcher: MailCatcher
) -> AsyncIterator[Matrix]:
    world = await make_world(pool)
    other = await make_world(pool, schools=1)
    school0, school1, school2 = world.schools[0], world.schools[1], other.schools[0]
    made = await tokens_for(pool, world) | await tokens_for(pool, other)
    async with pool.connection() as conn:
        extra = await directory.create_staff(
            conn,
            board_id=world.board_id,
            name="support without task",
            email=f"support.extra.{world.tag}@school.test",
        )
        await directory.grant_role(conn, staff_id=extra, role=Role.support, school_id=school0.id)
        made[extra] = await tokens.create_token(conn, staff_id=extra, label="test")
    staff = {
        C: school0.staff[Role.coordinator],
        S: school0.staff[Role.support],
        SN: extra,
        L: school0.staff[Role.school_leader],
        BS: world.board_staff[Role.board_safeguarding],
        CO: world.board_staff[Role.communications],
        BA: world.board_staff[Role.board_admin],
        AU: world.board_staff[Role.auditor],
        XC: school2.staff[Role.coordinator],
        XA: other.board_staff[Role.board_admin],
    }
    async with running_worker(dev_env.client, pool, mail_catcher) as harness:
        app = create_app(make_runtime(pool, dev_env, mail_catcher, harness.task_queue))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:

            def auth(staff_id: str) -> dict[str, str]:
                return {"Authorization": f"Bearer {made[staff_id]}"}

            coordinators = {s.id: s.staff[Role.coordinator] for s in (school0, school1, school2)}
            a, b, c = await asyncio.gather(
                create(client, auth(coordinators[school0.id]), school0.id),
                create(client, auth(coordinators[school1.id]), school1.id),
                create(client, auth(coordinators[school2.id]), school2.id),
            )
            assess = await wait_task(pool, a, "assess")
            done = await client.post(
                f"/api/tasks/{assess.id}/complete",
                json=answers.assess(),
                headers=auth(staff[C]),
            )
            assert done.status_code == 200, done.text
            support, report, b_assess, c_assess = await asyncio.gather(
                wait_task(pool, a, "support"),
                wait_task(pool, a, "report"),
                wait_task(pool, b, "assess"),
                wait_task(pool, c, "assess"),
            )
            assert support.assignee_id == staff[S] and report.assignee_id == staff[C]
            spares = await asyncio.gather(
                *(
                    create(client, auth(coordinators[s.id]), s.id)
                    for s in (school0, school1, school2)
                )
            )
            deadlines = await client.get(
                f"/api/boards/{world.board_id}/deadlines", headers=auth(staff[BA])
            )
            assert deadlines.status_code == 200, deadlines.text
            yield Matrix(
                client=client,
                pool=pool,
                harness=harness,
                world=world,
                other=other,
                staff=staff,
                tokens=made,
                incidents=dict(zip(INCIDENTS, (a, b, c), strict=True)),
                spares=dict(zip(INCIDENTS, spares, strict=True)),
                tasks=dict(
                    zip(TASKS, (support.id, report.id, b_assess.id, c_assess.id), strict=True)
                ),
                schools=dict(zip(INCIDENTS, (school0.id, school1.id, school2.id), strict=True)),
                boards=dict(zip(BOARDS, (world.board_id, other.board_id), strict=True)),
                deadlines=deadlines.json(),
                creators=coordinators,
            )
        async with pool.connection() as conn:
            cur = await conn.execute(
                "SELECT id FROM incidents WHERE board_id = ANY(%s)",
                ([world.board_id, other.board_id],),
            )
            ids = [str(r["id"]) for r in await cur.fetchall()]
        await end_all(harness.client, ids)


# --- one function per route: (response, what the row observes) ------------------------------

Call = Callable[[Matrix, str, str], Awaitable[Expected]]


LAST_REFUSAL: list[str] = []  # the body of the last refusal, for a failing row's message


def listed(response: httpx.Response, ids: list[str], wanted: str) -> Expected:
    assert response.status_code == 200, response.text
    return SEEN if wanted in ids else HIDDEN


def status(response: httpx.Response) -> Expected:
    if response.status_code >= 400:
        LAST_REFUSAL[:] = [response.text]
    return response.status_code


async def list_incidents(m: Matrix, who: str, target: str) -> Expected:
    response = await m.client.get("/api/incidents?limit=200", headers=m.as_(who))
    ids = [i["id"] for i in response.json().get("items", [])]
    return listed(response, ids, m.incidents[target])


async def get_incident(m: Matrix, who: str, target: str) -> Expected:
    return status(await m.client.get(f"/api/incidents/{m.incidents[target]}", headers=m.as_(who)))


async def get_history(m: Matrix, who: str, target: str) -> Expected:
    return status(
        await m.client.get(f"/api/incidents/{m.incidents[target]}/history", headers=m.as_(who))
    )


async def media_inquiry(m: Matrix, who: str, target: str) -> Expected:
    return status(
        await m.client.post(
            f"/api/incidents/{m.incidents[target]}/media-inquiry",
            json={"text": "Een journalist belde de receptie"},
            headers=m.as_(who),
        )
    )


async def new_information(m: Matrix, who: str, target: str) -> Expected:
    return status(
        await m.client.post(
            f"/api/incidents/{m.incidents[target]}/new-information",
            json={"text": "Een ouder meldt dat de groep nog bestaat"},
            headers=m.as_(who),
        )
    )


async def cancel(m: Matrix, who: str, target: str) -> Expected:
    expected = MATRIX["POST /api/incidents/{id}/cancel"][1][who][INCIDENTS.index(target)]
    if expected == 202:
        # A cancel that should succeed gets an incident of its own.
        school_id = m.schools[target]
        incident_id = await create(
            m.client, {"Authorization": f"Bearer {m.tokens[m.creators[school_id]]}"}, school_id
        )
    else:
        incident_id = m.spares[target]
    response = await m.client.post(
        f"/api/incidents/{incident_id}/cancel",
        json={"reason": "Loos alarm: het ging om een meme"},
        headers=m.as_(who),
    )
    return status(response)


async def create_incident(m: Matrix, who: str, target: str) -> Expected:
    return status(
        await m.client.post(
            "/api/incidents",
            json={"school_id": m.schools[target], "summary": "Foto gedeeld in een appgroep"},
            headers=m.as_(who),
        )
    )


async def get_task(m: Matrix, who: str, target: str) -> Expected:
    return status(await m.client.get(f"/api/tasks/{m.tasks[target]}", headers=m.as_(who)))


async def complete(m: Matrix, who: str, target: str) -> Expected:
    return status(
        await m.client.post(
            f"/api/tasks/{m.tasks[target]}/complete",
            json={"not_a_field_of_any_form": True},
            headers=m.as_(who),
        )
    )


async def not_applicable(m: Matrix, who: str, target: str) -> Expected:
    return status(
        await m.client.post(
            f"/api/tasks/{m.tasks[target]}/not-applicable",
            json={"reason": " "},
            headers=m.as_(who),
        )
    )


async def reassign(m: Matrix, who: str, target: str) -> Expected:
    async with m.pool.connection() as conn:
        task = await tasks.get_task(conn, task_id=m.tasks[target])
    assert task is not None and task.assignee_id is not None
    return status(
        await m.client.post(
            f"/api/tasks/{task.id}/reassign",
            json={"assignee_id": task.assignee_id},
            headers=m.as_(who),
        )
    )


async def my_tasks(m: Matrix, who: str, target: str) -> Expected:
    response = await m.client.get("/api/me/tasks", headers=m.as_(who))
    return listed(response, [t["id"] for t in response.json()], m.tasks[target])


async def schools(m: Matrix, who: str, target: str) -> Expected:
    response = await m.client.get("/api/schools", headers=m.as_(who))
    return listed(response, [s["id"] for s in response.json()], m.schools[target])


async def staff(m: Matrix, who: str, target: str) -> Expected:
    response = await m.client.get("/api/staff", headers=m.as_(who))
    coordinator = m.creators[m.schools[target]]
    return listed(response, [s["id"] for s in response.json()], coordinator)


async def add_staff(m: Matrix, who: str, target: str) -> Expected:
    tag = uuid.uuid4().hex[:8]
    return status(
        await m.client.post(
            "/api/staff",
            json={
                "name": f"Nieuwe mentor {tag}",
                "email": f"mentor.{tag}@example.org",
                "roles": [{"role": "support", "school_id": m.schools[target]}],
            },
            headers=m.as_(who),
        )
    )


async def get_deadlines(m: Matrix, who: str, target: str) -> Expected:
    return status(
        await m.client.get(f"/api/boards/{m.boards[target]}/deadlines", headers=m.as_(who))
    )


async def set_deadlines(m: Matrix, who: str, target: str) -> Expected:
    # The value it has already: a change that changes nothing for the other rows.
    return status(
        await m.client.put(
            f"/api/boards/{m.boards[target]}/deadlines",
            json={"assess": m.deadlines["steps"]["assess"]},
            headers=m.as_(who),
        )
    )


async def complete_for_real(m: Matrix, who: str, target: str) -> Expected:
    school_id = m.schools[target]
    incident_id = await create(
        m.client, {"Authorization": f"Bearer {m.tokens[m.creators[school_id]]}"}, school_id
    )
    kind, answer = ("support", answers.support()) if who == S else ("assess", answers.assess())
    task = await wait_task(m.pool, incident_id, kind)
    assert task.assignee_id == m.staff[who]
    return status(
        await m.client.post(f"/api/tasks/{task.id}/complete", json=answer, headers=m.as_(who))
    )


CALLS: dict[str, Call] = {
    "GET /api/incidents": list_incidents,
    "GET /api/incidents/{id}": get_incident,
    "GET /api/incidents/{id}/history": get_history,
    "POST /api/incidents/{id}/media-inquiry": media_inquiry,
    "POST /api/incidents/{id}/new-information": new_information,
    "POST /api/incidents/{id}/cancel": cancel,
    "POST /api/incidents": create_incident,
    "GET /api/tasks/{id}": get_task,
    "POST /api/tasks/{id}/complete": complete,
    "POST /api/tasks/{id}/not-applicable": not_applicable,
    "POST /api/tasks/{id}/reassign": reassign,
    "GET /api/me/tasks": my_tasks,
    "GET /api/schools": schools,
    "GET /api/staff": staff,
    "POST /api/staff": add_staff,
    "GET /api/boards/{id}/deadlines": get_deadlines,
    "PUT /api/boards/{id}/deadlines": set_deadlines,
    COMPLETE_FOR_REAL: complete_for_real,
}


def test_the_table_covers_every_role_and_route() -> None:
    assert set(CALLS) == set(MATRIX) | {COMPLETE_FOR_REAL}
    for route, (_, rows) in MATRIX.items():
        assert set(rows) == set(WHO), route


@pytest.mark.parametrize(("who", "route", "target", "expected"), _params())
async def test_access(m: Matrix, who: str, route: str, target: str, expected: Expected) -> None:
    LAST_REFUSAL.clear()
    observed = await CALLS[route](m, who, target)
    assert observed == expected, (
        f"{who} {route} on {target}: {observed} {LAST_REFUSAL}, expected {expected}"
    )
