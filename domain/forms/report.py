"""Step 3, report: to the Meldpunt Kinderporno, hetstoptbijjou.nl, the police or Veilig Thuis."""

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from domain.forms.base import Answer, Outcome


class ReportRoute(StrEnum):
    meldpunt_kinderporno = "meldpunt_kinderporno"  # Offlimits; only material with a URL
    hetstoptbijjou = "hetstoptbijjou"  # Stop it Now: shared in an app group without a URL
    police = "police"
    emergency_112 = "emergency_112"
    veilig_thuis = "veilig_thuis"


class Filed(BaseModel):
    model_config = ConfigDict(extra="forbid")

    route: ReportRoute
    reference: str = Field(default="", max_length=200, description="the report's reference")


class ReportOutcome(Outcome):
    routes: list[ReportRoute] = Field(min_length=1)
    references_recorded: int = Field(ge=0)


class ReportAnswer(Answer):
    outcome_model = ReportOutcome

    filed: list[Filed] = Field(min_length=1, max_length=10)

    def to_outcome(self) -> ReportOutcome:
        return ReportOutcome(
            routes=list(dict.fromkeys(f.route for f in self.filed)),
            references_recorded=sum(1 for f in self.filed if f.reference.strip()),
        )
