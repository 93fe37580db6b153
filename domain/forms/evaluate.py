"""Step 8, evaluate: what went well, what can be better, must the policy change."""

from pydantic import Field

from domain.forms.base import Answer, Outcome


class EvaluateOutcome(Outcome):
    policy_change_needed: bool
    lessons: int = Field(ge=1)


class EvaluateAnswer(Answer):
    outcome_model = EvaluateOutcome

    went_well: str = Field(min_length=1, max_length=4000)
    can_be_better: str = Field(min_length=1, max_length=4000)
    policy_change_needed: bool
    policy_change: str = Field(default="", max_length=4000)

    def to_outcome(self) -> EvaluateOutcome:
        return EvaluateOutcome(
            policy_change_needed=self.policy_change_needed,
            lessons=2 + (1 if self.policy_change.strip() else 0),
        )
