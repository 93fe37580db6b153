"""Step 5, confront: talk to those responsible for the spreading, fitting the incident's size."""

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from domain.forms.base import Answer, Outcome


class Sanction(StrEnum):
    none = "none"
    conversation_only = "conversation_only"
    detention = "detention"
    suspension = "suspension"
    other = "other"


class ConversationOutcome(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    held: bool
    with_parents: bool
    sanction: Sanction
    neighbourhood_officer: bool


class Conversation(ConversationOutcome):
    model_config = ConfigDict(extra="forbid", frozen=False)

    person_label: str = Field(
        min_length=1, max_length=40, description="the label of the person, e.g. 'Leerling B'"
    )


class ConfrontOutcome(Outcome):
    conversations: list[ConversationOutcome] = Field(min_length=1)


class ConfrontAnswer(Answer):
    outcome_model = ConfrontOutcome

    conversations: list[Conversation] = Field(min_length=1, max_length=50)

    def to_outcome(self) -> ConfrontOutcome:
        return ConfrontOutcome(
            conversations=[
                ConversationOutcome.model_validate(c.model_dump(exclude={"person_label"}))
                for c in self.conversations
            ]
        )
