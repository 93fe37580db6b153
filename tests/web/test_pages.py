"""The pages over HTTP (the browser tests drive the same pages in Chromium)."""

from domain.roles import Role
from tests.fixtures.api import Api
from tests.web.test_incident_and_board import _csrf, _new_incident


async def _task_link(api: Api, staff_id: str) -> str:
    assert api.runtime.mail_catcher is not None
    address = api.world.emails[staff_id]
    [message] = await api.runtime.mail_catcher.wait_for(
        lambda m: address in m.to and any("/t/" in link for link in m.links), timeout=10
    )
    link = next(link for link in message.links if "/t/" in link)
    return link.replace("http://regie.test", "")


async def test_the_task_link_opens_the_task_page_and_keeps_what_was_typed(api: Api) -> None:
    coordinator = api.school_staff(Role.coordinator)
    created = await api.client.post(
        "/api/incidents",
        json={"school_id": api.world.school.id, "summary": "<script>alert(1)</script>"},
        headers=api.as_(coordinator),
    )
    assert created.status_code == 201
    link = await _task_link(api, coordinator)

    opened = await api.client.get(link, follow_redirects=True, headers={"accept": "text/html"})
    assert opened.status_code == 200
    page = opened.text
    assert 'lang="nl"' in page
    assert "Bepaal omvang en impact" in page
    assert "Zoek, bekijk, kopieer of vraag nooit naar de beelden" in page
    assert 'type="file"' not in page
    task_path = str(opened.url).replace("http://regie.test", "")

    # Invalid: no kind of image chosen; the typed description stays.
    form = {
        "csrf": _csrf(page),
        "action": "complete",
        "depicted_age": "13_15",
        "channels.0.kind": "app_group",
        "channels.0.description": "Klas 3C groep",
    }
    refused = await api.client.post(task_path, data=form)
    assert refused.status_code == 422
    assert "image_kinds" in refused.text and "Klas 3C groep" in refused.text

    form["image_kinds"] = "violent"
    form["depicted_age"] = "adult"
    saved = await api.client.post(task_path, data=form)
    assert saved.status_code == 200, saved.text
    assert "Nu gaan deze stappen open" in saved.text

    # Without the CSRF token nothing happens.
    forged = await api.client.post(task_path, data={**form, "csrf": "0" * 64})
    assert forged.status_code == 403


async def test_pages_ask_to_sign_in_and_refuse_other_schools(api: Api) -> None:
    anonymous = await api.client.get("/", headers={"accept": "text/html"})
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    login = await api.client.get("/login")
    assert "Stuur mij een inloglink" in login.text
    english = await api.client.get("/login?lang=en")
    assert "Send me a sign-in link" in english.text and 'lang="en"' in english.text


async def test_a_posted_row_number_cannot_blow_up_the_page(api: Api) -> None:
    """Rows are named `field.N.sub` and the page shows rows up to the last one typed in, so a
    hand-made N once rendered millions of rows (a 3 MB page at N=5000), and a digit that is not
    ASCII ("²") was a 500. Numbers past the list's maximum are not read."""
    await _new_incident(api, "Foto gedeeld")
    link = await _task_link(api, api.school_staff(Role.coordinator))
    opened = await api.client.get(link, follow_redirects=True, headers={"accept": "text/html"})
    task_path = str(opened.url).replace("http://regie.test", "")
    plain = await api.client.post(
        task_path, data={"csrf": _csrf(opened.text), "action": "complete"}
    )
    assert plain.status_code == 422  # nothing chosen yet: the form comes back
    for row in ("²", "50", "99999999", "9" * 5000):
        form = {
            "csrf": _csrf(opened.text),
            "action": "complete",
            f"channels.{row}.description": "Klas 3C groep",
        }
        answered = await api.client.post(task_path, data=form)
        assert answered.status_code == 422, (row, answered.status_code)
        # The same rows as a form with nothing typed in (channels allows 50, numbered 0-49).
        assert answered.text.count('name="channels.') == plain.text.count('name="channels.')
