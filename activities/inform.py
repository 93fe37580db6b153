"""Inform: the parent letters, sent after the school leader approved them, never naming anyone."""

from temporalio import activity

from activities.deps import Deps
from activities.documents import Draft, check_and_send
from domain.forms.inform import InformAnswer
from store import answers
from store.db import reading
from workflows.contracts import SendDocumentsInput


class InformActivities:
    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    @activity.defn
    async def send_parent_letters(self, inp: SendDocumentsInput) -> None:
        async with reading(self._deps.pool) as conn:
            answer = InformAnswer.model_validate(
                await answers.get_body(conn, answer_id=inp.answer_id)
            )
        drafts = [
            Draft(key=str(i), text=letter.text, audience=letter.audience)
            for i, letter in enumerate(answer.letters)
        ]
        await check_and_send(self._deps, inp, kind="parent_letter", drafts=drafts)
