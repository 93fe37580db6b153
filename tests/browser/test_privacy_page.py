"""The privacy officer's page in Chromium: a request for access shown, an erasure confirmed;
axe checks both states."""

from playwright.async_api import BrowserContext, expect

from domain.roles import Role
from domain.steps import Step
from tests import answers
from tests.browser.conftest import Stack, assert_accessible, shot
from tests.drive import complete, wait_open


async def test_the_privacy_officer_answers_a_request_in_the_browser(
    stack: Stack, desktop: BrowserContext
) -> None:
    world = await stack.new_world()
    incident_id = await stack.service.start_incident(
        school_id=world.school.id, summary="Beelden gedeeld in een appgroep", created_by=None
    )
    await wait_open(stack.service, incident_id, Step.assess)
    await complete(stack.service, incident_id, Step.assess, answers.assess())

    await stack.sign_in(desktop, world.board_staff[Role.privacy_officer])
    page = await desktop.new_page()
    response = await page.goto("/privacy")
    assert response is not None and response.status == 200
    await assert_accessible(page)

    access = page.locator("form[action='/privacy/access']")
    await access.get_by_label("Volledige naam").fill(answers.VICTIM.lower())
    await access.get_by_role("button", name="Toon wat Regie bewaart").click()
    await expect(page.get_by_role("heading", name="Incidenten met deze persoon: 1")).to_be_visible()
    await expect(page.get_by_text(answers.SPREADER)).to_have_count(0)
    await assert_accessible(page)
    await shot(page, "60-privacy-access")

    erase = page.locator("form[action='/privacy/erase']")
    await erase.get_by_label("Volledige naam").fill(answers.VICTIM)
    await erase.get_by_label("Ik begrijp dat dit niet ongedaan kan worden gemaakt.").check()
    await erase.get_by_role("button", name="Verwijder deze persoon").click()
    await expect(page.get_by_role("heading", name="Verwijderd uit deze incidenten")).to_be_visible()
    await assert_accessible(page)
    await shot(page, "61-privacy-erased")
