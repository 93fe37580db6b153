"""Single sign-on in Chromium: the button on the sign-in page, the provider's own pages, and
where a person lands; axe checks the new pages. The provider is the real one of
tests/fixtures/openid_provider.py, redirecting to a Regie served by uvicorn on a real port.
"""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import pytest_asyncio
import uvicorn
from playwright.async_api import Browser, Page, expect
from pydantic import SecretStr
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from api.runtime import Runtime
from domain.roles import Role
from notifications.catcher import MailCatcher, free_port
from notifications.smtp import SmtpSettings
from regie.settings import Settings
from store.db import Pool
from tests.browser.conftest import DESKTOP, _Server, assert_accessible, shot
from tests.fixtures.openid_provider import OpenIdProvider, running_provider
from tests.fixtures.world import SECRET, World, make_world


@dataclass
class SsoSite:
    url: str
    provider: OpenIdProvider
    world: World


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def site(
    tmp_path_factory: pytest.TempPathFactory,
    dev_env: WorkflowEnvironment,
    pool: Pool,
    mail_catcher: MailCatcher,
) -> AsyncIterator[SsoSite]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    workdir = tmp_path_factory.mktemp("oidc-browser")
    with running_provider(
        workdir, claims_in="id_token", redirect_uri=f"{url}/login/oidc/callback"
    ) as provider:
        settings = Settings(
            base_url=url,
            secret_key=SECRET,
            smtp_url=mail_catcher.url,
            oidc_issuer=provider.issuer,
            oidc_client_id=provider.client_id,
            oidc_client_secret=SecretStr(provider.client_secret),
            oidc_display_name="Microsoft",
        )
        runtime = Runtime(
            settings=settings,
            pool=pool,
            temporal=dev_env.client,
            smtp=SmtpSettings.from_url(mail_catcher.url),
        )
        server = _Server(
            uvicorn.Config(create_app(runtime), host="127.0.0.1", port=port, log_level="warning")
        )
        serving = asyncio.create_task(server.serve())
        try:
            async with asyncio.timeout(10):
                while not server.started:
                    if serving.done():
                        serving.result()
                        raise RuntimeError("the server stopped before it started")
                    await asyncio.sleep(0.02)
            yield SsoSite(url, provider, await make_world(pool, schools=1))
        finally:
            server.should_exit = True
            await serving


async def sign_in_at_provider(page: Page, login: str) -> None:
    """The provider's development login and consent pages, as a person fills them in."""
    await page.locator("input[name=login]").fill(login)
    await page.locator("input[name=password]").fill("any")
    await page.locator("button[type=submit]").click()
    await page.locator("button[type=submit]").click()  # consent: "Continue"


@pytest.mark.asyncio(loop_scope="session")
async def test_staff_sign_in_with_the_button_and_strangers_read_what_to_do(
    browser: Browser, site: SsoSite
) -> None:
    coordinator = site.world.school.staff[Role.coordinator]
    site.provider.add_account("coordinator", email=site.world.emails[coordinator])
    site.provider.add_account("stranger", email=f"stranger.{site.world.tag}@school.test")

    context = await browser.new_context(base_url=site.url, locale="nl-NL", **DESKTOP)
    try:
        page = await context.new_page()
        await page.goto("/")  # not signed in: the sign-in page, with the button
        button = page.get_by_role("link", name="Inloggen met Microsoft")
        await expect(button).to_be_visible()
        await assert_accessible(page)
        await shot(page, "sso-login")
        await button.click()
        await sign_in_at_provider(page, "coordinator")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Mijn taken")
        await expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
    finally:
        await context.close()

    context = await browser.new_context(base_url=site.url, locale="nl-NL", **DESKTOP)
    try:
        page = await context.new_page()
        await page.goto("/login")
        await page.get_by_role("link", name="Inloggen met Microsoft").click()
        await sign_in_at_provider(page, "stranger")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen is niet gelukt")
        await expect(page.get_by_role("alert")).to_contain_text("functioneel beheerder")
        await assert_accessible(page)
        await shot(page, "sso-refused")
        assert not [c for c in await context.cookies() if c["name"] == "regie_session"]
    finally:
        await context.close()
