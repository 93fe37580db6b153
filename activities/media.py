"""Media: the holding statement for board communications, never naming anyone."""

from temporalio import activity

from activities.deps import Deps
from activities.documents import Draft, check_and_send
from domain.forms.media import MediaAnswer
from store import answers
from store.db import reading
from workflows.contracts import SendDocumentsInput


class MediaActivities:
    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    @activity.defn
    async def send_statement(self, inp: SendDocumentsInput) -> None:
        async with reading(self._deps.pool) as conn:
            answer = MediaAnswer.model_validate(
                await answers.get_body(conn, answer_id=inp.answer_id)
            )
        drafts = [Draft(key="0", text=answer.statement, audience=None)]
        await check_and_send(self._deps, inp, kind="media_statement", drafts=drafts)
