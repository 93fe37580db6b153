"""The browser tests' stack: the real app on a real port, a worker, Chromium through Playwright.

One stack per module: uvicorn serves `create_app(runtime)` on 127.0.0.1 inside the test
session's event loop, with a worker on the Temporal dev server whose e-mail links point to
that server. Each test makes its own board (`Stack.new_world`), so its mail and tasks are its
own. One Chromium per session; a fresh browser context per test.
"""

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import uvicorn
from axe_playwright_python.async_playwright import Axe  # type: ignore[import-untyped]
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect
from temporalio.testing import WorkflowEnvironment

from activities.deps import Deps
from api.app import create_app
from api.auth import SESSION_COOKIE
from api.runtime import Runtime
from domain.deadlines import DeadlineSettings
from domain.roles import Role
from notifications.catcher import CaughtMessage, MailCatcher, free_port
from notifications.smtp import SmtpSettings
from regie.service import IncidentService
from regie.settings import Settings
from regie.worker import build_worker
from store import sessions
from store.db import Pool
from tests.fixtures.world import SECRET, World, end_all, make_world

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 900}}
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
# What axe reports at these levels fails a test; "moderate" and "minor" are left to review.
BLOCKING_IMPACTS = frozenset({"serious", "critical"})

expect.set_options(timeout=15_000)


class _Server(uvicorn.Server):
    """Leaves Ctrl-C to pytest: the server runs inside the test session's event loop."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@dataclass
class Stack:
    url: str
    pool: Pool
    mail: MailCatcher
    runtime: Runtime
    service: IncidentService
    worlds: list[World] = field(default_factory=list)

    async def new_world(self, *, deadlines: DeadlineSettings | None = None) -> World:
        world = await make_world(self.pool, deadlines=deadlines)
        self.worlds.append(world)
        return world

    async def sign_in(self, context: BrowserContext, staff_id: str) -> None:
        """A web session for `staff_id` in this browser context, as the e-mail link gives."""
        async with self.pool.connection() as conn:
            token = await sessions.create_session(conn, staff_id=staff_id, ttl=timedelta(hours=1))
        await context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": self.url}])

    async def task_mail(
        self, world: World, role: Role, step_title: str, *, school: int = 0
    ) -> CaughtMessage:
        """The task e-mail about `step_title` to the person holding `role` at the school."""
        address = world.emails[world.schools[school].staff[role]]
        [message, *_] = await self.mail.wait_for(
            lambda m: address in m.to and step_title in m.subject and any(self.task_links(m)),
            timeout=20,
        )
        return message

    def task_links(self, message: CaughtMessage) -> list[str]:
        return [link for link in message.links if link.startswith(f"{self.url}/t/")]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def stack(
    dev_env: WorkflowEnvironment, pool: Pool, mail_catcher: MailCatcher
) -> AsyncIterator[Stack]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    task_queue = f"regie-browser-{uuid.uuid4().hex[:8]}"
    # The worker writes the e-mails, so its links must point at this very server: the
    # harness's `running_worker` links to the fixed http://regie.test instead.
    deps = Deps(
        pool=pool, smtp=SmtpSettings.from_url(mail_catcher.url), base_url=url, secret_key=SECRET
    )
    settings = Settings(
        base_url=url, secret_key=SECRET, task_queue=task_queue, smtp_url=mail_catcher.url
    )
    runtime = Runtime(
        settings=settings,
        pool=pool,
        temporal=dev_env.client,
        smtp=SmtpSettings.from_url(mail_catcher.url),
        mail_catcher=mail_catcher,
    )
    server = _Server(
        uvicorn.Config(
            create_app(runtime), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
        )
    )
    made = Stack(url, pool, mail_catcher, runtime, runtime.service)
    async with build_worker(dev_env.client, deps, task_queue=task_queue):
        serving = asyncio.create_task(server.serve())
        try:
            async with asyncio.timeout(10):
                while not server.started:
                    if serving.done():
                        serving.result()  # raises what stopped it
                        raise RuntimeError("the server stopped before it started")
                    await asyncio.sleep(0.02)
            yield made
        finally:
            server.should_exit = True
            await serving
            await _end_incidents(made.worlds, pool, dev_env)


async def _end_incidents(worlds: list[World], pool: Pool, env: WorkflowEnvironment) -> None:
    """Pages start incidents outside any tracking service: end every one of these boards."""
    if not worlds:
        return
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT id FROM incidents WHERE board_id = ANY(%s)", ([w.board_id for w in worlds],)
        )
        ids = [str(r["id"]) for r in await cur.fetchall()]
    await end_all(env.client, ids)


def chromium() -> str:
    if not CHROMIUM.exists():
        pytest.fail(
            f"the browser tests need Debian's Chromium at {CHROMIUM}: run `make browsers` "
            "(as root: apt-get update && apt-get install -y chromium)"
        )
    return str(CHROMIUM)


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{name}.png"


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


@pytest_asyncio.fixture(loop_scope="session")
async def desktop(browser: Browser, stack: Stack) -> AsyncIterator[BrowserContext]:
    context = await browser.new_context(base_url=stack.url, locale="nl-NL", **DESKTOP)
    try:
        yield context
    finally:
        await context.close()


@pytest_asyncio.fixture(loop_scope="session")
async def phone(browser: Browser, stack: Stack) -> AsyncIterator[BrowserContext]:
    context = await browser.new_context(base_url=stack.url, locale="nl-NL", **PHONE)
    try:
        yield context
    finally:
        await context.close()


async def shot(page: Page, name: str) -> Path:
    """A full-page screenshot as a test artifact; every page photographed has no file input."""
    await page.wait_for_load_state("load")
    await expect(page.locator("input[type=file]")).to_have_count(0)
    path = artifact(name)
    await page.screenshot(path=str(path), full_page=True)
    return path


async def assert_accessible(page: Page) -> None:
    """Fails on any axe-core violation of serious or critical impact, naming rule and element."""
    results = await Axe().run(page)
    blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    if blocking:
        lines = [f"axe found {len(blocking)} serious or critical violation(s) on {page.url}:"]
        for violation in blocking:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"]:
                lines.append(f"    {node['target']}: {node.get('failureSummary', '')}")
        pytest.fail("\n".join(lines))
