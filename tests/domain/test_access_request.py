"""Names found and replaced whatever their case, accents or spacing; others' names kept out."""

from datetime import UTC, datetime

from domain.access_request import (
    ERASED,
    IncidentRecords,
    Named,
    PersonRecord,
    TextRecord,
    answer_about,
    erase_in_answer,
    erase_subject,
    find,
    plan_erasure,
    redact_others,
    same_person,
    subject_parts,
)

AT = datetime(2026, 3, 1, tzinfo=UTC)


def test_the_same_person_whatever_the_case_accents_or_spacing() -> None:
    assert same_person("Zoë  de Vries", "zoe de VRIES")
    assert not same_person("Zoë de Vries", "Zoë de Vries-Bakker")
    assert not same_person("", "")


def test_others_names_become_their_labels_even_with_accents_and_other_case() -> None:
    text = "Gesprek met ZOË van Dijk en Zoë; Ahmed keek toe."
    others = [Named("Leerling B", "Zoë van Dijk")]
    assert redact_others(text, others, keep=["ahmed"]) == (
        "Gesprek met Leerling B en Leerling B; Ahmed keek toe."
    )


def test_a_surname_the_subject_shares_with_a_sibling_is_not_erased_from_the_sibling() -> None:
    sibling = Named("Leerling B", "Tim de Vries")
    parts = subject_parts("Sam de Vries", registered=True, others=[sibling])
    assert "vries" not in parts and "sam" in parts
    assert erase_subject("Sam en Tim de Vries", parts, label="Leerling A") == (
        "Leerling A en Tim de Vries"
    )


def test_outside_their_own_incidents_only_the_full_name_counts() -> None:
    assert subject_parts("Sam de Vries", registered=False) == ["sam de vries"]
    assert erase_subject("Sam zei iets", ["sam de vries"], label=None) == "Sam zei iets"
    assert erase_subject("Sam  de vries zei iets", ["sam de vries"], label=None) == (
        f"{ERASED} zei iets"
    )


def test_an_answer_keeps_only_the_subjects_entries_and_texts_about_them() -> None:
    body = {
        "possible_csam": True,
        "persons": [{"role": "victim", "name": "Sam"}, {"role": "spreader", "name": "Tim"}],
        "conversations": [{"person_label": "Leerling B", "sanction": "suspension"}],
        "notes": "Tim stuurde het door",
    }
    about = answer_about(
        body,
        step="assess",
        subject="Sam",
        labels=frozenset({"Leerling A"}),
        roles=frozenset({"victim"}),
        parts=["sam"],
        others=[Named("Leerling B", "Tim")],
    )
    assert about == {"persons": [{"role": "victim", "name": "Sam"}]}


def test_an_erased_answer_keeps_others_entries_whole() -> None:
    body = {"persons": [{"role": "victim", "name": "Sam"}, {"role": "spreader", "name": "Tim"}],
            "notes": "Sam huilde"}  # fmt: skip
    erased = erase_in_answer(body, subject="sam", parts=["sam"], label="Leerling A")
    assert erased == {
        "persons": [{"role": "victim", "name": "Leerling A"}, {"role": "spreader", "name": "Tim"}],
        "notes": "Leerling A huilde",
    }


def test_find_and_plan_an_erasure() -> None:
    incident = IncidentRecords(
        incident_id="i1",
        reference="RG-1",
        school_id="s",
        status="open",
        opened_at=AT,
        closed_at=None,
        persons=(
            PersonRecord("p1", "Leerling A", "victim", "Sam", True),
            PersonRecord("p2", "Leerling B", "spreader", "Tim", True),
        ),
        texts=(
            TextRecord("notes", "n1", "body", "new_information", AT, "Sam belde"),
            TextRecord("notes", "n2", "body", "new_information", AT, "Tim belde"),
        ),
        answers=(),
    )
    other = IncidentRecords("i2", "RG-2", "s", "open", AT, None, (), (), ())
    found = find([incident, other], "sam")
    assert [f.incident.reference for f in found] == ["RG-1"]
    plan = plan_erasure(found[0], "sam")
    assert plan.person_ids == ("p1",)
    assert [(t.row_id, new) for t, new in plan.texts] == [("n1", "Leerling A belde")]
