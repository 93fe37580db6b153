"""Encryption keys: rotation keeps every value readable; a moved value or a wrong key fails.

Rotation rewrites every row of a database, so these tests use a database of their own rather
than the session's (whose rows other tests wrote under the test key).
"""

import asyncio
import base64
import stat
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from typer.testing import CliRunner

from domain.forms.assess import PersonRole
from regie.cli import app as cli
from regie.devstack import configure_dev_keys
from store import answers, crypto, directory, documents, incidents, lessons, policy_reviews
from store.crypto import DecryptionError, KeyConfigError, Keyring
from store.db import Pool, open_pool
from store.rotation import ENCRYPTED_COLUMNS, keys_in_use, rotate_all
from tests.fixtures.keys import TEST_KEYRING

K1 = base64.b64encode(b"1" * 32).decode()
K2 = base64.b64encode(b"2" * 32).decode()
PUPIL = "Zwaantje Oosterbroek-Pietersma"
NOTE = "vertrouwelijk-briefje-7Q3X"


@pytest.fixture
def keys() -> Iterator[None]:
    """Each test picks its keyring; the test key is back for the tests after it."""
    try:
        yield
    finally:
        crypto.configure(TEST_KEYRING)


@pytest_asyncio.fixture
async def own_pool(own_database: str) -> AsyncIterator[Pool]:
    pool = await open_pool(own_database, max_size=4)
    try:
        yield pool
    finally:
        await pool.close()


async def write_everything(pool: Pool, count: int = 3) -> list[str]:
    """`count` incidents with a value in every encrypted column, written by the store."""
    ids: list[str] = []
    async with pool.connection() as conn:
        board = await directory.create_board(conn, name="Stichting Sleutels")
        school = await directory.create_school(conn, board_id=board, name="Sleutelcollege")
        staff = await directory.create_staff(
            conn, board_id=board, name="Mentor", email=f"m.{uuid.uuid4().hex[:6]}@school.test"
        )
        for n in range(count):
            incident = await incidents.create_incident(
                conn, school_id=school, summary=f"{PUPIL} {n}", created_by=None
            )
            await incidents.add_persons(
                conn, incident_id=incident.id, persons=[(PersonRole.victim, f"{PUPIL} {n}", True)]
            )
            task_id = f"task-{incident.id}"
            await conn.execute(
                "INSERT INTO tasks (id, incident_id, step, kind, status)"
                " VALUES (%s, %s, 'assess', 'assess', 'open')",
                (task_id, incident.id),
            )
            answer_id = await answers.insert_pending(
                conn,
                task_id=task_id,
                incident_id=incident.id,
                kind="assess",
                actor_id=staff,
                body={"notes": f"{NOTE} {n}", "image_kinds": ["nude_or_sexual"]},
            )
            await answers.accept(conn, answer_id=answer_id)
            await answers.insert_note(
                conn, incident_id=incident.id, kind="cancel", body=f"{NOTE} {n}", actor_id=None
            )
            await documents.upsert(
                conn,
                document_id=f"doc-{incident.id}",
                incident_id=incident.id,
                task_id=None,
                kind="parent_letter",
                body=f"Brief {n}",
                status="prepared",
            )
            await lessons.store_lessons(
                conn,
                incident_id=incident.id,
                went_well=f"snel {n}",
                can_be_better=f"beter {n}",
                policy_change_needed=True,
                policy_change=f"beleid {n}",
            )
            ids.append(incident.id)
        review = f"review-{school}"
        await policy_reviews.start_review(
            conn, review_id=review, school_id=school, started_at=datetime.now(UTC), stats={}
        )
        await policy_reviews.close_review(
            conn,
            review_id=review,
            at=datetime.now(UTC),
            policy_changed=True,
            change="Appgroepen in het beleid",
            new_version_date=None,
        )
        # A row from before encryption existed: plaintext, as an old database holds it.
        await conn.execute(
            "INSERT INTO notes (id, incident_id, kind, body) VALUES (%s, %s, 'cancel', %s)",
            (f"old-{ids[0]}", ids[0], f"oud {NOTE}"),
        )
    return ids


async def read_everything(pool: Pool, ids: list[str]) -> dict[str, Any]:
    """Every value back through the store (notes have no reader: decrypted by hand)."""
    keyring = crypto.keyring()
    seen: dict[str, Any] = {}
    async with pool.connection() as conn:
        for n, incident_id in enumerate(ids):
            seen[f"persons {n}"] = await incidents.persons(conn, incident_ids=[incident_id])
            docs = await documents.of_incident(conn, incident_id=incident_id, kind="parent_letter")
            seen[f"document {n}"] = [d["body"] for d in docs]
            cur = await conn.execute(
                "SELECT id FROM answers WHERE incident_id = %s", (incident_id,)
            )
            for row in await cur.fetchall():
                seen[f"answer {n}"] = await answers.get_body(conn, answer_id=str(row["id"]))
            cur = await conn.execute("SELECT summary FROM incidents WHERE id = %s", (incident_id,))
            summary = await cur.fetchone()
            assert summary is not None
            seen[f"summary {n}"] = keyring.decrypt(
                summary["summary"], table="incidents", column="summary"
            )
            cur = await conn.execute(
                "SELECT body FROM notes WHERE incident_id = %s ORDER BY id", (incident_id,)
            )
            seen[f"notes {n}"] = [
                keyring.decrypt(r["body"], table="notes", column="body")
                for r in await cur.fetchall()
            ]
        cur = await conn.execute("SELECT school_id FROM lessons LIMIT 1")
        lesson = await cur.fetchone()
        assert lesson is not None
        school = str(lesson["school_id"])
        seen["lessons"] = [
            {k: v for k, v in r.items() if k != "created_at"}
            for r in await lessons.lessons_of_school(conn, school_id=school)
        ]
        seen["reviews"] = [
            r["change"] for r in await policy_reviews.reviews_of_school(conn, school_id=school)
        ]
        seen["stats"] = await policy_reviews.year_stats(
            conn,
            school_id=school,
            since=datetime(2000, 1, 1, tzinfo=UTC),
            until=datetime(2100, 1, 1, tzinfo=UTC),
        )
    return seen


async def raw_text(pool: Pool) -> str:
    """Every encrypted column as stored, in one string."""
    parts: list[str] = []
    async with pool.connection() as conn:
        for column in ENCRYPTED_COLUMNS:
            cur = await conn.execute(
                f"SELECT {column.column}::text AS v FROM {column.table}"  # names from our tuple
            )
            parts.extend(str(r["v"]) for r in await cur.fetchall())
    return "\n".join(parts)


async def test_rotation_keeps_every_value_readable_and_leaves_nothing_under_the_old_key(
    own_pool: Pool, keys: None
) -> None:
    crypto.configure(crypto.parse_keys(f"k1:{K1}"))
    ids = await write_everything(own_pool)
    before = await read_everything(own_pool, ids)
    assert before["persons 0"] == [("Leerling A", f"{PUPIL} 0")]
    assert before["answer 1"]["notes"] == f"{NOTE} 1"
    assert set(before["notes 0"]) == {f"{NOTE} 0", f"oud {NOTE}"}
    assert before["reviews"] == ["Appgroepen in het beleid"]
    assert before["stats"]["per_kind"] == {"nude_or_sexual": 3}
    stored = await raw_text(own_pool)
    assert PUPIL not in stored and "enc:v1:k1:" in stored
    assert f"oud {NOTE}" in stored  # the pre-encryption row, until rotation

    # Step 1 of a rotation: every process gets both keys, the new one active.
    both = crypto.parse_keys(f"k1:{K1},k2:{K2}", active="k2")
    crypto.configure(both)
    assert await read_everything(own_pool, ids) == before  # old values still read
    progress: list[tuple[str, int, int]] = []
    rewritten = await rotate_all(
        own_pool, keys=both, batch_size=2, progress=lambda c, d, t: progress.append((c.name, d, t))
    )
    expected_values = 3 * 8 + 1 + 1  # 8 columns per incident, the review, the old note
    assert sum(rewritten.values()) == expected_values
    assert ("incident_persons.name", 3, 3) in progress  # batches of 2: 2, then 3 of 3
    assert ("incident_persons.name", 2, 3) in progress

    stored = await raw_text(own_pool)
    assert "enc:v1:k1:" not in stored and f"oud {NOTE}" not in stored
    assert await keys_in_use(own_pool) == {"k2": expected_values}

    # Step 2: the old key is removed; everything still reads.
    crypto.configure(crypto.parse_keys(f"k2:{K2}"))
    assert await read_everything(own_pool, ids) == before

    # Safe to re-run: nothing left to do.
    again = await rotate_all(own_pool, keys=crypto.keyring())
    assert sum(again.values()) == 0


async def test_a_value_under_a_key_no_longer_configured_says_which_key_to_add(
    own_pool: Pool, keys: None
) -> None:
    crypto.configure(crypto.parse_keys(f"k1:{K1}"))
    ids = await write_everything(own_pool, count=1)
    crypto.configure(crypto.parse_keys(f"k2:{K2}"))
    with pytest.raises(KeyConfigError, match=r"key 'k1'.*REGIE_KEYS"):
        await read_everything(own_pool, ids)
    # Rotation cannot help either: it stops and says why, touching nothing it cannot read.
    with pytest.raises(KeyConfigError, match="k1"):
        await rotate_all(own_pool, keys=crypto.keyring())


async def test_a_value_moved_to_another_column_does_not_decrypt(own_pool: Pool, keys: None) -> None:
    crypto.configure(crypto.parse_keys(f"k1:{K1}"))
    ids = await write_everything(own_pool, count=1)
    # Someone with database access copies a pupil's name into a letter the school will send.
    async with own_pool.connection() as conn:
        await conn.execute(
            "UPDATE documents SET body = (SELECT name FROM incident_persons"
            " WHERE incident_id = %s) WHERE incident_id = %s",
            (ids[0], ids[0]),
        )
    async with own_pool.connection() as conn:
        with pytest.raises(DecryptionError, match=r"documents\.body.*another column"):
            await documents.of_incident(conn, incident_id=ids[0], kind="parent_letter")


def test_associated_data_binds_a_value_to_its_table_and_column() -> None:
    keyring = crypto.parse_keys(f"k1:{K1}")
    sealed = keyring.encrypt(PUPIL, table="incident_persons", column="name")
    assert keyring.decrypt(sealed, table="incident_persons", column="name") == PUPIL
    for table, column in (("notes", "body"), ("incidents", "summary"), ("lessons", "name")):
        with pytest.raises(DecryptionError):
            keyring.decrypt(sealed, table=table, column=column)


def test_every_value_gets_its_own_nonce() -> None:
    keyring = crypto.parse_keys(f"k1:{K1}")
    one = keyring.encrypt(PUPIL, table="notes", column="body")
    two = keyring.encrypt(PUPIL, table="notes", column="body")
    assert one != two and one.startswith("enc:v1:k1:") and PUPIL not in one


def test_a_wrong_key_fails_with_a_clear_error() -> None:
    sealed = crypto.parse_keys(f"k1:{K1}").encrypt(PUPIL, table="notes", column="body")
    impostor = crypto.parse_keys(f"k1:{K2}")  # same id, other bytes
    with pytest.raises(DecryptionError) as caught:
        impostor.decrypt(sealed, table="notes", column="body")
    message = str(caught.value)
    assert "key 'k1'" in message and "REGIE_KEYS" in message and PUPIL not in message
    # An altered value fails the same way.
    good = crypto.parse_keys(f"k1:{K1}")
    tampered = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    with pytest.raises(DecryptionError):
        good.decrypt(tampered, table="notes", column="body")


def test_plaintext_from_before_encryption_reads_as_it_is() -> None:
    keyring = crypto.parse_keys(f"k1:{K1}")
    assert keyring.decrypt("Een oude notitie", table="notes", column="body") == "Een oude notitie"
    assert keyring.decrypt_json({"notes": "oud"}, table="answers", column="body") == {
        "notes": "oud"
    }


def test_no_key_configured_says_what_to_set(tmp_path: Path) -> None:
    with pytest.raises(KeyConfigError, match=r"REGIE_KEYS=k1:.*REGIE_KEYS_FILE"):
        crypto.from_environment({})
    with pytest.raises(KeyConfigError, match=r"REGIE_KEYS_FILE=.*cannot be read"):
        crypto.from_environment({"REGIE_KEYS_FILE": str(tmp_path / "missing")})
    with pytest.raises(KeyConfigError, match="32"):
        crypto.parse_keys(f"k1:{base64.b64encode(b'short').decode()}")
    with pytest.raises(KeyConfigError, match="not among"):
        crypto.from_environment({"REGIE_KEYS": f"k1:{K1}", "REGIE_ACTIVE_KEY": "k9"})


def test_keys_from_the_environment_or_a_file(tmp_path: Path) -> None:
    inline = crypto.from_environment({"REGIE_KEYS": f"k1:{K1}, k2:{K2}"})
    assert inline.active == "k2" and set(inline.keys) == {"k1", "k2"}
    chosen = crypto.from_environment({"REGIE_KEYS": f"k1:{K1},k2:{K2}", "REGIE_ACTIVE_KEY": "k1"})
    assert chosen.active == "k1"
    path = tmp_path / "keys"
    path.write_text(f"# Regie's keys\nk1:{K1}\nk2:{K2}\nactive=k1\n")
    from_file = crypto.from_environment({"REGIE_KEYS_FILE": str(path)})
    assert from_file == Keyring(keys={"k1": b"1" * 32, "k2": b"2" * 32}, active="k1")


def test_regie_dev_makes_a_key_once_and_keeps_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keys: None
) -> None:
    for name in ("REGIE_KEYS", "REGIE_KEYS_FILE", "REGIE_ACTIVE_KEY"):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    source = configure_dev_keys(home)
    assert "development key" in source
    key_file = home / "keys"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    first = crypto.keyring()
    sealed = first.encrypt(PUPIL, table="notes", column="body")
    configure_dev_keys(home)  # the next `regie dev`
    assert crypto.keyring() == first
    assert crypto.keyring().decrypt(sealed, table="notes", column="body") == PUPIL


def test_regie_keys_rotate_on_the_command_line(
    own_database: str, monkeypatch: pytest.MonkeyPatch, keys: None
) -> None:
    """Sync on purpose: the command runs its own event loop, as it does in a terminal."""

    async def seed() -> list[str]:
        pool = await open_pool(own_database, max_size=2)
        try:
            return await write_everything(pool, count=2)
        finally:
            await pool.close()

    crypto.configure(crypto.parse_keys(f"k1:{K1}"))
    asyncio.run(seed())
    env = {
        "DATABASE_URL": own_database,
        "REGIE_KEYS": f"k1:{K1},k2:{K2}",
        "REGIE_ACTIVE_KEY": "k2",
        "REGIE_KEYS_FILE": "",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    runner = CliRunner()
    done = runner.invoke(cli, ["keys", "rotate", "--batch-size", "3"])
    assert done.exit_code == 0, done.output
    assert "Re-encrypted 18 value(s) with key k2" in done.output
    status = runner.invoke(cli, ["keys", "status"])
    assert status.exit_code == 0, status.output
    assert "k2 (active): 18 value(s)" in status.output and "k1" not in status.output
    again = runner.invoke(cli, ["keys", "rotate"])
    assert again.exit_code == 0 and "Re-encrypted 0 value(s)" in again.output

    monkeypatch.delenv("REGIE_KEYS")
    missing = runner.invoke(cli, ["keys", "rotate"])
    assert missing.exit_code == 2
    assert "REGIE_KEYS=" in missing.output


def test_regie_keys_new_prints_a_usable_key() -> None:
    done = CliRunner().invoke(cli, ["keys", "new", "k7"])
    assert done.exit_code == 0, done.output
    entry = done.output.strip()
    assert crypto.parse_keys(entry).active == "k7"
