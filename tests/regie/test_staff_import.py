"""`regie staff import`: a school administration export in, staff and roles out, all or nothing."""

import asyncio
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from domain.roles import Role
from regie.staff_import import ImportRejected, import_staff, parse_role
from store import directory
from store.db import Pool


async def _board(pool: Pool) -> tuple[str, str, str, str]:
    tag = uuid.uuid4().hex[:8]
    async with pool.connection() as conn:
        board_id = await directory.create_board(conn, name=f"Stichting Import {tag}")
        first = await directory.create_school(conn, board_id=board_id, name=f"Het Lyceum {tag}")
        second = await directory.create_school(conn, board_id=board_id, name=f"De Mavo {tag}")
        await conn.commit()
    return board_id, first, second, tag


async def _roles(pool: Pool, board_id: str) -> list[tuple[str, str, str | None]]:
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT lower(s.email) AS email, r.role, r.school_id FROM staff s"
            " JOIN staff_roles r ON r.staff_id = s.id WHERE s.board_id = %s"
            " ORDER BY 1, 2, 3",
            (board_id,),
        )
        return [(r["email"], r["role"], r["school_id"]) for r in await cur.fetchall()]


async def _staff_count(pool: Pool, board_id: str) -> int:
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT count(*) AS n FROM staff WHERE board_id = %s", (board_id,))
        row = await cur.fetchone()
        assert row is not None
        return int(row["n"])


def _csv(tmp_path: Path, text: str, name: str = "staff.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


async def test_a_valid_export_imports_staff_and_roles(pool: Pool, tmp_path: Path) -> None:
    board_id, lyceum, mavo, tag = await _board(pool)
    path = _csv(
        tmp_path,
        "naam,email,school,rol,taal\n"
        f"Eva Postma,eva.{tag}@school.test,Het Lyceum {tag},aandachtsfunctionaris,nl\n"
        f"Joost Kok,joost.{tag}@school.test,{mavo},Mentor,\n"
        f"Eva Postma,EVA.{tag}@school.test,De Mavo {tag},schoolleider,nl\n"
        f"Ruud Bos,ruud.{tag}@school.test,,board_safeguarding,en\n",
    )
    phases: list[str] = []

    result = await import_staff(
        pool, path, board_id=board_id, progress=lambda phase, done, total: phases.append(phase)
    )

    assert (result.rows, result.staff_created, result.roles_granted) == (4, 3, 4)
    assert await _roles(pool, board_id) == sorted(
        [
            (f"eva.{tag}@school.test", "coordinator", lyceum),
            (f"eva.{tag}@school.test", "school_leader", mavo),
            (f"joost.{tag}@school.test", "support", mavo),
            (f"ruud.{tag}@school.test", "board_safeguarding", None),
        ],
        key=lambda r: (r[0], r[1], r[2] or ""),
    )
    assert {"Checking", "Writing"} <= set(phases)
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT language FROM staff WHERE email = %s", (f"ruud.{tag}@school.test",)
        )
        assert await cur.fetchone() == {"language": "en"}


async def test_english_headers_and_semicolons_are_read(pool: Pool, tmp_path: Path) -> None:
    board_id, lyceum, _mavo, tag = await _board(pool)
    path = _csv(
        tmp_path,
        f"Name;E-mail;School;Role;Language\nAda Wit;ada.{tag}@school.test;{lyceum};support;en\n",
    )
    result = await import_staff(pool, path, board_id=board_id)
    assert result.roles_granted == 1
    assert await _roles(pool, board_id) == [(f"ada.{tag}@school.test", "support", lyceum)]


async def test_bad_rows_are_all_reported_by_line_and_nothing_is_written(
    pool: Pool, tmp_path: Path
) -> None:
    board_id, lyceum, _mavo, tag = await _board(pool)
    path = _csv(
        tmp_path,
        "naam,email,school,rol,taal\n"
        f"Goede Regel,goed.{tag}@school.test,{lyceum},coordinator,nl\n"  # 2: fine
        f"Onbekende School,a.{tag}@school.test,Het Andere College,coordinator,nl\n"  # 3
        f"Onbekende Rol,b.{tag}@school.test,{lyceum},conciërge,nl\n"  # 4
        f"Slecht Adres,geen-adres,{lyceum},mentor,nl\n"  # 5
        f",c.{tag}@school.test,{lyceum},mentor,nl\n"  # 6: no name
        f"Goede Regel,goed.{tag}@school.test,{lyceum},coordinator,nl\n"  # 7: duplicate of 2
        f"Bestuur Met School,d.{tag}@school.test,{lyceum},auditor,nl\n"  # 8
        f"Vreemde Taal,e.{tag}@school.test,{lyceum},mentor,fr\n",  # 9
    )

    with pytest.raises(ImportRejected) as rejected:
        await import_staff(pool, path, board_id=board_id)

    by_line = {e.line: e.message for e in rejected.value.errors}
    assert sorted(by_line) == [3, 4, 5, 6, 7, 8, 9]
    assert "unknown school 'Het Andere College'" in by_line[3]
    assert "unknown role 'conciërge'" in by_line[4] and "aandachtsfunctionaris" in by_line[4]
    assert "not an e-mail address" in by_line[5]
    assert "name" in by_line[6]
    assert "duplicate of line 2" in by_line[7]
    assert "leave the school empty" in by_line[8]
    assert "use nl or en" in by_line[9]
    assert await _staff_count(pool, board_id) == 0


async def test_reimport_adds_roles_without_duplicating_people(pool: Pool, tmp_path: Path) -> None:
    board_id, lyceum, mavo, tag = await _board(pool)
    first = _csv(
        tmp_path,
        f"naam,email,school,rol\nIris Kok,iris.{tag}@school.test,{lyceum},coordinator\n",
        "first.csv",
    )
    second = _csv(
        tmp_path,
        "naam,email,school,rol\n"
        f"Iris Kok,Iris.{tag}@School.test,{lyceum},coordinator\n"
        f"Iris Kok,iris.{tag}@school.test,{mavo},vertrouwenspersoon\n",
        "second.csv",
    )

    await import_staff(pool, first, board_id=board_id)
    result = await import_staff(pool, second, board_id=board_id)

    assert (result.staff_created, result.roles_granted, result.roles_already_held) == (0, 1, 1)
    assert await _staff_count(pool, board_id) == 1
    assert [(r[1], r[2]) for r in await _roles(pool, board_id)] == sorted(
        [("coordinator", lyceum), ("support", mavo)]
    )


async def test_an_unknown_board_is_refused_with_the_boards_to_choose_from(
    pool: Pool, tmp_path: Path
) -> None:
    _board_id, lyceum, _mavo, tag = await _board(pool)
    path = _csv(tmp_path, f"naam,email,school,rol\nA B,ab.{tag}@school.test,{lyceum},mentor\n")
    with pytest.raises(ImportRejected, match="there is no board 'nope'"):
        await import_staff(pool, path, board_id="nope")


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    from regie.staff_import import read_rows

    with pytest.raises(ImportRejected, match="no column 'rol'"):
        read_rows(_csv(tmp_path, "naam,email,school\nA,a@b.nl,x\n"))


def test_dutch_role_names() -> None:
    assert parse_role("Aandachtsfunctionaris") == Role.coordinator
    assert parse_role("vertrouwenspersoon") == Role.support
    assert parse_role(" Directeur ") == Role.school_leader
    assert parse_role("school leader") == Role.school_leader
    assert parse_role("coördinator") == Role.coordinator
    assert parse_role("conciërge") is None


async def test_the_command_reports_every_bad_row(
    pool: Pool, database_url: str, tmp_path: Path
) -> None:
    from regie.cli import app

    board_id, _lyceum, _mavo, _tag = await _board(pool)
    path = _csv(tmp_path, "naam,email,school,rol\n,x,nergens,baas\nA B,a@b.nl,nergens,mentor\n")
    # The command runs its own event loop, so it gets a thread of its own.
    result = await asyncio.to_thread(
        CliRunner().invoke,
        app,
        ["staff", "import", str(path), "--board", board_id],
        env={"DATABASE_URL": database_url},
    )
    assert result.exit_code == 1, result.output
    assert "Nothing was imported" in result.output
    assert "line 2: the name (naam) is empty" in result.output
    assert "line 3: unknown school 'nergens'" in result.output
    assert await _staff_count(pool, board_id) == 0
