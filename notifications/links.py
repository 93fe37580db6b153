"""Task links: signed, bound to one task, its assignee and that assignment, and expiring.

The link in a task e-mail is `{base_url}/t/{token}`. A reassignment raises the assignment
number, so the old assignee's link stops working; the service checks that the task is still
open and still theirs when the link is used.
"""

from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

_SALT = "regie.task-link"


@dataclass(frozen=True)
class TaskLinkClaims:
    task_id: str
    assignee_id: str
    assignment: int


class InvalidTaskLink(Exception):
    """The link was forged, altered or has expired."""


def task_token(secret: str, *, task_id: str, assignee_id: str, assignment: int) -> str:
    serializer = URLSafeTimedSerializer(secret, salt=_SALT)
    return serializer.dumps({"t": task_id, "a": assignee_id, "n": assignment})


def task_link(
    base_url: str, secret: str, *, task_id: str, assignee_id: str, assignment: int
) -> str:
    token = task_token(secret, task_id=task_id, assignee_id=assignee_id, assignment=assignment)
    return f"{base_url.rstrip('/')}/t/{token}"


def read_task_token(secret: str, token: str, *, max_age_seconds: int) -> TaskLinkClaims:
    serializer = URLSafeTimedSerializer(secret, salt=_SALT)
    try:
        data = serializer.loads(token, max_age=max_age_seconds)
    except SignatureExpired:
        raise InvalidTaskLink("this link has expired; open the task from 'my tasks'") from None
    except BadSignature:
        raise InvalidTaskLink("this link is not valid; open the task from 'my tasks'") from None
    return TaskLinkClaims(
        task_id=str(data["t"]), assignee_id=str(data["a"]), assignment=int(data["n"])
    )
