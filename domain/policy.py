"""The yearly policy review: the guidance's prevention part as a checklist, in three tasks.

The guidance asks every school to evaluate its policy every year and sharpen it, and to learn
from each incident. The review's tasks follow the three prevention steps: a clear policy,
staff knowledge, and education of pupils and parents.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import ClassVar

from pydantic import Field, model_validator

from domain.forms.base import Answer, Outcome
from domain.roles import Role


class ReviewTaskKind(StrEnum):
    review_policy = "review_policy"
    review_knowledge = "review_knowledge"
    review_education = "review_education"


@dataclass(frozen=True)
class Check:
    key: str
    nl: str
    en: str


CHECKLIST: dict[ReviewTaskKind, tuple[Check, ...]] = {
    ReviewTaskKind.review_policy: (
        Check(
            "social_media_policy",
            "Een helder sociale-media-beleid dat ook appgroepen bespreekt",
            "A clear social-media policy that covers app groups",
        ),
        Check(
            "forbidden",
            "Wat verboden is: onder druk zetten, stiekem maken, verspreiden, pesten, "
            "chanteren; ongelijkwaardige of commerciële situaties zijn strafbaar",
            "What is forbidden: pressure, secret recording, spreading, bullying, blackmail; "
            "unequal or commercial situations are criminal",
        ),
        Check(
            "response",
            "Hoe de school reageert als het toch gebeurt, en wat ze van leerlingen verwacht",
            "How the school responds when it happens, and what it expects of pupils",
        ),
        Check("media", "Hoe de school omgaat met de media", "How the school handles the media"),
        Check(
            "positive",
            "Ruimte voor de positieve kant van sexting tussen gelijken, met toestemming",
            "Room for the positive side of consensual sexting between equals",
        ),
    ),
    ReviewTaskKind.review_knowledge: (
        Check(
            "online_life",
            "Docenten weten wat er online speelt onder leerlingen, ook seksueel",
            "Teachers know pupils' online life, sexual development included",
        ),
        Check(
            "talk_positively",
            "Docenten kunnen er op een positieve manier over in gesprek",
            "Teachers can talk about it in a positive way",
        ),
    ),
    ReviewTaskKind.review_education: (
        Check(
            "lessons",
            "Lessen over mediawijsheid en seksualiteit behandelen het verspreiden van naaktbeelden",
            "Lessons on media literacy and sexuality cover the spreading of nudes",
        ),
        Check(
            "parents",
            "Voorlichting voor ouders (bijv. Helpwanted op een ouderavond)",
            "Information for parents (e.g. Helpwanted at a parents' evening)",
        ),
    ),
}

TITLES: dict[ReviewTaskKind, tuple[str, str]] = {
    ReviewTaskKind.review_policy: (
        "Jaarlijkse evaluatie: maak helder beleid",
        "Yearly review: a clear policy",
    ),
    ReviewTaskKind.review_knowledge: (
        "Jaarlijkse evaluatie: verbreed de kennis",
        "Yearly review: staff knowledge",
    ),
    ReviewTaskKind.review_education: (
        "Jaarlijkse evaluatie: doe aan voorlichting",
        "Yearly review: education",
    ),
}

REVIEW_ROLE = Role.school_leader
DEFAULT_DEADLINE = "P30D"


def review_title(kind: ReviewTaskKind, language: str) -> str:
    nl, en = TITLES[kind]
    return en if language == "en" else nl


class ReviewOutcome(Outcome):
    checks_in_place: int = Field(ge=0)
    checks_total: int = Field(ge=1)
    policy_changed: bool = False


class ReviewAnswer(Answer):
    """What the school leader records for one part of the review."""

    outcome_model = ReviewOutcome
    kind_checks: ClassVar[tuple[Check, ...]] = ()

    in_place: list[str] = Field(default_factory=list, description="keys of the checks in place")
    improvements: str = Field(default="", max_length=4000, description="what will be improved")

    @model_validator(mode="after")
    def _known_checks(self) -> "ReviewAnswer":
        known = {c.key for c in self.kind_checks}
        unknown = sorted(set(self.in_place) - known)
        if unknown:
            raise ValueError(f"in_place: unknown checks {', '.join(unknown)}")
        return self

    def to_outcome(self) -> ReviewOutcome:
        return ReviewOutcome(
            checks_in_place=len(set(self.in_place)), checks_total=len(self.kind_checks)
        )


class PolicyReviewAnswer(ReviewAnswer):
    kind_checks = CHECKLIST[ReviewTaskKind.review_policy]

    policy_changed: bool
    change: str = Field(default="", max_length=4000, description="what changed in the policy")
    new_version_date: date | None = None

    @model_validator(mode="after")
    def _change_described(self) -> "PolicyReviewAnswer":
        if self.policy_changed and (not self.change.strip() or self.new_version_date is None):
            raise ValueError(
                "the policy changed: describe what changed (change) and give the new "
                "version's date (new_version_date)"
            )
        return self

    def to_outcome(self) -> ReviewOutcome:
        return ReviewOutcome(
            checks_in_place=len(set(self.in_place)),
            checks_total=len(self.kind_checks),
            policy_changed=self.policy_changed,
        )


class KnowledgeReviewAnswer(ReviewAnswer):
    kind_checks = CHECKLIST[ReviewTaskKind.review_knowledge]


class EducationReviewAnswer(ReviewAnswer):
    kind_checks = CHECKLIST[ReviewTaskKind.review_education]


REVIEW_FORMS: dict[ReviewTaskKind, type[ReviewAnswer]] = {
    ReviewTaskKind.review_policy: PolicyReviewAnswer,
    ReviewTaskKind.review_knowledge: KnowledgeReviewAnswer,
    ReviewTaskKind.review_education: EducationReviewAnswer,
}


def review_guidance(kind: ReviewTaskKind, language: str) -> str:
    """The part of the guidance this review task is about, with its checklist."""
    intro = {
        ReviewTaskKind.review_policy: (
            "Evalueer het beleid, zoals de richtlijn vraagt: elk jaar, en scherp het aan waar "
            "nodig. Neem de lessen uit de evaluaties van dit jaar mee. Vink aan wat op orde is.",
            "Review the policy, as the guidance asks: every year, sharpening it where needed. "
            "Take this year's lessons from evaluations into account. Tick what is in place.",
        ),
        ReviewTaskKind.review_knowledge: (
            "Zorg dat docenten weten wat de online ontwikkelingen zijn onder leerlingen. Vink "
            "aan wat op orde is.",
            "Make sure teachers know pupils' online life. Tick what is in place.",
        ),
        ReviewTaskKind.review_education: (
            "Besteed op school aandacht aan het verspreiden van naaktbeelden. Vink aan wat op "
            "orde is.",
            "Pay attention at school to the spreading of nudes. Tick what is in place.",
        ),
    }[kind]
    checks = "; ".join(c.en if language == "en" else c.nl for c in CHECKLIST[kind])
    return f"{intro[1] if language == 'en' else intro[0]} {checks}."
