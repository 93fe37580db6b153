"""The privacy officer's requests: access to (AVG art. 15) and erasure of (art. 17) what
Regie holds about one person.

The name travels in the request body, never in the URL: URLs end up in access logs. Each
request is an audit event on the board's chain, and a line in every incident it touched;
neither holds the name.
"""

from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field

from api.access import forbidden
from api.auth import CurrentUser
from api.deps import Db
from api.principal import Principal
from domain.access_request import export_incident, find, plan_erasure
from domain.roles import Role
from store import access_request
from store.directory import Conn, new_id

router = APIRouter(prefix="/api/privacy", tags=["privacy"])


class AccessRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        min_length=2,
        max_length=200,
        description="the person's full name, as the school wrote it in the incident",
    )


class ErasureIn(AccessRequestIn):
    confirm: Literal[True] = Field(
        description="true: the erasure cannot be undone; export first to see what goes"
    )


class PersonEntryOut(BaseModel):
    label: str
    role: str
    name: str
    is_our_pupil: bool


class TextOut(BaseModel):
    source: str = Field(description="incidents (the summary), notes, documents or lessons")
    kind: str
    at: datetime
    text: str = Field(description="other persons' names replaced by their labels")


class AnswerOut(BaseModel):
    step: str
    kind: str
    at: datetime
    fields: dict[str, Any] = Field(description="only what is about this person")


class IncidentAboutOut(BaseModel):
    reference: str
    school_id: str
    status: str
    opened_at: datetime
    closed_at: datetime | None
    as_person: list[PersonEntryOut] = Field(
        description="their entries as a person of the incident; empty if a text names them"
    )
    texts: list[TextOut]
    answers: list[AnswerOut]


class AccessExportOut(BaseModel):
    request_id: str
    generated_at: datetime
    board_id: str
    name: str
    incidents: list[IncidentAboutOut]


class ErasedIncidentOut(BaseModel):
    reference: str
    persons: int
    texts: int
    answers: int


class ErasureOut(BaseModel):
    request_id: str
    erased_at: datetime
    incidents: list[ErasedIncidentOut]


def is_privacy_officer(who: Principal) -> bool:
    return who.task_scope is None and who.has_board_role(Role.privacy_officer)


def privacy_officer(who: Principal) -> None:
    if not is_privacy_officer(who):
        raise forbidden(
            "only the board's privacy officer answers requests for access and erasure;"
            " ask the board's functional admin to give that role to the right person"
        )


async def export_for(conn: Conn, who: Principal, name: str) -> AccessExportOut:
    """Everything Regie holds about one person, in every incident of the board; recorded."""
    privacy_officer(who)
    records = await access_request.board_records(conn, board_id=who.board_id)
    found = find(records, name)
    request_id, now = new_id(), datetime.now(UTC)
    await access_request.record_request(
        conn,
        kind="access_export",
        request_id=request_id,
        board_id=who.board_id,
        actor_id=who.staff_id,
        at=now,
        incident_ids=[f.incident.incident_id for f in found],
        in_each_incident=True,
    )
    return AccessExportOut(
        request_id=request_id,
        generated_at=now,
        board_id=who.board_id,
        name=name,
        incidents=[IncidentAboutOut.model_validate(export_incident(f, name)) for f in found],
    )


async def erase_for(conn: Conn, who: Principal, name: str) -> ErasureOut | None:
    """Erase one person in every incident of the board, in one transaction; None if Regie
    holds nothing under that name."""
    privacy_officer(who)
    request_id, now = new_id(), datetime.now(UTC)
    erased: list[ErasedIncidentOut] = []
    async with conn.transaction():
        records = await access_request.board_records(conn, board_id=who.board_id)
        found = find(records, name)
        if not found:
            return None
        for item in found:
            counts = await access_request.apply_erasure(
                conn,
                plan_erasure(item, name),
                request_id=request_id,
                actor_id=who.staff_id,
                at=now,
            )
            erased.append(ErasedIncidentOut(reference=item.incident.reference, **counts))
        await access_request.record_request(
            conn,
            kind="erasure_request",
            request_id=request_id,
            board_id=who.board_id,
            actor_id=who.staff_id,
            at=now,
            incident_ids=[f.incident.incident_id for f in found],
            in_each_incident=False,
        )
    return ErasureOut(request_id=request_id, erased_at=now, incidents=erased)


@router.post("/access-requests")
async def access_request_export(
    body: AccessRequestIn, who: CurrentUser, conn: Db
) -> AccessExportOut:
    """Everything Regie holds about one person, in every incident of the board."""
    return await export_for(conn, who, body.name)


@router.post("/erasures")
async def erase_person(body: ErasureIn, who: CurrentUser, conn: Db) -> ErasureOut:
    """Erase one person's name and the texts that name them, in every incident of the board.

    Their entries keep their label ("Leerling A"), so the incident still reads and its counts
    stay; a text that only mentions them shows "[gewist]" where the name was.
    """
    done = await erase_for(conn, who, body.name)
    if done is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            "Regie holds nothing under this name at your board; check the spelling against"
            " the access export, which finds the same names",
        )
    return done
