"""Requests for access and erasure (AVG art. 15 and 17): what Regie holds about one person.

A pupil (or their parent on their behalf) asks what the school keeps about them, or to have
it erased. The answer holds their own records and nothing of others (art. 15(4)): another
person's entry is left out, and where a text about them also names someone else, that name
is replaced by the other person's label ("Leerling B"), as a letter would show it.

Pure functions over decrypted values; store/access_request.py reads and writes the rows.
"""

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.anonymity import name_parts

# What replaces an erased name where the person had no label (only mentioned in a text).
ERASED = "[gewist]"

# Steps whose whole answer is about the person in that role (the victim's support).
ABOUT_ROLE: dict[str, frozenset[str]] = {"support": frozenset({"victim"})}


@dataclass(frozen=True)
class Named:
    """A person of an incident: their label, as pages show it, and their real name."""

    label: str
    name: str


def _fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def fold(text: str) -> str:
    """Case, accents and runs of white space do not tell two names apart."""
    return " ".join("".join(_fold_char(c) for c in text).split())


def same_person(name: str, asked: str) -> bool:
    return bool(fold(name)) and fold(name) == fold(asked)


def _folded_with_positions(text: str) -> tuple[str, list[int]]:
    """The folded text and, per folded character, the index of the character it came from."""
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for piece in _fold_char(char):
            folded.append(piece)
            origin.append(index)
    return "".join(folded), origin


def _spans(text: str, parts: Iterable[str]) -> list[tuple[int, int]]:
    """Where any of the (folded) parts occurs in `text` as whole words: original spans."""
    haystack, origin = _folded_with_positions(text)
    spans: list[tuple[int, int]] = []
    # The longest first, so "Sam de Vries" is one span rather than "Sam" and "Vries".
    for part in sorted(set(parts), key=len, reverse=True):
        pattern = r"\s+".join(re.escape(p) for p in part.split())
        for match in re.finditer(rf"(?<!\w){pattern}(?!\w)", haystack):
            start, end = origin[match.start()], origin[match.end() - 1] + 1
            if not any(s < end and start < e for s, e in spans):
                spans.append((start, end))
    return sorted(spans)


def _replace(text: str, spans: Sequence[tuple[int, int]], by: str) -> str:
    out, last = [], 0
    for start, end in spans:
        out.append(text[last:start])
        out.append(by)
        last = end
    out.append(text[last:])
    return "".join(out)


def subject_parts(name: str, *, registered: bool, others: Iterable[Named] = ()) -> list[str]:
    """How a text may name the subject: any part of their name within an incident they are
    a person of; elsewhere only the full name, as a first name alone names too many pupils.

    A part another person of the incident shares (a sibling's surname) does not count: it
    would find, and erase, the other person too.
    """
    parts = name_parts(name)
    if not registered:
        return parts[:1]
    shared = {p for other in others for p in name_parts(other.name)}
    return [parts[0], *(p for p in parts[1:] if p not in shared)]


def mentions(text: str, parts: Sequence[str]) -> bool:
    return bool(parts) and bool(_spans(text, parts))


def redact_others(text: str, others: Iterable[Named], *, keep: Sequence[str]) -> str:
    """Replace every other person's name by their label; the subject's own name stays.

    A part the subject shares with another person (siblings share a surname) stays as well:
    it is the subject's own.
    """
    kept = {fold(p) for p in keep}
    for other in others:
        parts = [p for p in name_parts(other.name) if fold(p) not in kept]
        spans = _spans(text, parts)
        if spans:
            text = _replace(text, spans, other.label)
    return text


def erase_subject(text: str, parts: Sequence[str], *, label: str | None) -> str:
    """Replace the subject's name in a text by their label, or by ERASED without one."""
    spans = _spans(text, parts)
    return _replace(text, spans, label or ERASED) if spans else text


def answer_about(
    body: Any,
    *,
    step: str,
    subject: str,
    labels: frozenset[str],
    roles: frozenset[str],
    parts: Sequence[str],
    others: Sequence[Named],
) -> dict[str, Any]:
    """What of an answer is about the subject, others' names replaced by their labels.

    Kept: the subject's own entries (a person entry with their name, a conversation with
    their label), free text that mentions them, and the whole answer of a step that is about
    their role (the support of the victim). Others' entries are left out.
    """
    whole = bool(roles & ABOUT_ROLE.get(step, frozenset()))

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            if "name" in value and isinstance(value["name"], str):
                return value if same_person(value["name"], subject) else None
            if "person_label" in value:
                if value["person_label"] not in labels:
                    return None
                return {
                    k: redact_others(v, others, keep=parts) if isinstance(v, str) else v
                    for k, v in value.items()
                }
            kept = {k: w for k, v in value.items() if (w := walk(v)) is not None}
            return kept or None
        if isinstance(value, list):
            items = [w for v in value if (w := walk(v)) is not None]
            return items or None
        if isinstance(value, str):
            if mentions(value, parts):
                return redact_others(value, others, keep=parts)
            return redact_others(value, others, keep=parts) if whole else None
        return value if whole else None

    if not isinstance(body, dict):
        return {}
    kept = walk(body)
    return kept if isinstance(kept, dict) else {}


def erase_in_answer(body: Any, *, subject: str, parts: Sequence[str], label: str | None) -> Any:
    """The answer with the subject's name gone: their person entries take their label."""
    if isinstance(body, dict):
        if "name" in body and isinstance(body["name"], str):
            # A person entry: the subject's takes their label; another's stays whole.
            return {**body, "name": label or ERASED} if same_person(body["name"], subject) else body
        return {
            k: erase_in_answer(v, subject=subject, parts=parts, label=label)
            for k, v in body.items()
        }
    if isinstance(body, list):
        return [erase_in_answer(v, subject=subject, parts=parts, label=label) for v in body]
    if isinstance(body, str):
        return erase_subject(body, parts, label=label)
    return body


# --- what the store reads, and what an export or an erasure makes of it ----------------------


@dataclass(frozen=True)
class PersonRecord:
    id: str
    label: str
    role: str
    name: str
    is_our_pupil: bool


@dataclass(frozen=True)
class TextRecord:
    """One free text: the incident's summary, a note, a document or a lesson's column."""

    table: str
    row_id: str
    column: str
    kind: str
    at: datetime
    text: str


@dataclass(frozen=True)
class AnswerRecord:
    id: str
    step: str
    kind: str
    at: datetime
    body: Any


@dataclass(frozen=True)
class IncidentRecords:
    incident_id: str
    reference: str
    school_id: str
    status: str
    opened_at: datetime
    closed_at: datetime | None
    persons: tuple[PersonRecord, ...]
    texts: tuple[TextRecord, ...]
    answers: tuple[AnswerRecord, ...]


@dataclass(frozen=True)
class Found:
    """One incident in which the subject is a person or is named in a text."""

    incident: IncidentRecords
    own: tuple[PersonRecord, ...]  # their own entries; empty when only named in a text
    others: tuple[Named, ...]
    parts: tuple[str, ...]  # how texts in this incident name them

    @property
    def labels(self) -> frozenset[str]:
        return frozenset(p.label for p in self.own)

    @property
    def label(self) -> str | None:
        return self.own[0].label if self.own else None


def find(records: Iterable[IncidentRecords], asked: str) -> list[Found]:
    """The incidents that hold something about the person called `asked`."""
    found = []
    for incident in records:
        own = tuple(p for p in incident.persons if same_person(p.name, asked))
        others = tuple(Named(p.label, p.name) for p in incident.persons if p not in own and p.name)
        parts = tuple(subject_parts(asked, registered=bool(own), others=others))
        if (
            own
            or any(mentions(t.text, parts) for t in incident.texts)
            or any(_answer_mentions(a.body, parts) for a in incident.answers)
        ):
            found.append(Found(incident=incident, own=own, others=others, parts=parts))
    return found


def _answer_mentions(body: Any, parts: Sequence[str]) -> bool:
    if isinstance(body, dict):
        return any(_answer_mentions(v, parts) for v in body.values())
    if isinstance(body, list):
        return any(_answer_mentions(v, parts) for v in body)
    return isinstance(body, str) and mentions(body, parts)


def export_incident(found: Found, asked: str) -> dict[str, Any]:
    """What the subject receives about one incident: their entries and the texts about them."""
    incident = found.incident
    roles = frozenset(p.role for p in found.own)
    texts = [
        {
            "source": t.table,
            "kind": t.kind,
            "at": t.at.isoformat(),
            "text": redact_others(t.text, found.others, keep=found.parts),
        }
        for t in incident.texts
        if mentions(t.text, found.parts)
    ]
    answers = []
    for answer in incident.answers:
        about = answer_about(
            answer.body,
            step=answer.step,
            subject=asked,
            labels=found.labels,
            roles=roles,
            parts=found.parts,
            others=found.others,
        )
        if about:
            answers.append(
                {
                    "step": answer.step,
                    "kind": answer.kind,
                    "at": answer.at.isoformat(),
                    "fields": about,
                }
            )
    return {
        "reference": incident.reference,
        "school_id": incident.school_id,
        "status": incident.status,
        "opened_at": incident.opened_at.isoformat(),
        "closed_at": incident.closed_at.isoformat() if incident.closed_at else None,
        "as_person": [
            {"label": p.label, "role": p.role, "name": p.name, "is_our_pupil": p.is_our_pupil}
            for p in found.own
        ],
        "texts": texts,
        "answers": answers,
    }


@dataclass(frozen=True)
class Erasure:
    """The writes that take one subject out of one incident."""

    incident_id: str
    person_ids: tuple[str, ...]
    texts: tuple[tuple[TextRecord, str], ...]  # (record, its new text)
    answers: tuple[tuple[str, Any], ...]  # (answer id, its new body)


def plan_erasure(found: Found, asked: str) -> Erasure:
    texts = tuple(
        (t, erase_subject(t.text, found.parts, label=found.label))
        for t in found.incident.texts
        if mentions(t.text, found.parts)
    )
    answers = []
    for answer in found.incident.answers:
        erased = erase_in_answer(answer.body, subject=asked, parts=found.parts, label=found.label)
        if erased != answer.body:
            answers.append((answer.id, erased))
    return Erasure(
        incident_id=found.incident.incident_id,
        person_ids=tuple(p.id for p in found.own),
        texts=texts,
        answers=tuple(answers),
    )
