"""Every workflow a Regie worker runs: what the worker registers and what a replay checks."""

from workflows.incident import IncidentWorkflow
from workflows.policy_review import PolicyReviewWorkflow
from workflows.retention import RetentionWorkflow

ALL_WORKFLOWS: list[type] = [IncidentWorkflow, PolicyReviewWorkflow, RetentionWorkflow]
