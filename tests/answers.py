"""Valid full answers for every task kind, with names and free text that must never leak."""

from typing import Any

# Distinctive strings: a test searches histories and e-mails for them.
VICTIM = "Zwaantje Oosterbroek-Pietersma"
SPREADER = "Quirijn Vlasbloem"
SECRET_NOTE = "vertrouwelijk-briefje-7Q3X"
GROUP_NAME = "Klas 2B Gossip-Groep-K9"


def assess(**overrides: Any) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "image_kinds": ["nude_or_sexual"],
        "depicted_is_our_pupil": True,
        "depicted_age": "13_15",
        "spreader_is_our_pupil": True,
        "possible_csam": True,
        "has_url": True,
        "media_risk": False,
        "other_school_ids": [],
        "outside_school_involved": False,
        "immediate_referral": [],
        "channels": [{"kind": "app_group", "description": GROUP_NAME}],
        "persons": [
            {"role": "victim", "name": VICTIM},
            {"role": "spreader", "name": SPREADER},
        ],
        "notes": f"Gemeld door mentor. {SECRET_NOTE}",
    }
    answer.update(overrides)
    return answer


def support(**overrides: Any) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "victim_at_our_school": True,
        "said_not_your_fault": True,
        "no_indirect_blame": True,
        "asked_what_victim_needs": True,
        "help": ["helpwanted"],
        "victim_consulted_on_informing": True,
        "victim_agrees_to_inform": ["parents_of_depicted", "class_parents"],
        "victim_needs": f"{VICTIM} wil niet dat de hele school het weet",
    }
    answer.update(overrides)
    return answer


def report(routes: tuple[str, ...] = ("meldpunt_kinderporno",)) -> dict[str, Any]:
    return {"filed": [{"route": r, "reference": f"REF-{i}"} for i, r in enumerate(routes)]}


def remove(**overrides: Any) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "groups": [{"group": GROUP_NAME, "method": "group_admin", "removed": True}],
        "done_class_wide": True,
        "pupils_told_it_is_a_crime": True,
    }
    answer.update(overrides)
    return answer


def confront() -> dict[str, Any]:
    return {
        "conversations": [
            {
                "person_label": "Leerling B",
                "held": True,
                "with_parents": True,
                "sanction": "suspension",
                "neighbourhood_officer": True,
            }
        ],
        "notes": f"Gesprek met {SPREADER} en ouders",
    }


LETTER = (
    "Er zijn in een appgroep van de klas beelden gedeeld die daar niet horen. De school heeft "
    "de beelden laten verwijderen en de betrokkenen aangesproken."
)


def inform(text: str = LETTER, audience: str = "class_parents") -> dict[str, Any]:
    return {
        "letters": [{"audience": audience, "text": text}],
        "culture_and_religion_considered": True,
        "sensitivity_notes": f"Familie van {VICTIM} is gelovig",
    }


def media(spokesperson_id: str, text: str | None = None) -> dict[str, Any]:
    return {
        "spokesperson_id": spokesperson_id,
        "statement": text
        or "De school weet van een incident met gedeelde beelden en handelt volgens haar protocol.",
        "not_said": f"Niets over {VICTIM}",
    }


def evaluate() -> dict[str, Any]:
    return {
        "went_well": "Snel gemeld en verwijderd",
        "can_be_better": f"Ouders eerder betrekken ({SECRET_NOTE})",
        "policy_change_needed": True,
        "policy_change": "Appgroepen-afspraken opnemen in het beleid",
    }


def contact_outside_school() -> dict[str, Any]:
    return {"contacted": True, "method": "phone", "school_name": "Het Andere Lyceum"}
