"""Step 2, support the victim: "Het is niet jouw schuld", no indirect blame, ask what they need."""

from enum import StrEnum

from pydantic import Field, model_validator

from domain.forms.base import Answer, Outcome


class HelpArranged(StrEnum):
    helpwanted = "helpwanted"
    care_team = "care_team"
    other = "other"
    declined = "declined"


class Audience(StrEnum):
    """Who may be told: the victim has a say in this before any letter goes out."""

    parents_of_depicted = "parents_of_depicted"
    parents_of_spreader = "parents_of_spreader"
    class_parents = "class_parents"
    school_parents = "school_parents"


class SupportOutcome(Outcome):
    victim_at_our_school: bool
    said_not_your_fault: bool = False
    no_indirect_blame: bool = False
    asked_what_victim_needs: bool = False
    help: list[HelpArranged] = Field(default_factory=list)
    message_carried_at_school: bool = False
    victim_consulted_on_informing: bool = False
    victim_agrees_to_inform: list[Audience] = Field(default_factory=list)

    @model_validator(mode="after")
    def _the_guidance_was_followed(self) -> "SupportOutcome":
        if self.victim_at_our_school:
            missing = [
                label
                for label, done in (
                    (
                        "say at once 'it is not your fault' (said_not_your_fault)",
                        self.said_not_your_fault,
                    ),
                    ("give no indirect blame (no_indirect_blame)", self.no_indirect_blame),
                    (
                        "ask what the victim needs (asked_what_victim_needs)",
                        self.asked_what_victim_needs,
                    ),
                )
                if not done
            ]
            if missing:
                raise ValueError(
                    "support is complete only when you did this with the victim: "
                    + "; ".join(missing)
                )
            if not self.help:
                raise ValueError("record the help arranged, or 'declined' if the victim wants none")
        elif not self.message_carried_at_school:
            raise ValueError(
                "the victim is at another school: carry the message 'it is never the victim's "
                "fault' at this school, then tick message_carried_at_school"
            )
        return self


class SupportAnswer(Answer):
    outcome_model = SupportOutcome

    victim_at_our_school: bool = True
    said_not_your_fault: bool = False
    no_indirect_blame: bool = False
    asked_what_victim_needs: bool = False
    help: list[HelpArranged] = Field(default_factory=list)
    message_carried_at_school: bool = False
    victim_consulted_on_informing: bool = False
    victim_agrees_to_inform: list[Audience] = Field(default_factory=list)
    victim_needs: str = Field(default="", max_length=4000)

    def to_outcome(self) -> SupportOutcome:
        return SupportOutcome.model_validate(self.model_dump(exclude={"notes", "victim_needs"}))
