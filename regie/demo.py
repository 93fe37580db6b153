"""The demo board `regie dev` seeds: a board office, three schools and one person per role.

Every name and address is made up; the addresses use the reserved `.test` top-level domain so
no e-mail can ever reach a real person. The ids are fixed, so a second start finds the board
again instead of making a new one, and seeding is safe to run on every start.
"""

from dataclasses import dataclass

from domain.roles import Role
from store import directory, tokens
from store.db import Pool
from store.directory import Conn

BOARD_ID = "demo-board"
BOARD_NAME = "Stichting Voortgezet Onderwijs Regio Utrecht (demo)"
EMAIL_DOMAIN = "demo.regie.test"


@dataclass(frozen=True)
class DemoSchool:
    id: str
    name: str


@dataclass(frozen=True)
class DemoStaff:
    id: str
    name: str
    email: str
    school_id: str | None  # None: at the board office
    role: Role


SCHOOLS: tuple[DemoSchool, ...] = (
    DemoSchool("demo-school-1", "Het Vechtdal College"),
    DemoSchool("demo-school-2", "Christelijk Lyceum De Linde"),
    DemoSchool("demo-school-3", "Scholengemeenschap Kromme Rijn"),
)

_SCHOOL_PEOPLE: dict[str, tuple[tuple[Role, str], ...]] = {
    "demo-school-1": (
        (Role.coordinator, "Anouk de Vries"),
        (Role.support, "Daan Bakker"),
        (Role.school_leader, "Marieke van den Berg"),
    ),
    "demo-school-2": (
        (Role.coordinator, "Sanne Visser"),
        (Role.support, "Bram Smit"),
        (Role.school_leader, "Jeroen Mulder"),
    ),
    "demo-school-3": (
        (Role.coordinator, "Fleur Jansen"),
        (Role.support, "Thijs de Graaf"),
        (Role.school_leader, "Ingrid Hoekstra"),
    ),
}

_BOARD_PEOPLE: tuple[tuple[Role, str], ...] = (
    (Role.board_safeguarding, "Karin Dijkstra"),
    (Role.communications, "Pieter Verhoeven"),
    (Role.board_admin, "Lotte Kuipers"),
    (Role.auditor, "Hans Brouwer"),
    (Role.privacy_officer, "Noor Bakker"),
)


def _email(name: str) -> str:
    local = name.lower().replace(" ", ".")
    return f"{local}@{EMAIL_DOMAIN}"


def _slug(role: Role) -> str:
    return role.value.replace("_", "-")


def demo_staff() -> list[DemoStaff]:
    """Everyone on the demo board, school staff first, in a fixed order."""
    people: list[DemoStaff] = []
    for number, school in enumerate(SCHOOLS, start=1):
        for role, name in _SCHOOL_PEOPLE[school.id]:
            staff_id = f"demo-staff-{number}-{_slug(role)}"
            people.append(DemoStaff(staff_id, name, _email(name), school.id, role))
    for role, name in _BOARD_PEOPLE:
        people.append(DemoStaff(f"demo-staff-board-{_slug(role)}", name, _email(name), None, role))
    return people


async def _exists(conn: Conn, table: str, row_id: str) -> bool:
    # `table` is one of the fixed names below, never user input.
    cur = await conn.execute(f"SELECT 1 FROM {table} WHERE id = %s", (row_id,))
    return await cur.fetchone() is not None


async def seed_demo(pool: Pool) -> None:
    """Creates whatever part of the demo board is missing; changes nothing that exists."""
    async with pool.connection() as conn, conn.transaction():
        # Two `regie dev` on one database must not both create the board.
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('regie-demo-seed'))")
        if not await _exists(conn, "boards", BOARD_ID):
            await directory.create_board(conn, name=BOARD_NAME, board_id=BOARD_ID)
        for school in SCHOOLS:
            if not await _exists(conn, "schools", school.id):
                await directory.create_school(
                    conn, board_id=BOARD_ID, name=school.name, school_id=school.id
                )
        for person in demo_staff():
            if not await _exists(conn, "staff", person.id):
                await directory.create_staff(
                    conn,
                    board_id=BOARD_ID,
                    name=person.name,
                    email=person.email,
                    staff_id=person.id,
                )
            await directory.grant_role(
                conn, staff_id=person.id, role=person.role, school_id=person.school_id
            )


TOKEN_LABEL = "regie dev demo"


async def demo_tokens(pool: Pool, previous: dict[str, str]) -> dict[str, str]:
    """A personal API token per demo person: the one printed before while it still works.

    `previous` maps staff id to the token from the last `demo.json`; a token that was revoked,
    or that belongs to another database, is replaced by a new one.
    """
    result: dict[str, str] = {}
    async with pool.connection() as conn, conn.transaction():
        for person in demo_staff():
            token = previous.get(person.id)
            if token and await tokens.staff_for_token(conn, token=token) == person.id:
                result[person.id] = token
            else:
                result[person.id] = await tokens.create_token(
                    conn, staff_id=person.id, label=TOKEN_LABEL
                )
    return result
