"""Task forms as HTML: the fields come from the step's pydantic Answer model.

One renderer for every step, so a new field on a form appears on its page with no template
work; labels come from `labels.py`. Rows of a list (persons, app groups, letters) are named
`field.N.sub`; empty rows are ignored, so a form always offers a few spare ones.
"""

import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from api.web.labels import choice_label, field_label

Kind = Literal["bool", "select", "multi", "text", "textarea", "rows", "schools", "staff", "date"]

LONG_TEXT = frozenset(
    {"notes", "victim_needs", "text", "statement", "not_said", "went_well", "can_be_better",
     "policy_change", "sensitivity_notes", "improvements", "change"}
)  # fmt: skip
SPARE_ROWS = 2
# Rows of a list whose model sets no max_length. A posted row number decides how many rows
# the page renders again, so no number past a list's maximum is read.
DEFAULT_MAX_ROWS = 100


@dataclass
class FieldSpec:
    name: str
    label: str
    kind: Kind
    required: bool
    choices: list[tuple[str, str]] = field(default_factory=list)
    sub: list["FieldSpec"] = field(default_factory=list)
    default: bool = False  # a checkbox that starts ticked
    max_rows: int = DEFAULT_MAX_ROWS  # for "rows": the list's max_length


@dataclass(frozen=True)
class Choices:
    """Choices that depend on the incident: the board's other schools, its staff."""

    schools: list[tuple[str, str]]
    staff: list[tuple[str, str]]


def _inner(annotation: Any) -> tuple[Any, Any]:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _inner(args[0])
    if origin in (typing.Union, types.UnionType):
        real = [a for a in args if a is not type(None)]
        return _inner(real[0])
    return origin, args


def fields_of(model: type[BaseModel], lang: str, choices: Choices | None = None) -> list[FieldSpec]:
    specs = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        origin, args = _inner(annotation)
        target = annotation
        if typing.get_origin(annotation) is typing.Annotated:
            target = typing.get_args(annotation)[0]
        label = field_label(name, lang)
        required = info.is_required()
        checks = getattr(model, "kind_checks", ())
        if name == "in_place" and checks:
            options = [(c.key, c.en if lang == "en" else c.nl) for c in checks]
            spec = FieldSpec(name, label, "multi", False, options)
        elif _is_date(annotation):
            spec = FieldSpec(name, label, "date", required)
        elif name == "other_school_ids":
            spec = FieldSpec(name, label, "schools", False, choices.schools if choices else [])
        elif name == "spokesperson_id":
            spec = FieldSpec(name, label, "staff", True, choices.staff if choices else [])
        elif target is bool:
            spec = FieldSpec(name, label, "bool", False, default=info.default is True)
        elif isinstance(target, type) and issubclass(target, StrEnum):
            spec = FieldSpec(name, label, "select", required, _enum_choices(target, lang))
        elif origin is list and args and isinstance(args[0], type) and issubclass(args[0], StrEnum):
            spec = FieldSpec(name, label, "multi", required, _enum_choices(args[0], lang))
        elif (
            origin is list and args and isinstance(args[0], type) and issubclass(args[0], BaseModel)
        ):
            spec = FieldSpec(
                name, label, "rows", required, sub=fields_of(args[0], lang, choices),
                max_rows=_max_length(info),
            )  # fmt: skip
        else:
            spec = FieldSpec(name, label, "textarea" if name in LONG_TEXT else "text", required)
        specs.append(spec)
    # Notes come from the shared base form; on the page they belong last.
    return sorted(specs, key=lambda s: s.name == "notes")


def _max_length(info: FieldInfo) -> int:
    # Field(max_length=...) on a list is kept as a constraint object with a max_length.
    lengths = [getattr(c, "max_length", None) for c in info.metadata]
    return min((n for n in lengths if isinstance(n, int)), default=DEFAULT_MAX_ROWS)


def _is_date(annotation: Any) -> bool:
    return annotation is date or date in typing.get_args(annotation)


def _enum_choices(enum: type[StrEnum], lang: str) -> list[tuple[str, str]]:
    return [(member.value, choice_label(member.value, lang)) for member in enum]


def parse(specs: Sequence[FieldSpec], form: Mapping[str, list[str]]) -> dict[str, Any]:
    """The answer as the service expects it, from the posted form."""
    answer: dict[str, Any] = {}
    for spec in specs:
        if spec.kind == "rows":
            answer[spec.name] = _rows(spec, form)
            continue
        values = [v for v in form.get(spec.name, []) if v != ""]
        if spec.kind == "bool":
            answer[spec.name] = bool(values)
        elif spec.kind in ("multi", "schools"):
            answer[spec.name] = values
        elif values:
            answer[spec.name] = values[0]
    return answer


def _rows(spec: FieldSpec, form: Mapping[str, list[str]]) -> list[dict[str, Any]]:
    return [parse(spec.sub, sub) for _, sub in _typed_rows(spec, form)]


def _typed_rows(
    spec: FieldSpec, form: Mapping[str, list[str]]
) -> list[tuple[int, dict[str, list[str]]]]:
    """(index, the row's own fields) of every row with something typed or chosen in it."""
    indexes = sorted(
        {
            index
            for key in form
            if key.startswith(f"{spec.name}.")
            and (index := _row_index(key.split(".")[1], spec.max_rows)) is not None
        }
    )
    typed = []
    for index in indexes:
        prefix = f"{spec.name}.{index}."
        sub_form = {k[len(prefix) :]: v for k, v in form.items() if k.startswith(prefix)}
        # A ticked box alone does not make a row: spare rows may carry default ticks.
        if any(v.strip() for s in spec.sub if s.kind != "bool" for v in sub_form.get(s.name, [])):
            typed.append((index, sub_form))
    return typed


def _row_index(part: str, max_rows: int) -> int | None:
    # ASCII digits only: str.isdigit() also takes "²", which int() refuses.
    if not (part.isascii() and part.isdigit() and len(part) <= len(str(max_rows))):
        return None
    index = int(part)
    return index if index < max_rows else None


def row_count(spec: FieldSpec, form: Mapping[str, list[str]]) -> int:
    """Rows to show: up to the last one with something in it, plus spare ones."""
    typed = _typed_rows(spec, form)
    return (typed[-1][0] + 1 if typed else 0) + SPARE_ROWS


def errors_by_field(message: str) -> tuple[dict[str, str], list[str]]:
    """Split 'a.0.b: reason; c: reason' into messages per form field and general ones."""
    by_field: dict[str, str] = {}
    general: list[str] = []
    for part in message.split("; "):
        where, sep, reason = part.partition(": ")
        if sep and where and " " not in where:
            by_field.setdefault(where, reason)
        else:
            general.append(part)
    return by_field, general
