"""Look up a task kind's answer and outcome models."""

from domain.forms.base import Answer, Outcome
from domain.steps import TASK_KINDS, TaskKind


def answer_model(kind: TaskKind) -> type[Answer]:
    return TASK_KINDS[kind].form


def outcome_model(kind: TaskKind) -> type[Outcome]:
    return TASK_KINDS[kind].form.outcome_model
