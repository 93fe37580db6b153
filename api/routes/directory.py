"""Boards, schools and staff: the directory and the board's deadlines."""

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, status
from psycopg.errors import UniqueViolation
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from api.access import forbidden
from api.auth import CurrentUser
from api.deps import Db, reads_only
from api.error_responses import DUPLICATE_STAFF
from api.principal import Principal
from api.schemas import NewStaff, RoleGrant, SchoolOut, StaffOut
from domain.deadlines import DeadlineSettings
from domain.retention import parse_term
from domain.roles import BOARD_ROLES, Role
from domain.steps import Step
from store import directory, retention

router = APIRouter(tags=["directory"])


@router.get("/api/schools")
@reads_only
async def schools(who: CurrentUser, conn: Db) -> list[SchoolOut]:
    rows = await directory.schools_of_board(conn, board_id=who.board_id)
    if not who.sees_whole_board:
        mine = set(who.school_ids())
        rows = [r for r in rows if r["id"] in mine]
    return [SchoolOut(**r) for r in rows]


@router.get("/api/staff")
@reads_only
async def staff(who: CurrentUser, conn: Db) -> list[StaffOut]:
    """Colleagues one can reassign to: the board sees all; school staff their schools and office."""
    rows = await directory.staff_of_board(
        conn,
        board_id=who.board_id,
        school_ids=None if who.sees_whole_board else who.school_ids(),
    )
    return [_staff_out(r) for r in rows]


@router.post("/api/staff", status_code=status.HTTP_201_CREATED, responses=DUPLICATE_STAFF)
async def add_staff(body: NewStaff, who: CurrentUser, conn: Db) -> StaffOut:
    _board_admin(who)
    schools = {s["id"] for s in await directory.schools_of_board(conn, board_id=who.board_id)}
    for grant in body.roles:
        if grant.role in BOARD_ROLES and grant.school_id is not None:
            raise HTTPException(422, f"roles: {grant.role} is a board role; leave school_id empty")
        if grant.role not in BOARD_ROLES and grant.school_id not in schools:
            raise HTTPException(422, f"roles: {grant.role} needs a school_id of your board")
    try:
        async with conn.transaction():
            staff_id = await directory.create_staff(
                conn,
                board_id=who.board_id,
                name=body.name,
                email=str(body.email),
                language=body.language,
            )
            for grant in body.roles:
                await directory.grant_role(
                    conn, staff_id=staff_id, role=grant.role, school_id=grant.school_id
                )
    except UniqueViolation:
        raise HTTPException(
            409,
            "someone with this e-mail address is in the directory already (GET /api/staff);"
            " to give them another role, list it for them in `regie staff import`",
        ) from None
    return StaffOut(
        id=staff_id, name=body.name, email=str(body.email), language=body.language,
        roles=body.roles,
    )  # fmt: skip


@router.get("/api/boards/{board_id}/deadlines")
@reads_only
async def get_deadlines(board_id: str, who: CurrentUser, conn: Db) -> dict[str, Any]:
    if board_id != who.board_id:
        raise HTTPException(404, "no such board, or not yours")
    settings = await directory.deadline_settings(conn, board_id=board_id)
    return settings.model_dump(mode="json")


@router.put("/api/boards/{board_id}/deadlines")
async def set_deadlines(
    board_id: str, changes: dict[str, str], who: CurrentUser, conn: Db
) -> dict[str, Any]:
    """Change steps' deadlines (ISO-8601, e.g. {"assess": "PT4H"}); new incidents use them."""
    if board_id != who.board_id:
        raise HTTPException(404, "no such board, or not yours")
    _board_admin(who)
    unknown = sorted(set(changes) - {s.value for s in Step})
    if unknown:
        raise HTTPException(
            422, f"{', '.join(unknown)}: not a step; use {', '.join(s.value for s in Step)}"
        )
    current = await directory.deadline_settings(conn, board_id=board_id)
    try:
        updated = current.merged({Step(k): v for k, v in changes.items()})
    except ValidationError as exc:
        raise HTTPException(
            422,
            "; ".join(
                f"{'.'.join(str(p) for p in e['loc'][1:]) or 'deadline'}: {e['msg']}"
                for e in exc.errors()
            ),
        ) from None
    await directory.set_deadline_settings(conn, board_id=board_id, settings=updated)
    return DeadlineSettings.model_validate(updated).model_dump(mode="json")


class RetentionTerm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    term: str = Field(
        description="how long personal details stay after an incident closes, ISO-8601"
        " (P2Y, P18M, P400D)",
        examples=["P2Y"],
    )

    @field_validator("term")
    @classmethod
    def _a_term(cls, value: str) -> str:
        parse_term(value)
        return value.strip()


@router.get("/api/boards/{board_id}/retention")
@reads_only
async def get_retention(board_id: str, who: CurrentUser, conn: Db) -> RetentionTerm:
    if board_id != who.board_id or not who.sees_whole_board:
        raise HTTPException(404, "no such board, or not yours")
    return RetentionTerm(term=await retention.board_term(conn, board_id=board_id))


@router.put("/api/boards/{board_id}/retention")
async def set_retention(
    board_id: str, body: RetentionTerm, who: CurrentUser, conn: Db
) -> RetentionTerm:
    """Change the board's retention term; the next daily run erases by it (closed incidents
    past the new term included)."""
    if board_id != who.board_id:
        raise HTTPException(404, "no such board, or not yours")
    if who.task_scope is not None or not who.has_board_role(Role.board_admin, Role.privacy_officer):
        raise forbidden("only the board's functional admin or privacy officer changes retention")
    await retention.set_board_term(
        conn, board_id=board_id, term=body.term, actor_id=who.staff_id, at=datetime.now(UTC)
    )
    return RetentionTerm(term=await retention.board_term(conn, board_id=board_id))


def _board_admin(who: Principal) -> None:
    if who.task_scope is not None or not who.has_board_role(Role.board_admin):
        raise forbidden("only the board's functional admin does this")


def _staff_out(row: dict[str, Any]) -> StaffOut:
    return StaffOut(
        id=row["id"],
        name=row["name"],
        email=row["email"],
        language=row["language"],
        roles=[RoleGrant(role=Role(g["role"]), school_id=g["school_id"]) for g in row["roles"]],
    )
