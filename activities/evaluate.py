"""Evaluate: keep the lessons for the school's next yearly policy review."""

from temporalio import activity

from activities.deps import Deps
from domain.forms.evaluate import EvaluateAnswer
from store import answers, lessons
from store.db import one_write
from workflows.contracts import StoreLessonsInput


class EvaluateActivities:
    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    @activity.defn
    async def store_lessons(self, inp: StoreLessonsInput) -> None:
        async with one_write(self._deps.pool) as conn:
            answer = EvaluateAnswer.model_validate(
                await answers.get_body(conn, answer_id=inp.answer_id)
            )
            await lessons.store_lessons(
                conn,
                incident_id=inp.task.incident_id,
                went_well=answer.went_well,
                can_be_better=answer.can_be_better,
                policy_change_needed=answer.policy_change_needed,
                policy_change=answer.policy_change,
            )
