"""The anonymity guard: no letter or statement names a person in the incident.

The guidance: the name of the victim (or of the spreader) need not be in a letter to all
parents. Regie makes that a rule for every letter and statement it sends.
"""

import re
import unicodedata
from collections.abc import Iterable

# Dutch surname particles, and the shortest common words, are too common to count as a name
# on their own; any other part of two letters or more does ("Bo", "Jo", "Li").
_PARTICLES = frozenset(
    {"van", "de", "der", "den", "ter", "ten", "het", "'t", "in", "op", "la", "le"}
)
_SHORT_WORDS = frozenset(
    {"al", "en", "te", "om", "is", "of", "je", "ze", "we", "ik", "er", "na", "nu", "zo", "at",
     "an", "as", "be", "by", "do", "go", "he", "if", "it", "me", "my", "no", "on", "or", "so",
     "to", "up", "us"}
)  # fmt: skip
_MIN_PART = 2


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def name_parts(name: str) -> list[str]:
    """The full name and every part of it that could identify a person on its own."""
    folded = _fold(name).strip()
    parts = [p for p in re.split(r"[\s\-]+", folded) if p]
    useful = [
        p for p in parts if len(p) >= _MIN_PART and p not in _PARTICLES and p not in _SHORT_WORDS
    ]
    return list(dict.fromkeys([folded, *useful])) if folded else []


def persons_named(text: str, persons: Iterable[tuple[str, str]]) -> list[str]:
    """Labels of the persons whose name (or a part of it) appears in `text`.

    `persons` are (label, real name) pairs; the label ("Leerling A") is what may be shown.
    """
    haystack = _fold(text)
    named = []
    for label, name in persons:
        for part in name_parts(name):
            if re.search(rf"(?<!\w){re.escape(part)}(?!\w)", haystack):
                named.append(label)
                break
    return named
