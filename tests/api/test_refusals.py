"""Bad input gets a clear error and changes nothing: 422, 409, 403, 413, 415, 503."""

import asyncio

import httpx
from psycopg_pool import AsyncConnectionPool
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from api.app import create_app
from api.runtime import Runtime
from domain.roles import Role
from store import tasks
from store.db import Pool
from tests import answers
from tests.fixtures.api import Api
from tests.fixtures.world import BASE_URL


async def _open(api: Api, staff_id: str, kind: str) -> str:
    for _ in range(200):
        mine = (await api.client.get("/api/me/tasks", headers=api.as_(staff_id))).json()
        found = [str(t["id"]) for t in mine if t["kind"] == kind]
        if found:
            return found[0]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no open {kind} task")


async def _count(pool: Pool, table: str, board_id: str) -> int:
    async with pool.connection() as conn:
        cur = await conn.execute(
            f"SELECT count(*) AS n FROM {table} WHERE board_id = %s",
            (board_id,),
        )
        row = await cur.fetchone()
    return int(row["n"]) if row else 0


async def test_answers_that_are_wrong_late_or_not_yours(api: Api, pool: Pool) -> None:
    coordinator = api.school_staff(Role.coordinator)
    mentor = api.school_staff(Role.support)
    created = await api.client.post(
        "/api/incidents",
        json={"school_id": api.world.school.id, "summary": "test"},
        headers=api.as_(coordinator),
    )
    incident_id = created.json()["id"]
    assess = await _open(api, coordinator, "assess")

    # 422 names the field and the reason.
    bad = dict(answers.assess(), depicted_age="twelve")
    response = await api.client.post(
        f"/api/tasks/{assess}/complete", json=bad, headers=api.as_(coordinator)
    )
    assert response.status_code == 422
    assert "depicted_age" in response.json()["detail"]

    # 403: someone else's task.
    response = await api.client.post(
        f"/api/tasks/{assess}/complete", json=answers.assess(), headers=api.as_(mentor)
    )
    assert response.status_code == 403
    assert "someone else" in response.json()["detail"]

    # 409: not open yet (the report waits for the assessment).
    async with pool.connection() as conn:
        planned = await tasks.tasks_of_incident(conn, incident_id=incident_id)
    report = next(t for t in planned if t.step == "report")
    response = await api.client.post(
        f"/api/tasks/{report.id}/complete", json=answers.report(), headers=api.as_(coordinator)
    )
    assert response.status_code == 409
    assert "not open yet" in response.json()["detail"]

    # 422: n/a on assess; 409: done twice.
    response = await api.client.post(
        f"/api/tasks/{assess}/not-applicable", json={"reason": "x"}, headers=api.as_(coordinator)
    )
    assert response.status_code == 422
    ok = await api.client.post(
        f"/api/tasks/{assess}/complete", json=answers.assess(), headers=api.as_(coordinator)
    )
    assert ok.status_code == 200, ok.text
    again = await api.client.post(
        f"/api/tasks/{assess}/complete", json=answers.assess(), headers=api.as_(coordinator)
    )
    assert again.status_code == 409

    # 422: a bad duration for the board, and an unknown step; nothing stored.
    admin = api.board_staff(Role.board_admin)
    path = f"/api/boards/{api.world.board_id}/deadlines"
    before = (await api.client.get(path, headers=api.as_(admin))).json()
    for body, field in (({"assess": "4 hours"}, "assess"), ({"lunch": "PT1H"}, "lunch")):
        response = await api.client.put(path, json=body, headers=api.as_(admin))
        assert response.status_code == 422 and field in response.json()["detail"]
    assert (await api.client.get(path, headers=api.as_(admin))).json() == before
    changed = await api.client.put(path, json={"assess": "PT2H"}, headers=api.as_(admin))
    assert changed.status_code == 200 and changed.json()["steps"]["assess"] == "PT2H"


async def test_images_files_and_oversized_bodies_are_refused(api: Api, pool: Pool) -> None:
    coordinator = api.as_(api.school_staff(Role.coordinator))
    school = api.world.school.id
    before = await _count(pool, "incidents", api.world.board_id)

    upload = await api.client.post(
        "/api/incidents",
        files={"photo": ("a.jpg", b"\xff\xd8\xff", "image/jpeg")},
        headers=coordinator,
    )
    assert upload.status_code == 415
    assert "never stores images" in upload.json()["detail"]
    raw = await api.client.post(
        "/api/incidents",
        content=b"\x89PNG\r\n",
        headers={**coordinator, "Content-Type": "image/png"},
    )
    assert raw.status_code == 415
    embedded = await api.client.post(
        "/api/incidents",
        json={"school_id": school, "summary": "zie data:image/png;base64,iVBORw0KGgoAAAA"},
        headers=coordinator,
    )
    assert embedded.status_code == 415
    text = await api.client.post(
        "/api/incidents", content=b"hello", headers={**coordinator, "Content-Type": "text/plain"}
    )
    assert text.status_code == 415
    huge = await api.client.post(
        "/api/incidents", json={"school_id": school, "summary": "x" * 300_000}, headers=coordinator
    )
    assert huge.status_code == 413
    assert await _count(pool, "incidents", api.world.board_id) == before


async def test_temporal_down_gives_503_and_no_half_made_incident(api: Api, pool: Pool) -> None:
    dead = await Client.connect("127.0.0.1:1", data_converter=pydantic_data_converter, lazy=True)
    runtime = Runtime(
        settings=api.runtime.settings, pool=pool, temporal=dead, smtp=api.runtime.smtp
    )
    before = await _count(pool, "incidents", api.world.board_id)
    transport = httpx.ASGITransport(app=create_app(runtime))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        response = await client.post(
            "/api/incidents",
            json={"school_id": api.world.school.id, "summary": "test"},
            headers=api.as_(api.school_staff(Role.coordinator)),
        )
        assert response.status_code == 503
        assert "Temporal" in response.json()["detail"]
        ready = await client.get("/readyz")
        assert ready.status_code == 503 and "temporal" in ready.json()["problems"]
    assert await _count(pool, "incidents", api.world.board_id) == before


async def test_postgresql_down_gives_503(api: Api) -> None:
    dead: Pool = AsyncConnectionPool(
        "postgresql://postgres@127.0.0.1:1/none", min_size=0, max_size=2, timeout=1, open=False
    )
    await dead.open(wait=False)
    runtime = Runtime(
        settings=api.runtime.settings,
        pool=dead,
        temporal=api.runtime.temporal,
        smtp=api.runtime.smtp,
    )
    transport = httpx.ASGITransport(app=create_app(runtime))
    try:
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            response = await client.get(
                "/api/me/tasks", headers=api.as_(api.school_staff(Role.coordinator))
            )
            assert response.status_code == 503
            assert "PostgreSQL" in response.json()["detail"]
            ready = await client.get("/readyz")
            assert ready.status_code == 503 and "postgresql" in ready.json()["problems"]
    finally:
        await dead.close()


async def test_adding_someone_twice_is_a_documented_conflict_that_says_what_to_do(
    api: Api,
) -> None:
    admin = api.board_staff(Role.board_admin)
    person = {
        "name": "Nieuwe mentor",
        "email": f"mentor.twice.{api.world.board_id[:8]}@example.org",
        "roles": [{"role": "support", "school_id": api.world.school.id}],
    }
    first = await api.client.post("/api/staff", json=person, headers=api.as_(admin))
    assert first.status_code == 201, first.text
    again = await api.client.post("/api/staff", json=person, headers=api.as_(admin))
    assert again.status_code == 409
    assert "regie staff import" in again.json()["detail"]
    schema = (await api.client.get("/openapi.json")).json()
    assert "409" in schema["paths"]["/api/staff"]["post"]["responses"]
