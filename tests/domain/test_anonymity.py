"""The anonymity guard: no letter or statement names a person in the incident."""

import pytest

from domain.anonymity import name_parts, persons_named

VICTIM = ("Leerling A", "Zoë van der Berg")
SPREADER = ("Leerling B", "Quirijn Oosterbroek-Pietersma")
PERSONS = [VICTIM, SPREADER]


@pytest.mark.parametrize(
    "text",
    [
        "Het gaat om Zoë van der Berg uit klas 2B.",
        "Zoë is erg geschrokken.",
        "De familie Berg is ingelicht.",
        "zoe VAN DER BERG",
        "ZOË heeft hulp gekregen.",
        "Zoe heeft hulp gekregen.",
    ],
)
def test_victim_is_found_by_full_name_first_name_or_surname_in_any_case_or_accent(
    text: str,
) -> None:
    assert persons_named(text, PERSONS) == ["Leerling A"]


def test_an_accented_text_matches_an_unaccented_name() -> None:
    assert persons_named("Brief over Chloë.", [("Leerling C", "Chloe Jansen")]) == ["Leerling C"]


@pytest.mark.parametrize(
    "text",
    [
        "Quirijn Oosterbroek-Pietersma heeft een schorsing.",
        "Oosterbroek-Pietersma heeft een schorsing.",
        "De heer Oosterbroek is gebeld.",
        "Mevrouw Pietersma is gebeld.",
        "Quirijn heeft een schorsing.",
    ],
)
def test_each_part_of_a_hyphenated_name_counts(text: str) -> None:
    assert persons_named(text, PERSONS) == ["Leerling B"]


@pytest.mark.parametrize(
    "text",
    [
        "Dit is van de school en der ouders.",
        "Van der, van den, ter en ten zijn geen namen.",
        "de van der",
    ],
)
def test_dutch_particles_alone_never_match(text: str) -> None:
    assert persons_named(text, PERSONS) == []


@pytest.mark.parametrize(
    "text",
    ["Annabel is ook in de klas.", "Marianna belde.", "De Annakerk.", "anna2"],
)
def test_a_name_inside_a_longer_word_does_not_match(text: str) -> None:
    assert persons_named(text, [("Leerling A", "Anna de Wit")]) == []


def test_a_name_next_to_punctuation_matches() -> None:
    assert persons_named("(Anna), 'Anna'.", [("Leerling A", "Anna de Wit")]) == ["Leerling A"]


def test_returns_labels_never_names() -> None:
    named = persons_named("Zoë en Quirijn", PERSONS)
    assert named == ["Leerling A", "Leerling B"]
    assert not any("Zo" in label or "Quirijn" in label for label in named)


def test_each_person_is_listed_once_even_when_named_several_times() -> None:
    assert persons_named("Zoë, Zoë van der Berg, Berg", PERSONS) == ["Leerling A"]


def test_a_text_without_names_names_nobody() -> None:
    text = "Er zijn beelden gedeeld in een appgroep. De school heeft maatregelen genomen."
    assert persons_named(text, PERSONS) == []


def test_no_persons_names_nobody() -> None:
    assert persons_named("Zoë van der Berg", []) == []


def test_name_parts_drop_particles_and_short_parts() -> None:
    assert name_parts("Zoë van der Berg") == ["zoe van der berg", "zoe", "berg"]
    assert name_parts("Jan 't Hart") == ["jan 't hart", "jan", "hart"]


def test_name_parts_of_an_empty_name_is_empty() -> None:
    assert name_parts("   ") == []


def test_a_two_letter_first_name_alone_matches() -> None:
    assert persons_named("Bo is erg geschrokken.", [("Leerling A", "Bo de Vries")]) == [
        "Leerling A"
    ]


def test_short_common_words_in_a_name_never_match_alone() -> None:
    # "Al" is a first name but also the Dutch for "already": only the full name counts.
    assert persons_named("Het is al besproken.", [("Leerling A", "Al Jansen")]) == []
    assert persons_named("Al Jansen kwam langs.", [("Leerling A", "Al Jansen")]) == ["Leerling A"]
