"""Small builders for domain tests: valid outcomes with one thing changed."""

from typing import Any

from domain.forms.assess import AgeBand, AssessOutcome, ChannelKind, ImageKind
from domain.forms.remove import GroupRemovalOutcome, RemovalMethod, RemoveOutcome
from domain.forms.support import Audience, HelpArranged, SupportOutcome


def assessment(**overrides: Any) -> AssessOutcome:
    """Nude images of a 13-15 year old pupil in one app group; no CSAM flag, no URL, no risk."""
    fields: dict[str, Any] = {
        "image_kinds": [ImageKind.nude_or_sexual],
        "depicted_is_our_pupil": True,
        "depicted_age": AgeBand.age_13_15,
        "spreader_is_our_pupil": True,
        "possible_csam": False,
        "has_url": False,
        "media_risk": False,
        "other_school_ids": [],
        "outside_school_involved": False,
        "immediate_referral": [],
        "channel_kinds": [ChannelKind.app_group],
        "channel_count": 1,
        "person_counts": {},
    }
    fields.update(overrides)
    return AssessOutcome.model_validate(fields)


def support(**overrides: Any) -> SupportOutcome:
    """The victim is at our school; every point of the guidance was done."""
    fields: dict[str, Any] = {
        "victim_at_our_school": True,
        "said_not_your_fault": True,
        "no_indirect_blame": True,
        "asked_what_victim_needs": True,
        "help": [HelpArranged.helpwanted],
        "victim_consulted_on_informing": True,
        "victim_agrees_to_inform": [Audience.parents_of_depicted],
    }
    fields.update(overrides)
    return SupportOutcome.model_validate(fields)


def removal(*, removed: tuple[bool, ...] = (True,), told: bool = True) -> RemoveOutcome:
    return RemoveOutcome(
        groups=[GroupRemovalOutcome(method=RemovalMethod.group_admin, removed=r) for r in removed],
        done_class_wide=True,
        pupils_told_it_is_a_crime=told,
    )
