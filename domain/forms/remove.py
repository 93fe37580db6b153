"""Step 4, remove: out of every app group and off every phone, preferably class-wide."""

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from domain.forms.base import Answer, Outcome


class RemovalMethod(StrEnum):
    sender_for_everyone = "sender_for_everyone"
    group_admin = "group_admin"
    every_member = "every_member"


class GroupRemovalOutcome(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    method: RemovalMethod
    removed: bool


class GroupRemoval(GroupRemovalOutcome):
    model_config = ConfigDict(extra="forbid", frozen=False)

    group: str = Field(min_length=1, max_length=200, description="the app group's name")


class RemoveOutcome(Outcome):
    groups: list[GroupRemovalOutcome] = Field(min_length=1)
    done_class_wide: bool
    pupils_told_it_is_a_crime: bool


class RemoveAnswer(Answer):
    outcome_model = RemoveOutcome

    groups: list[GroupRemoval] = Field(min_length=1, max_length=50)
    done_class_wide: bool
    pupils_told_it_is_a_crime: bool

    def to_outcome(self) -> RemoveOutcome:
        return RemoveOutcome(
            groups=[GroupRemovalOutcome(method=g.method, removed=g.removed) for g in self.groups],
            done_class_wide=self.done_class_wide,
            pupils_told_it_is_a_crime=self.pupils_told_it_is_a_crime,
        )
