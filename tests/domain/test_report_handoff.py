"""The report hand-off: where to report, in words, never with an image."""

import pytest

from domain.forms.report import ReportRoute
from domain.report_handoff import WHERE, handoff_text

PLACES = {
    ReportRoute.meldpunt_kinderporno: "www.meldpunt-kinderporno.nl",
    ReportRoute.hetstoptbijjou: "www.hetstoptbijjou.nl",
    ReportRoute.police: "0900-8844",
    ReportRoute.emergency_112: "112",
    ReportRoute.veilig_thuis: "0800-2000",
}


def text(*routes: ReportRoute, urgent: bool = False, language: str = "nl") -> str:
    return handoff_text(
        routes=list(routes), urgent=urgent, reference="INC-2025-0042", language=language
    )


def test_every_route_has_a_dutch_and_an_english_place() -> None:
    assert set(WHERE) == set(ReportRoute)


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("route", list(ReportRoute))
def test_handoff_names_the_place_of_each_route(route: ReportRoute, language: str) -> None:
    assert PLACES[route] in text(route, language=language)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_handoff_names_only_the_chosen_routes(language: str) -> None:
    found = text(ReportRoute.hetstoptbijjou, ReportRoute.police, language=language)
    assert "hetstoptbijjou.nl" in found
    assert "0900-8844" in found
    assert "meldpunt-kinderporno.nl" not in found
    assert "0800-2000" not in found


def test_handoff_lists_routes_in_the_given_order() -> None:
    found = text(ReportRoute.police, ReportRoute.hetstoptbijjou)
    assert found.index("0900-8844") < found.index("hetstoptbijjou.nl")


def test_dutch_handoff_says_never_to_send_or_copy_the_images() -> None:
    assert "Stuur, kopieer of bewaar nooit de beelden zelf" in text(ReportRoute.police)


def test_english_handoff_says_never_to_send_or_copy_the_images() -> None:
    assert "Never send, copy or keep the images" in text(ReportRoute.police, language="en")


def test_urgent_handoff_says_so_first() -> None:
    found = text(ReportRoute.police, urgent=True)
    assert "SPOED" in found
    assert "binnen het uur" in found
    assert found.index("SPOED") < found.index("0900-8844")


def test_urgent_english_handoff() -> None:
    found = text(ReportRoute.emergency_112, urgent=True, language="en")
    assert "URGENT" in found
    assert "within the hour" in found


@pytest.mark.parametrize("language", ["nl", "en"])
def test_handoff_that_is_not_urgent_has_no_urgent_text(language: str) -> None:
    found = text(ReportRoute.police, language=language)
    assert "SPOED" not in found
    assert "URGENT" not in found


def test_english_handoff_is_in_english_and_dutch_is_the_default() -> None:
    assert "Police: call" in text(ReportRoute.police, language="en")
    assert "Politie: bel" in text(ReportRoute.police, language="nl")
    assert "Politie: bel" in text(ReportRoute.police, language="fr")


def test_handoff_starts_with_the_reference_and_ends_with_a_newline() -> None:
    found = text(ReportRoute.police)
    assert found.splitlines()[0] == "INC-2025-0042"
    assert found.endswith("\n")
