"""Step 7, media: a holding statement that says what is and is not said, with no names."""

from pydantic import Field

from domain.forms.base import Answer, Outcome


class MediaOutcome(Outcome):
    spokesperson_id: str = Field(min_length=1, max_length=64)
    statement_prepared: bool


class MediaAnswer(Answer):
    outcome_model = MediaOutcome

    spokesperson_id: str = Field(min_length=1, max_length=64, description="a staff id")
    statement: str = Field(min_length=20, max_length=10_000)
    not_said: str = Field(default="", max_length=4000, description="what will not be said")

    def to_outcome(self) -> MediaOutcome:
        return MediaOutcome(spokesperson_id=self.spokesperson_id, statement_prepared=True)
