"""Refusals explained in the reader's language, next to the field they are about."""

from api.web.i18n import Lang
from api.web.labels import field_label
from regie.service import FieldProblem, Refused
from workflows.refusals import Refusal

# Pydantic's error types, in plain words.
_TYPES: dict[str, tuple[str, str]] = {
    "missing": ("Vul dit in.", "Fill this in."),
    "too_short": ("Kies of vul er minstens één in.", "Choose or fill in at least one."),
    "string_too_short": ("Vul dit in.", "Fill this in."),
    "string_too_long": ("Dit is te lang; maak het korter.", "This is too long; shorten it."),
    "enum": ("Kies een van de opties.", "Choose one of the options."),
    "literal_error": ("Kies een van de opties.", "Choose one of the options."),
    "bool_parsing": ("Kies ja of nee.", "Choose yes or no."),
    "date_from_datetime_parsing": ("Vul een datum in.", "Enter a date."),
    "date_parsing": ("Vul een datum in.", "Enter a date."),
    "extra_forbidden": ("Dit hoort niet bij dit formulier.", "This does not belong in this form."),
}

# Refusals of a task's or an incident's state, in plain words: the service's message for them
# is written for API clients.
_STATES: dict[str, tuple[str, str]] = {
    Refusal.incident_closed: (
        "Dit is afgerond: hier verandert niets meer.",
        "This is closed: nothing changes here any more.",
    ),
    Refusal.closed: ("Deze taak is al afgerond.", "This task is done already."),
    Refusal.not_open_yet: ("Deze taak staat nog niet open.", "This task is not open yet."),
    Refusal.not_assignee: (
        "Deze taak is aan iemand anders toegewezen.",
        "This task is assigned to someone else.",
    ),
}


def explain(refused: Refused, lang: Lang) -> tuple[dict[str, str], list[str]]:
    """Messages per form field (by its form name) and messages for the top of the form."""
    if refused.named:
        labels = ", ".join(refused.named)
        sentence = (
            f"De tekst noemt {labels}. Een brief of verklaring noemt nooit iemand die bij het "
            "incident betrokken is: herschrijf de tekst zonder namen."
            if lang == "nl"
            else f"The text names {labels}. A letter or statement never names anyone involved "
            "in the incident: rewrite it without names."
        )
        return {}, [sentence]
    if refused.code in _STATES:
        dutch, english = _STATES[refused.code]
        return {}, [dutch if lang == "nl" else english]
    if not refused.problems:
        return {}, [refused.message]
    by_field: dict[str, str] = {}
    general: list[str] = []
    for problem in refused.problems:
        text = _in_words(problem, lang)
        if problem.where:
            by_field.setdefault(problem.where, text)
        else:
            general.append(text)
    return by_field, general


def _in_words(problem: FieldProblem, lang: Lang) -> str:
    words = _TYPES.get(problem.type)
    if words:
        return words[1] if lang == "en" else words[0]
    # Regie's own rules already say what to do; they are written in English for now.
    return problem.message.removeprefix("Value error, ")


def label_of(where: str, lang: Lang) -> str:
    parts = where.split(".")
    field = next((p for p in reversed(parts) if not p.isdigit()), where)
    row = next((int(p) + 1 for p in parts if p.isdigit()), None)
    label = field_label(field, lang)
    if row is not None and field != parts[0]:
        return f"{field_label(parts[0], lang)} {row}: {label}"
    return label
