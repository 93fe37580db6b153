"""`regie staff import FILE.csv`: staff and their roles from a school administration export.

The CSV has a header row with (Dutch or English column names, any order, other columns are
ignored):

    naam,email,school,rol,taal            name,email,school,role,language

`school` is a school's id or exact name (empty for a board-office role), `rol` a Regie role or
its Dutch name (aandachtsfunctionaris, mentor, vertrouwenspersoon, schoolleider, directeur, …),
`taal` nl (default) or en. Comma, semicolon and tab separated files are read, in UTF-8 or
Windows-1252 (what spreadsheet programs write).

Every row is checked before anything is written; one bad row and nothing is imported, with
every problem reported by its line number. Then everything is written in one transaction. A
person who already exists (same e-mail, any case) gets the new roles, not a second record.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from domain.roles import BOARD_ROLES, Role
from store import directory
from store.db import Pool
from store.directory import Conn

_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>.]{2,}$")

COLUMNS: dict[str, tuple[str, ...]] = {
    "naam": ("naam", "name", "volledige naam", "full name", "full_name", "medewerker"),
    "email": ("email", "e-mail", "emailadres", "e-mailadres", "email address", "mail"),
    "school": ("school", "school_id", "schoolnaam", "school name", "vestiging"),
    "rol": ("rol", "role", "functie"),
    "taal": ("taal", "language", "lang"),
}
REQUIRED = ("naam", "email", "school", "rol")

ROLE_ALIASES: dict[str, Role] = {
    "aandachtsfunctionaris": Role.coordinator,
    "zorgcoordinator": Role.coordinator,
    "mentor": Role.support,
    "vertrouwenspersoon": Role.support,
    "begeleider": Role.support,
    "schoolleider": Role.school_leader,
    "directeur": Role.school_leader,
    "locatiedirecteur": Role.school_leader,
    "rector": Role.school_leader,
    "adviseur_sociale_veiligheid": Role.board_safeguarding,
    "veiligheidsadviseur": Role.board_safeguarding,
    "communicatie": Role.communications,
    "communicatieadviseur": Role.communications,
    "woordvoerder": Role.communications,
    "beheerder": Role.board_admin,
    "functioneel_beheerder": Role.board_admin,
    "controleur": Role.auditor,
    "privacy": Role.privacy_officer,
    "fg": Role.privacy_officer,
    "functionaris_gegevensbescherming": Role.privacy_officer,
    "privacyfunctionaris": Role.privacy_officer,
}
LANGUAGES = {
    "": "nl",
    "nl": "nl",
    "nederlands": "nl",
    "dutch": "nl",
    "en": "en",
    "engels": "en",
    "english": "en",
}
# What the school column may say for a board-office role, besides nothing.
BOARD_OFFICE = {"", "bestuur", "bestuursbureau", "board", "board office"}

ROLE_HELP = (
    "coordinator (aandachtsfunctionaris), support (mentor, vertrouwenspersoon), school_leader"
    " (schoolleider, directeur), board_safeguarding, communications, board_admin, auditor,"
    " privacy_officer (fg, functionaris gegevensbescherming)"
)


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class ImportRejected(Exception):
    """Nothing was imported; `errors` says what to fix, by line."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


@dataclass(frozen=True)
class StaffRow:
    line: int
    name: str
    email: str
    school_id: str | None
    role: Role
    language: str


@dataclass
class ImportResult:
    board_id: str
    rows: int = 0
    staff_created: int = 0
    staff_existing: int = 0
    roles_granted: int = 0
    roles_already_held: int = 0
    names_kept: list[str] = field(default_factory=list)


Progress = Callable[[str, int, int], None]  # (phase, done, total)


def _norm(value: str) -> str:
    stripped = unicodedata.normalize("NFKD", value.strip().lower())
    return "".join(c for c in stripped if not unicodedata.combining(c))


def parse_role(value: str) -> Role | None:
    key = re.sub(r"[\s\-]+", "_", _norm(value))
    if key in Role.__members__:
        return Role(key)
    return ROLE_ALIASES.get(key)


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(line number, {column: value}) for every non-empty row; ImportRejected for the header."""
    try:
        text = _decode(path.read_bytes())
    except OSError as error:
        raise ImportRejected([RowError(0, f"cannot read {path}: {error.strerror}")]) from error
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        raise ImportRejected(
            [
                RowError(
                    1,
                    "the file is empty; the first line must be a header like naam,email,school,rol",
                )
            ]
        )
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = _norm(cell)
        for column, aliases in COLUMNS.items():
            if name in aliases and column not in positions:
                positions[column] = index
    missing = [c for c in REQUIRED if c not in positions]
    if missing:
        raise ImportRejected(
            [
                RowError(
                    1,
                    f"the header has no column {c!r} (also accepted: {', '.join(COLUMNS[c][1:])});"
                    " the first line must be a header like naam,email,school,rol,taal",
                )
                for c in missing
            ]
        )
    rows: list[tuple[int, dict[str, str]]] = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        values = {
            column: (cells[index].strip() if index < len(cells) else "")
            for column, index in positions.items()
        }
        rows.append((reader.line_num, values))
    return rows


async def resolve_board(conn: Conn, board_id: str | None) -> str:
    cur = await conn.execute("SELECT id, name FROM boards ORDER BY name, id")
    boards = [(str(r["id"]), str(r["name"])) for r in await cur.fetchall()]
    listing = ", ".join(f"{i} ({n})" for i, n in boards)
    if board_id is not None:
        if any(i == board_id for i, _ in boards):
            return board_id
        hint = f"the boards are: {listing}" if boards else "there are no boards yet"
        raise ImportRejected([RowError(0, f"there is no board {board_id!r}; {hint}")])
    if len(boards) == 1:
        return boards[0][0]
    if not boards:
        raise ImportRejected(
            [RowError(0, "there are no boards yet; create one first (`regie dev` seeds a demo)")]
        )
    raise ImportRejected(
        [RowError(0, f"there are {len(boards)} boards; choose one with --board: {listing}")]
    )


async def validate(
    conn: Conn,
    *,
    board_id: str,
    rows: list[tuple[int, dict[str, str]]],
    progress: Progress | None = None,
) -> tuple[list[StaffRow], list[RowError]]:
    cur = await conn.execute("SELECT id, name FROM schools WHERE board_id = %s", (board_id,))
    schools = [(str(r["id"]), str(r["name"])) for r in await cur.fetchall()]
    by_id = {i: i for i, _ in schools}
    by_name = {n: i for i, n in schools}
    by_folded_name = {_norm(n): i for i, n in schools}
    emails = [values.get("email", "").lower() for _, values in rows]
    cur = await conn.execute(
        "SELECT lower(email) AS email, board_id FROM staff WHERE lower(email) = ANY(%s)",
        (emails,),
    )
    other_board = {str(r["email"]) for r in await cur.fetchall() if r["board_id"] != board_id}
    school_names = ", ".join(sorted(n for _, n in schools)) or "(this board has no schools)"

    valid: list[StaffRow] = []
    errors: list[RowError] = []
    seen: dict[tuple[str, Role, str | None], int] = {}
    names: dict[str, tuple[str, int]] = {}
    for done, (line, values) in enumerate(rows, start=1):
        problems: list[str] = []
        name = " ".join(values.get("naam", "").split())
        email = values.get("email", "").strip()
        if not name:
            problems.append("the name (naam) is empty; fill in the person's full name")
        if not email:
            problems.append("the e-mail is empty; fill in the person's work address")
        elif not _EMAIL.match(email):
            problems.append(f"{email!r} is not an e-mail address; use e.g. naam@school.nl")
        elif email.lower() in other_board:
            problems.append(
                f"{email} belongs to a staff member of another board; one address, one board"
            )
        raw_role = values.get("rol", "")
        role = parse_role(raw_role)
        if role is None:
            what = f"unknown role {raw_role!r}" if raw_role.strip() else "the role (rol) is empty"
            problems.append(f"{what}; use one of: {ROLE_HELP}")
        raw_school = values.get("school", "").strip()
        school_id: str | None = None
        if role is not None and role in BOARD_ROLES:
            if _norm(raw_school) not in BOARD_OFFICE:
                problems.append(
                    f"{role.value} is a role at the board office, for all schools; leave the"
                    f" school empty (it says {raw_school!r})"
                )
        elif not raw_school:
            if role is not None:
                problems.append(
                    f"{role.value} is a school role; fill in the school's id or exact name"
                )
        else:
            school_id = (
                by_id.get(raw_school)
                or by_name.get(raw_school)
                or by_folded_name.get(_norm(raw_school))
            )
            if school_id is None:
                problems.append(
                    f"unknown school {raw_school!r}; use the id or exact name of one of this"
                    f" board's schools: {school_names}"
                )
        raw_language = values.get("taal", "")
        language = LANGUAGES.get(_norm(raw_language))
        if language is None:
            problems.append(f"unknown language {raw_language!r}; use nl or en (empty means nl)")
        if not problems and role is not None and language is not None:
            key = (email.lower(), role, school_id)
            if key in seen:
                problems.append(
                    f"duplicate of line {seen[key]} (same e-mail, role and school); remove one"
                )
            elif email.lower() in names and names[email.lower()][0] != name:
                other_name, other_line = names[email.lower()]
                problems.append(
                    f"{email} is {other_name!r} on line {other_line}; one address, one name"
                )
            else:
                seen[key] = line
                names.setdefault(email.lower(), (name, line))
                valid.append(StaffRow(line, name, email, school_id, role, language))
        errors.extend(RowError(line, p) for p in problems)
        if progress:
            progress("Checking", done, len(rows))
    return valid, errors


async def write(
    conn: Conn, *, board_id: str, rows: list[StaffRow], progress: Progress | None = None
) -> ImportResult:
    """Writes valid rows; the caller holds the transaction."""
    result = ImportResult(board_id=board_id, rows=len(rows))
    cur = await conn.execute(
        "SELECT id, lower(email) AS email, name FROM staff WHERE lower(email) = ANY(%s)",
        ([r.email.lower() for r in rows],),
    )
    existing = {str(r["email"]): (str(r["id"]), str(r["name"])) for r in await cur.fetchall()}
    ids = {email: staff_id for email, (staff_id, _) in existing.items()}
    result.staff_existing = len(existing)
    cur = await conn.execute(
        "SELECT staff_id, role, school_id FROM staff_roles WHERE staff_id = ANY(%s)",
        (list(ids.values()),),
    )
    held = {(str(r["staff_id"]), str(r["role"]), r["school_id"]) for r in await cur.fetchall()}
    for done, row in enumerate(rows, start=1):
        key = row.email.lower()
        if key not in ids:
            ids[key] = await directory.create_staff(
                conn, board_id=board_id, name=row.name, email=row.email, language=row.language
            )
            result.staff_created += 1
        elif key in existing and existing[key][1] != row.name:
            result.names_kept.append(f"{existing[key][1]} <{row.email}> (line {row.line})")
            existing[key] = (existing[key][0], row.name)  # report once
        grant = (ids[key], row.role.value, row.school_id)
        if grant in held:
            result.roles_already_held += 1
        else:
            await directory.grant_role(
                conn, staff_id=ids[key], role=row.role, school_id=row.school_id
            )
            held.add(grant)
            result.roles_granted += 1
        if progress:
            progress("Writing", done, len(rows))
    return result


async def import_staff(
    pool: Pool, path: Path, *, board_id: str | None = None, progress: Progress | None = None
) -> ImportResult:
    """Validates the whole file, then writes it in one transaction; ImportRejected otherwise."""
    rows = read_rows(path)
    async with pool.connection() as conn, conn.transaction():
        board = await resolve_board(conn, board_id)
        if not rows:
            raise ImportRejected([RowError(1, "the file has a header but no rows")])
        valid, errors = await validate(conn, board_id=board, rows=rows, progress=progress)
        if errors:
            raise ImportRejected(errors)
        return await write(conn, board_id=board, rows=valid, progress=progress)
