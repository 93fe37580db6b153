"""Staff pages in Chromium: the e-mail link, the task page, a phone, a letter, the board.

Each test gets its own board on the module's stack (see conftest.py) and writes a screenshot
of every page it visits to tests/browser/artifacts/.
"""

import asyncio
import re
from datetime import UTC, datetime

from playwright.async_api import BrowserContext, Page, expect

from domain.deadlines import DeadlineSettings
from domain.plan import StepStatus
from domain.roles import Role
from domain.steps import STEP_ORDER, STEPS, Step
from store import tasks
from tests import answers
from tests.browser.conftest import Stack, assert_accessible, shot
from tests.drive import complete, eventually, wait_open
from tests.fixtures.world import World

NEVER_IMAGES = "Upload, stuur of bewaar nooit beelden"
VICTIM_FIRST_NAME = answers.VICTIM.split()[0]


async def mail_link(page: Page, *, to: str, subject: str, path: str, timeout: float = 20) -> str:
    """Polls the dev mailbox's JSON for a message and returns its first link containing `path`."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        response = await page.request.get("/dev/mail.json")
        assert response.ok, await response.text()
        for message in await response.json():
            if to in message["to"] and subject in message["subject"]:
                for link in message["links"]:
                    if path in link:
                        return str(link)
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"no e-mail {subject!r} to {to} with a {path} link arrived")
        await asyncio.sleep(0.1)


async def open_task(
    stack: Stack, context: BrowserContext, world: World, role: Role, step: Step
) -> Page:
    """A new page on the task behind the link in `role`'s e-mail about `step`."""
    message = await stack.task_mail(world, role, STEPS[step].title_nl)
    page = await context.new_page()
    await page.goto(stack.task_links(message)[0])
    await expect(page.get_by_role("heading", level=1)).to_have_text(STEPS[step].title_nl)
    return page


async def test_coordinator_signs_in_starts_an_incident_and_completes_assess(
    stack: Stack, desktop: BrowserContext
) -> None:
    world = await stack.new_world()
    address = world.emails[world.school.staff[Role.coordinator]]
    page = await desktop.new_page()

    # Sign in with an e-mail link.
    await page.goto("/login")
    await expect(page.get_by_role("heading", name="Inloggen")).to_be_visible()
    await shot(page, "01-login")
    await page.get_by_label("E-mailadres").fill(address)
    await page.get_by_role("button", name="Stuur mij een inloglink").click()
    await expect(page.get_by_role("status")).to_contain_text("inloglink in je mailbox")
    link = await mail_link(page, to=address, subject="inloglink", path="/auth/sign-in/")
    await page.goto(link)
    await expect(page.get_by_role("heading", name="Mijn taken")).to_be_visible()
    await shot(page, "02-my-tasks-empty")

    # A new incident: a warning that images never go in, and no file input.
    await page.get_by_role("link", name="Nieuw incident").click()
    await expect(page.get_by_role("heading", name="Nieuw incident")).to_be_visible()
    await expect(page.get_by_text(NEVER_IMAGES)).to_be_visible()
    await expect(page.locator("input[type=file]")).to_have_count(0)
    await shot(page, "03-new-incident")
    await page.get_by_label("School", exact=True).select_option(label=world.school.name)
    await page.get_by_label("Korte beschrijving").fill(
        "Naaktfoto van een leerling gedeeld in de appgroep van klas 2B, sinds gisteravond."
    )
    await page.get_by_role("button", name="Incident starten").click()
    await page.wait_for_url(re.compile(r"/incidents/[^/]+$"))

    # The task e-mail in the dev mailbox, and its link.
    subject = STEPS[Step.assess].title_nl
    await mail_link(page, to=address, subject=subject, path="/t/")
    await page.goto("/dev/mail")
    message = page.locator("article").filter(has_text=address).filter(has_text=subject)
    await expect(message).to_have_count(1)
    await shot(page, "04-dev-mailbox")
    await message.get_by_role("link").filter(has_text="/t/").click()
    await page.wait_for_url(re.compile(r"/tasks/[^/]+$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text(subject)
    guidance = page.get_by_role("region", name="Wat doe je?")
    await expect(guidance).to_contain_text("nooit naar de beelden")
    await expect(page.get_by_text(NEVER_IMAGES)).to_be_visible()
    await shot(page, "05-assess-task")
    await assert_accessible(page)

    # Once without any kind of image: the error shows at the field, what was typed stays.
    await page.get_by_label("Leeftijd van de afgebeelde persoon").select_option(label="13 tot 15")
    await page.get_by_label("De afgebeelde persoon is een leerling van onze school").check()
    await page.get_by_label("Mogelijk afbeeldingen van seksueel kindermisbruik").check()
    await page.get_by_label("De beelden staan op een website (er is een URL)").check()
    channel = page.get_by_role("group", name="Kanalen en appgroepen Regel 1")
    await channel.get_by_label("Soort").select_option(label="appgroep")
    await channel.get_by_label("Omschrijving (bijv. naam van de groep)").fill("Klas 2B groep")
    await page.get_by_role("button", name="Opslaan en afronden").click()

    await expect(page.get_by_role("alert")).to_contain_text("Er klopt iets niet")
    kinds = page.get_by_role("group", name="Wat voor beelden zijn het?")
    await expect(kinds.locator(".field-error")).to_be_visible()
    await expect(page.get_by_label("Leeftijd van de afgebeelde persoon")).to_have_value("13_15")
    await expect(
        page.get_by_label("Mogelijk afbeeldingen van seksueel kindermisbruik")
    ).to_be_checked()
    channel = page.get_by_role("group", name="Kanalen en appgroepen Regel 1")
    await expect(channel.get_by_label("Omschrijving (bijv. naam van de groep)")).to_have_value(
        "Klas 2B groep"
    )
    await shot(page, "06-assess-invalid")
    await assert_accessible(page)

    # Fixed: saved, and the page says which steps open now.
    await kinds.get_by_label("naakt of seksueel").check()
    await page.get_by_role("button", name="Opslaan en afronden").click()
    done = page.get_by_role("status")
    await expect(done).to_contain_text("Opgeslagen")
    await expect(done).to_contain_text("Nu gaan deze stappen open")
    await expect(done.get_by_role("listitem")).to_contain_text(
        [STEPS[Step.report].title_nl, STEPS[Step.confront].title_nl]
    )
    await shot(page, "07-assess-saved")


async def test_mentor_completes_support_on_a_phone(stack: Stack, phone: BrowserContext) -> None:
    world = await stack.new_world()
    incident_id = await stack.service.start_incident(
        school_id=world.school.id, summary="Beelden gedeeld in een appgroep", created_by=None
    )
    page = await open_task(stack, phone, world, Role.support, Step.support)
    guidance = page.get_by_role("region", name="Wat doe je?")
    await expect(guidance).to_contain_text("Het is niet jouw schuld")
    await shot(page, "10-support-phone")

    await page.get_by_label("Het slachtoffer zit op onze school").check()
    await page.get_by_label("Ik heb direct gezegd: 'Het is niet jouw schuld'").check()
    await page.get_by_label("Ik heb ook niet indirect de schuld gegeven").check()
    await page.get_by_label("Ik heb gevraagd wat het slachtoffer nodig heeft").check()
    await page.get_by_label("Helpwanted", exact=True).check()
    await page.get_by_label("Het slachtoffer is gevraagd wie geïnformeerd mag worden").check()
    agrees = page.get_by_role(
        "group", name="Het slachtoffer vindt het goed dat deze mensen worden geïnformeerd"
    )
    await agrees.get_by_label("ouders van de klas", exact=True).check()
    await page.get_by_label("Wat heeft het slachtoffer nodig?").fill(
        "Wil niet dat de hele school het weet"
    )
    # Readable on a phone: nothing sticks out sideways.
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the task page is {width}px wide on a 390px phone"
    await page.get_by_role("button", name="Opslaan en afronden").tap()

    await expect(page.get_by_role("status")).to_contain_text("Opgeslagen")
    await shot(page, "11-support-saved-phone")
    snap = await eventually(
        stack.service, incident_id, lambda s: s.steps[Step.support] is StepStatus.done
    )
    assert snap.steps[Step.support] is StepStatus.done


async def test_school_leader_previews_and_approves_a_parent_letter(
    stack: Stack, desktop: BrowserContext
) -> None:
    world = await stack.new_world()
    incident_id = await stack.service.start_incident(
        school_id=world.school.id, summary="Beelden gedeeld in een appgroep", created_by=None
    )
    await complete(stack.service, incident_id, Step.assess, answers.assess(possible_csam=False))
    await complete(stack.service, incident_id, Step.support, answers.support())
    await wait_open(stack.service, incident_id, Step.inform)
    page = await open_task(stack, desktop, world, Role.school_leader, Step.inform)

    letter = page.get_by_role("group", name="Brieven Regel 1")
    text = letter.get_by_label("Tekst van de brief (zonder namen)")
    await letter.get_by_label("Aan", exact=True).select_option(label="ouders van de klas")
    await text.fill(answers.LETTER)
    await page.get_by_label("Rekening gehouden met cultuur en religie").check()
    await page.get_by_role("button", name="Bekijk de brief").click()

    preview = page.get_by_role("region", name="Zo ziet de tekst eruit")
    await expect(preview).to_contain_text("appgroep van de klas beelden gedeeld")
    await expect(preview).to_contain_text(world.school.name)
    await shot(page, "20-letter-preview")

    # A letter that names the pupil is refused, in words that do not repeat the name.
    naming = f"{answers.LETTER} Het gaat om {VICTIM_FIRST_NAME} uit klas 2B."
    await text.fill(naming)
    await page.get_by_role("button", name="Goedkeuren en versturen").click()
    refusal = page.get_by_role("alert")
    await expect(refusal).to_contain_text("Leerling A")
    await expect(refusal).to_contain_text(re.compile(r"never name|zonder namen|geen namen"))
    await expect(refusal).not_to_contain_text(VICTIM_FIRST_NAME)
    await expect(text).to_have_value(naming)
    await shot(page, "21-letter-refused")

    await text.fill(answers.LETTER)
    await page.get_by_role("button", name="Goedkeuren en versturen").click()
    await expect(page.get_by_role("status")).to_contain_text("Opgeslagen")
    await shot(page, "22-letter-approved")

    leader = world.emails[world.school.staff[Role.school_leader]]
    [sent] = await stack.mail.wait_for(
        lambda m: leader in m.to and "Goedgekeurde brief aan ouders" in m.subject, timeout=20
    )
    assert "appgroep van de klas beelden gedeeld" in sent.text
    assert VICTIM_FIRST_NAME not in sent.text + sent.subject


async def test_the_incident_page_shows_the_plan(stack: Stack, desktop: BrowserContext) -> None:
    world = await stack.new_world()
    summary = "Beelden gedeeld <script>window.pwned = true</script> in een appgroep"
    incident_id = await stack.service.start_incident(
        school_id=world.school.id, summary=summary, created_by=None
    )
    await complete(stack.service, incident_id, Step.assess, answers.assess())
    await wait_open(stack.service, incident_id, Step.report)
    await stack.sign_in(desktop, world.school.staff[Role.coordinator])
    page = await desktop.new_page()
    response = await page.goto(f"/incidents/{incident_id}")
    assert response is not None and response.status == 200

    plan = page.get_by_role("region", name="Het stappenplan")
    await expect(plan.get_by_role("listitem")).to_have_count(len(STEP_ORDER))
    for step in STEP_ORDER:
        await expect(plan.get_by_role("listitem").nth(STEP_ORDER.index(step))).to_contain_text(
            STEPS[step].title_nl
        )
    for step, word in ((Step.assess, "klaar"), (Step.report, "open"), (Step.remove, "wacht")):
        item = plan.get_by_role("listitem").filter(has_text=STEPS[step].title_nl)
        await expect(item).to_contain_text(word)
    timeline = page.get_by_role("region", name="Tijdlijn")
    await expect(timeline.get_by_role("listitem").first).to_be_visible()
    assert await page.evaluate("window.pwned") is None, "the summary ran as a script"
    await shot(page, "30-incident")
    await assert_accessible(page)


async def test_the_board_overview_shows_an_overdue_task(
    stack: Stack, desktop: BrowserContext
) -> None:
    world = await stack.new_world(deadlines=DeadlineSettings().merged({Step.assess: "PT2S"}))
    incident_id = await stack.service.start_incident(
        school_id=world.school.id, summary="Beelden gedeeld in een appgroep", created_by=None
    )
    assess = await wait_open(stack.service, incident_id, Step.assess)
    async with stack.pool.connection() as conn:
        row = await tasks.get_task(conn, task_id=assess.task_id)
    assert row is not None and row.due_at is not None
    # The one wait on the clock: the deadline has to pass.
    await asyncio.sleep(max(0.0, (row.due_at - datetime.now(UTC)).total_seconds()) + 0.5)

    await stack.sign_in(desktop, world.board_staff[Role.board_safeguarding])
    page = await desktop.new_page()
    response = await page.goto("/board")
    assert response is not None and response.status == 200
    await expect(page.get_by_text("Taken over de deadline").first).to_be_visible()
    # The schools table; the policy review table further down lists the schools as well.
    table = page.locator("table.schools")
    school = table.get_by_role("row").filter(has_text=world.school.name)
    await expect(school).to_have_count(1)
    headers = await table.get_by_role("columnheader").all_inner_texts()
    column = next(i for i, h in enumerate(headers) if "Taken over de deadline" in h)
    overdue = school.get_by_role("cell").nth(column - 1)
    await expect(overdue).to_have_text(re.compile(r"^\s*[1-9]\d*\s*$"))
    await shot(page, "40-board-overdue")


async def test_staff_of_another_school_get_no_access(stack: Stack, desktop: BrowserContext) -> None:
    world = await stack.new_world()
    summary = "Beelden gedeeld in de appgroep van klas 1A"
    incident_id = await stack.service.start_incident(
        school_id=world.school.id, summary=summary, created_by=None
    )
    assess = await wait_open(stack.service, incident_id, Step.assess)
    await stack.sign_in(desktop, world.schools[1].staff[Role.coordinator])
    page = await desktop.new_page()

    for path, name in ((f"/incidents/{incident_id}", "50"), (f"/tasks/{assess.task_id}", "51")):
        response = await page.goto(path)
        assert response is not None and response.status in (403, 404)
        await expect(page.get_by_role("heading", level=1)).to_have_text("Geen toegang")
        await expect(page.get_by_text(summary)).to_have_count(0)
        await expect(page.get_by_text(STEPS[Step.assess].title_nl)).to_have_count(0)
        await expect(page.locator("form[action^='/tasks/']")).to_have_count(0)
        await shot(page, f"{name}-no-access")


async def test_form_errors_speak_dutch_and_lead_to_their_field(
    stack: Stack, desktop: BrowserContext
) -> None:
    world = await stack.new_world()
    await stack.service.start_incident(
        school_id=world.school.id, summary="Beelden gedeeld in een appgroep", created_by=None
    )
    page = await open_task(stack, desktop, world, Role.coordinator, Step.assess)
    await page.get_by_label("Leeftijd van de afgebeelde persoon").select_option(label="13 tot 15")
    await page.get_by_role("button", name="Opslaan en afronden").click()

    summary = page.get_by_role("alert")
    await expect(summary).to_contain_text("Er klopt iets niet")
    # The page is there: from here on, read it once (a failing expect would wait its timeout).
    said = await summary.inner_text()
    link = summary.get_by_role("link")
    target = await link.get_attribute("href")
    assert target is not None and target.startswith("#")
    assert await page.locator(target).count() == 1, f"the error links to {target}, not a field"
    assert "Wat voor beelden zijn het?" in await link.inner_text(), said
    assert "List should have" not in said, said


async def test_the_letter_refusal_is_in_dutch(stack: Stack, desktop: BrowserContext) -> None:
    world = await stack.new_world()
    incident_id = await stack.service.start_incident(
        school_id=world.school.id, summary="Beelden gedeeld in een appgroep", created_by=None
    )
    await complete(stack.service, incident_id, Step.assess, answers.assess(possible_csam=False))
    await complete(stack.service, incident_id, Step.support, answers.support())
    page = await open_task(stack, desktop, world, Role.school_leader, Step.inform)
    letter = page.get_by_role("group", name="Brieven Regel 1")
    await letter.get_by_label("Aan", exact=True).select_option(label="ouders van de klas")
    await letter.get_by_label("Tekst van de brief (zonder namen)").fill(
        f"{answers.LETTER} Het gaat om {VICTIM_FIRST_NAME} uit klas 2B."
    )
    await page.get_by_label("Rekening gehouden met cultuur en religie").check()
    await page.get_by_role("button", name="Goedkeuren en versturen").click()

    refusal = page.get_by_role("alert")
    await expect(refusal).to_contain_text("Leerling A")
    said = await refusal.inner_text()
    assert not re.search(r"the text names|never name", said), said
    assert re.search(r"zonder namen|geen namen|noemt", said), said
