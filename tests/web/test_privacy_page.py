"""The privacy officer's page: the same export and erasure as the API, in Dutch, by form."""

import json

from domain.roles import Role
from tests.fixtures.api import Api
from tests.privacy.test_access_request import OTHER_PARTS, SUBJECT, _world
from tests.web.test_incident_and_board import _csrf, _session


async def test_the_privacy_officer_answers_a_request_on_the_page(api: Api) -> None:
    await _world(api)
    officer = await _session(api, api.board_staff(Role.privacy_officer))
    page = await api.client.get("/privacy", headers=officer)
    assert page.status_code == 200
    assert "Inzageverzoek" in page.text and "Verwijderverzoek" in page.text
    csrf = _csrf(page.text)

    shown = await api.client.post(
        "/privacy/access", data={"csrf": csrf, "name": "sam de vries"}, headers=officer
    )
    assert shown.status_code == 200, shown.text
    assert "Incidenten met deze persoon: 3" in shown.text
    assert "Naaktfoto van Sam de Vries gedeeld door Leerling B" in shown.text
    assert "Geen betrokkene in dit incident, maar genoemd in een tekst." in shown.text
    for part in OTHER_PARTS:
        assert part not in shown.text

    download = await api.client.post(
        "/privacy/access",
        data={"csrf": csrf, "name": SUBJECT, "download": "json"},
        headers=officer,
    )
    assert download.headers["content-disposition"].startswith("attachment;")
    assert len(json.loads(download.text)["incidents"]) == 3

    unticked = await api.client.post(
        "/privacy/erase", data={"csrf": csrf, "name": SUBJECT}, headers=officer
    )
    assert unticked.status_code == 422
    assert "niet ongedaan" in unticked.text
    erased = await api.client.post(
        "/privacy/erase", data={"csrf": csrf, "name": SUBJECT, "confirm": "yes"}, headers=officer
    )
    assert erased.status_code == 200 and "Verwijderd uit deze incidenten" in erased.text
    again = await api.client.post(
        "/privacy/erase", data={"csrf": csrf, "name": SUBJECT, "confirm": "yes"}, headers=officer
    )
    assert again.status_code == 404 and "bewaart niets onder deze naam" in again.text


async def test_the_page_is_the_privacy_officers_only(api: Api) -> None:
    admin = await _session(api, api.board_staff(Role.board_admin))
    page = await api.client.get("/privacy", headers=admin)
    assert page.status_code == 403
    assert "privacyfunctionaris" in page.text
    home = await api.client.get("/", headers=admin)
    assert 'href="/privacy"' not in home.text
    officer = await _session(api, api.board_staff(Role.privacy_officer))
    assert 'href="/privacy"' in (await api.client.get("/", headers=officer)).text
    forged = await api.client.post(
        "/privacy/access", data={"csrf": "0" * 64, "name": SUBJECT}, headers=officer
    )
    assert forged.status_code == 403
