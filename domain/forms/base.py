"""Shared base classes for the task forms."""

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field


class Outcome(BaseModel):
    """The structured part of an answer: safe to put in a Temporal payload."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Answer(BaseModel):
    """What a person submits for a task. May hold names and free text: never sent to Temporal."""

    model_config = ConfigDict(extra="forbid")

    outcome_model: ClassVar[type[Outcome]]

    notes: str = Field(default="", max_length=4000, description="Free text, kept in Regie only")

    def to_outcome(self) -> Outcome:
        raise NotImplementedError

    def free_text_values(self) -> list[str]:
        """Every free-text value in the answer, for tests and the anonymity checks."""
        return [value for value in _strings(self.model_dump()) if value]


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


ShortText = Field(min_length=1, max_length=200)
