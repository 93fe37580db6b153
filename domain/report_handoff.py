"""The report hand-off: what to tell each reporting body, in words, never with an image.

The coordinator copies this into the report. It describes; it never attaches, forwards or
asks for the images, because possessing or sending them is itself a crime.
"""

from domain.forms.report import ReportRoute

WHERE: dict[ReportRoute, tuple[str, str]] = {
    ReportRoute.meldpunt_kinderporno: (
        "Meldpunt Kinderporno (Offlimits): meld de URL via www.meldpunt-kinderporno.nl. Het "
        "Meldpunt toetst of het beeld strafbaar is en kan de beheerder een verwijderverzoek "
        "sturen; het heeft geen opsporingsbevoegdheden.",
        "Meldpunt Kinderporno (Offlimits): report the URL at www.meldpunt-kinderporno.nl. It "
        "assesses whether the image is illegal and can ask the host to remove it; it cannot "
        "investigate.",
    ),
    ReportRoute.hetstoptbijjou: (
        "Het stopt bij jou (Stop it Now): meld beelden die zonder URL in een groepsapp zijn "
        "gedeeld via www.hetstoptbijjou.nl.",
        "Het stopt bij jou (Stop it Now): report images shared in an app group without a URL "
        "at www.hetstoptbijjou.nl.",
    ),
    ReportRoute.police: (
        "Politie: bel 0900-8844 of neem contact op met de wijkagent; de politie behandelt "
        "beelden in chats.",
        "Police: call 0900-8844 or contact the neighbourhood officer; the police handle "
        "images in chats.",
    ),
    ReportRoute.emergency_112: (
        "112: bel direct als er acuut gevaar is.",
        "112: call at once when there is immediate danger.",
    ),
    ReportRoute.veilig_thuis: (
        "Veilig Thuis: bel 0800-2000 bij zorgen over misbruik of geweld thuis.",
        "Veilig Thuis: call 0800-2000 when there are concerns about abuse or violence at home.",
    ),
}

_INTRO = (
    "Beschrijf wat er is gedeeld, wanneer, in welk kanaal en of er een URL is. Stuur, kopieer "
    "of bewaar nooit de beelden zelf en vraag er niet om: ook dat is strafbaar. Noteer het "
    "kenmerk van elke melding in Regie.",
    "Describe what was shared, when, in which channel and whether there is a URL. Never send, "
    "copy or keep the images themselves and never ask for them: that is a crime too. Record "
    "each report's reference in Regie.",
)
_URGENT = (
    "SPOED: er is een grond voor directe doorverwijzing. Meld binnen het uur.",
    "URGENT: there is a ground for an immediate referral. Report within the hour.",
)


def handoff_text(*, routes: list[ReportRoute], urgent: bool, reference: str, language: str) -> str:
    i = 1 if language == "en" else 0
    lines = [f"{reference}", ""]
    if urgent:
        lines += [_URGENT[i], ""]
    lines += [_INTRO[i], ""]
    lines += [f"- {WHERE[route][i]}" for route in routes]
    return "\n".join(lines) + "\n"
