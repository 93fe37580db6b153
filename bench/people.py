"""The people of a bench board: staff with API tokens, and the e-mail they receive.

Tasks are done the way staff do them: the task e-mail arrives at the SMTP server, its link
names the task, and the assignee answers it through the API with their own token.
"""

from __future__ import annotations

import asyncio
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from bench.client import Client
from bench.stack import SECRET, Stack
from domain.roles import Role
from notifications.catcher import CaughtMessage
from notifications.links import TaskLinkClaims, read_task_token
from tests import answers
from tests.fixtures.api import tokens_for
from tests.fixtures.world import World, make_world

_REFERENCE = re.compile(r"\bRG-\d{4}-\d+\b")


@dataclass(frozen=True)
class TaskMail:
    claims: TaskLinkClaims
    arrived: float  # perf_counter() when the SMTP server took it


@dataclass
class Mailroom:
    """Sorts arriving task e-mails by incident reference into one queue per incident.

    An e-mail may arrive before the API's answer that names the reference, so queues are made
    on first use from either side.
    """

    queues: dict[str, asyncio.Queue[TaskMail]] = field(
        default_factory=lambda: defaultdict(asyncio.Queue)
    )
    seen: dict[tuple[str, int], int] = field(default_factory=lambda: defaultdict(int))

    def __call__(self, message: CaughtMessage, arrived: float) -> None:
        links = [link for link in message.links if "/t/" in link]
        found = _REFERENCE.search(message.text)
        if not links or found is None:
            return  # not a task e-mail (removal instructions, letters, ...)
        claims = read_task_token(SECRET, links[0].rsplit("/t/", 1)[1], max_age_seconds=86400)
        self.seen[(claims.task_id, claims.assignment)] += 1
        self.queues[found.group(0)].put_nowait(TaskMail(claims, arrived))

    def duplicates(self) -> int:
        return sum(count - 1 for count in self.seen.values() if count > 1)


@dataclass
class Board:
    world: World
    tokens: dict[str, str]

    def auth(self, staff_id: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[staff_id]}"}

    def school_staff(self, role: Role, school: int = 0) -> str:
        return self.world.schools[school].staff[role]

    @property
    def adviser(self) -> str:
        return self.world.board_staff[Role.board_safeguarding]


async def make_board(stack: Stack, *, schools: int = 2) -> Board:
    world = await make_world(stack.pool, schools=schools)
    return Board(world, await tokens_for(stack.pool, world))


def answer_for(kind: str, board: Board) -> dict[str, Any]:
    """A valid full answer; the assessment flags a media risk, so all eight steps run."""
    comms = board.world.board_staff[Role.communications]
    made: dict[str, dict[str, Any]] = {
        "assess": answers.assess(media_risk=True),
        "support": answers.support(),
        "report": answers.report(),
        "remove": answers.remove(),
        "confront": answers.confront(),
        "inform": answers.inform(),
        "media": answers.media(comms),
        "evaluate": answers.evaluate(),
    }
    return made[kind]


async def open_incident(http: Client, board: Board, school: int = 0) -> dict[str, Any]:
    coordinator = board.school_staff(Role.coordinator, school)
    response = await http.post(
        "/api/incidents",
        json={
            "school_id": board.world.schools[school].id,
            "summary": "Naaktfoto gedeeld in de klassenapp",
        },
        headers=board.auth(coordinator),
    )
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


async def next_mail(mailroom: Mailroom, reference: str, timeout: float) -> TaskMail:
    try:
        return await asyncio.wait_for(mailroom.queues[reference].get(), timeout)
    except TimeoutError:
        raise TimeoutError(f"no task e-mail for {reference} within {timeout}s") from None
