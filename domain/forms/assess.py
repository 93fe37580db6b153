"""Step 1, assess: determine the scope and impact of the incident.

Nobody looks for, views, copies or asks for the images: the form asks for descriptions only.
"""

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.forms.base import Answer, Outcome


class ImageKind(StrEnum):
    nude_or_sexual = "nude_or_sexual"
    violent = "violent"
    shocking = "shocking"
    other = "other"


class AgeBand(StrEnum):
    under_13 = "under_13"
    age_13_15 = "13_15"
    age_16_17 = "16_17"
    adult = "adult"
    unknown = "unknown"


class ChannelKind(StrEnum):
    app_group = "app_group"
    one_to_one = "one_to_one"
    social_media = "social_media"
    website = "website"


class ReferralCriterion(StrEnum):
    """The grounds for an immediate referral (DESIGN.md, after the UKCIS advice)."""

    adult_involved = "adult_involved"
    coercion_or_blackmail = "coercion_or_blackmail"
    capacity_to_consent = "capacity_to_consent"
    violent_or_unusual = "violent_or_unusual"
    under_13 = "under_13"
    risk_of_harm = "risk_of_harm"


class PersonRole(StrEnum):
    victim = "victim"
    maker = "maker"
    spreader = "spreader"
    recipient = "recipient"
    bystander = "bystander"


class Channel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ChannelKind
    description: str = Field(min_length=1, max_length=200, description="e.g. the group's name")


class Person(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: PersonRole
    name: str = Field(min_length=1, max_length=200)
    is_our_pupil: bool = True


SchoolId = Annotated[str, Field(min_length=1, max_length=64)]


class AssessOutcome(Outcome):
    image_kinds: list[ImageKind] = Field(min_length=1)
    depicted_is_our_pupil: bool
    depicted_age: AgeBand
    spreader_is_our_pupil: bool
    possible_csam: bool
    has_url: bool
    media_risk: bool
    other_school_ids: list[SchoolId] = Field(default_factory=list, max_length=50)
    outside_school_involved: bool
    immediate_referral: list[ReferralCriterion] = Field(default_factory=list)
    channel_kinds: list[ChannelKind] = Field(default_factory=list)
    channel_count: int = Field(ge=0)
    person_counts: dict[PersonRole, int] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> "AssessOutcome":
        if self.depicted_age is AgeBand.under_13 and (
            ReferralCriterion.under_13 not in self.immediate_referral
        ):
            raise ValueError(
                "the depicted pupil is under 13: tick 'under_13' among the grounds for "
                "an immediate referral"
            )
        if len(set(self.other_school_ids)) != len(self.other_school_ids):
            raise ValueError("other_school_ids lists a school twice")
        return self


class AssessAnswer(Answer):
    outcome_model = AssessOutcome

    image_kinds: list[ImageKind] = Field(min_length=1)
    depicted_is_our_pupil: bool
    depicted_age: AgeBand
    spreader_is_our_pupil: bool
    possible_csam: bool
    has_url: bool
    media_risk: bool
    other_school_ids: list[SchoolId] = Field(default_factory=list, max_length=50)
    outside_school_involved: bool = False
    immediate_referral: list[ReferralCriterion] = Field(default_factory=list)
    channels: list[Channel] = Field(default_factory=list, max_length=50)
    persons: list[Person] = Field(default_factory=list, max_length=100)

    def to_outcome(self) -> AssessOutcome:
        counts: dict[PersonRole, int] = {}
        for person in self.persons:
            counts[person.role] = counts.get(person.role, 0) + 1
        return AssessOutcome(
            image_kinds=self.image_kinds,
            depicted_is_our_pupil=self.depicted_is_our_pupil,
            depicted_age=self.depicted_age,
            spreader_is_our_pupil=self.spreader_is_our_pupil,
            possible_csam=self.possible_csam,
            has_url=self.has_url,
            media_risk=self.media_risk,
            other_school_ids=self.other_school_ids,
            outside_school_involved=self.outside_school_involved,
            immediate_referral=self.immediate_referral,
            channel_kinds=sorted({c.kind for c in self.channels}),
            channel_count=len(self.channels),
            person_counts=counts,
        )
