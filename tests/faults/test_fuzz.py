"""Bad input, briefly: schemathesis against the served API with a real token.

A bounded run (a few cases per operation, no stateful phase) over the real stack: no 5xx, and
every status code, header and body as /openapi.json declares. `python -m bench.fuzz` runs it
at scale with two roles.
"""

from temporalio.testing import WorkflowEnvironment

from api.runtime import Runtime
from bench.fuzz import run_schemathesis, serve
from domain.roles import Role
from notifications.catcher import MailCatcher
from store import tokens
from store.db import Pool
from tests.fixtures.api import make_runtime
from tests.fixtures.world import make_world, running_worker

EXAMPLES = 3


async def test_generated_requests_get_declared_answers_and_no_5xx(
    dev_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher, tmp_path
) -> None:
    world = await make_world(pool)
    async with running_worker(dev_env.client, pool, mail) as harness:
        runtime: Runtime = make_runtime(pool, dev_env, mail, harness.task_queue)
        # Something real to find: an incident with open tasks at the token owner's school.
        await harness.service.start_incident(
            school_id=world.school.id, summary="fuzz", created_by=None
        )
        async with pool.connection() as conn:
            token = await tokens.create_token(
                conn, staff_id=world.school.staff[Role.coordinator], label="fuzz"
            )
        async with serve(runtime) as base_url:
            result = await run_schemathesis(
                base_url,
                token,
                label="coordinator",
                examples=EXAMPLES,
                phases="examples,coverage,fuzzing",
                report_dir=tmp_path,
            )
    print(result.line())
    assert result.cases > 0, result.output[-3000:]
    assert result.ok, result.output[-6000:]
