"""Text PostgreSQL cannot store (a NUL character, half of a surrogate pair) is refused with a
422 that says what to remove, wherever it comes in: a JSON body, a path or a query string.

Found by the fuzzer (bench/fuzz.py): such a school id reached the database and came back as a
500. Nothing may be written on the way.
"""

import base64
import json
from typing import Any

import httpx
import pytest

from domain.roles import Role
from store.db import Pool
from tests.api.test_refusals import _count
from tests.fixtures.api import Api

NUL = "\x00"
LONE_SURROGATE = "\ud8e4"


def _body(value: Any) -> bytes:
    # As a client sends it: json.dumps writes both as \u escapes.
    return json.dumps(value).encode()


def _refused(response: httpx.Response) -> None:
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert "NUL" in detail and "surrogate" in detail, detail


@pytest.mark.parametrize("bad", [NUL, LONE_SURROGATE], ids=["nul", "lone-surrogate"])
async def test_a_new_incident_with_unstorable_text_is_refused_and_nothing_is_written(
    api: Api, pool: Pool, bad: str
) -> None:
    coordinator = api.school_staff(Role.coordinator)
    school = api.world.school.id
    before = await _count(pool, "incidents", api.world.board_id)
    for body in (
        {"school_id": school + bad, "summary": "Foto gedeeld"},
        {"school_id": school, "summary": f"Foto{bad} gedeeld"},
    ):
        response = await api.client.post(
            "/api/incidents",
            content=_body(body),
            headers={**api.as_(coordinator), "Content-Type": "application/json"},
        )
        _refused(response)
    assert await _count(pool, "incidents", api.world.board_id) == before


async def test_a_nul_in_a_path_or_a_query_is_refused(api: Api) -> None:
    coordinator = api.school_staff(Role.coordinator)
    for path in ("/api/tasks/x%00", "/api/incidents?school_id=x%00", "/tasks/x%00"):
        _refused(await api.client.get(path, headers=api.as_(coordinator)))


async def test_a_nul_inside_a_page_cursor_is_refused(api: Api) -> None:
    """A cursor is base64 the client hands back: what it decodes to is input as well."""
    adviser = api.board_staff(Role.board_safeguarding)
    cursor = base64.urlsafe_b64encode(b"2026-11-01T00:00:00+00:00|x\x00").decode()
    response = await api.client.get(f"/api/incidents?cursor={cursor}", headers=api.as_(adviser))
    assert response.status_code == 422, response.text
    assert "next_cursor" in response.json()["detail"]


async def test_half_a_surrogate_pair_in_a_path_is_only_an_unknown_task(api: Api) -> None:
    """Percent-decoding turns bytes that are no UTF-8 into U+FFFD, which PostgreSQL stores."""
    coordinator = api.school_staff(Role.coordinator)
    response = await api.client.get("/api/tasks/x%ED%A0%80", headers=api.as_(coordinator))
    assert response.status_code == 404, response.text


async def test_a_surrogate_pair_is_text_like_any_other(api: Api) -> None:
    """An emoji written as a \\u escape pair is one character, not half of one."""
    coordinator = api.school_staff(Role.coordinator)
    body = _body({"school_id": api.world.school.id, "summary": "Foto gedeeld \U0001f4f7"})
    assert b"\\ud83d\\udcf7" in body
    response = await api.client.post(
        "/api/incidents",
        content=body,
        headers={**api.as_(coordinator), "Content-Type": "application/json"},
    )
    assert response.status_code == 201, response.text
