"""Follow-up of assess: pupils of a school outside the board are involved; contact it."""

from enum import StrEnum

from pydantic import Field, model_validator

from domain.forms.base import Answer, Outcome


class ContactMethod(StrEnum):
    phone = "phone"
    email = "email"
    meeting = "meeting"


class ContactOutsideSchoolOutcome(Outcome):
    contacted: bool
    method: ContactMethod

    @model_validator(mode="after")
    def _contacted(self) -> "ContactOutsideSchoolOutcome":
        if not self.contacted:
            raise ValueError(
                "contact the other school's management first; if that is not needed, "
                "mark the task not applicable with a reason"
            )
        return self


class ContactOutsideSchoolAnswer(Answer):
    outcome_model = ContactOutsideSchoolOutcome

    contacted: bool
    method: ContactMethod
    school_name: str = Field(min_length=1, max_length=200)

    def to_outcome(self) -> ContactOutsideSchoolOutcome:
        return ContactOutsideSchoolOutcome(contacted=self.contacted, method=self.method)
