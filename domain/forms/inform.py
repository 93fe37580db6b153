"""Step 6, inform the parents: who is told, with the victim's say, and never a name."""

from pydantic import BaseModel, ConfigDict, Field

from domain.forms.base import Answer, Outcome
from domain.forms.support import Audience


class Letter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    audience: Audience
    text: str = Field(min_length=20, max_length=10_000, description="the letter; no names")


class InformOutcome(Outcome):
    audiences: list[Audience] = Field(min_length=1)
    culture_and_religion_considered: bool
    letters: int = Field(ge=1)


class InformAnswer(Answer):
    outcome_model = InformOutcome

    letters: list[Letter] = Field(min_length=1, max_length=4)
    culture_and_religion_considered: bool
    sensitivity_notes: str = Field(default="", max_length=4000)

    def to_outcome(self) -> InformOutcome:
        return InformOutcome(
            audiences=list(dict.fromkeys(letter.audience for letter in self.letters)),
            culture_and_religion_considered=self.culture_and_religion_considered,
            letters=len(self.letters),
        )
