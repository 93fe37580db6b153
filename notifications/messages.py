"""What an e-mail is about (its kind) and the only data a template may use (its context)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator


class MessageKind(StrEnum):
    """Every e-mail Regie sends; each kind has a subject, text and html template."""

    task_assigned = "task_assigned"
    task_reminder = "task_reminder"
    task_escalated = "task_escalated"
    task_reassigned_away = "task_reassigned_away"
    task_cancelled = "task_cancelled"
    urgent_referral = "urgent_referral"
    removal_instructions = "removal_instructions"
    parent_letter = "parent_letter"
    media_statement = "media_statement"
    letter_refused = "letter_refused"
    email_refused = "email_refused"
    sign_in_link = "sign_in_link"


class MessageContext(BaseModel):
    """Everything a template can show.

    There is deliberately no field for a pupil or for incident free text: an e-mail names the
    school, the step, the deadline and a link, nothing more. `extra="forbid"` keeps it that way
    when a caller tries to slip in another field.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    school_name: str = Field(min_length=1)
    step_title: str = Field(min_length=1)
    deadline: AwareDatetime | None = None
    link: str | None = None
    reference: str | None = None
    escalation_level: int = Field(default=0, ge=0, le=2)
    # Only for parent_letter and media_statement: text already checked to name no one.
    body: str | None = None
    reason_code: str | None = None

    @field_validator("link")
    @classmethod
    def _link_is_web_address(cls, value: str | None) -> str | None:
        # The link becomes an href and a clickable line in the text part; anything but a web
        # address (javascript:, mailto:, a bare path) would be a bug or an injection.
        if value is None:
            return None
        if not value.startswith(("https://", "http://")) or any(c.isspace() for c in value):
            raise ValueError("link must be an http(s) URL without spaces")
        return value


# Fields a kind cannot do without; an e-mail missing them would leave the reader stuck.
REQUIRED_FIELDS: dict[MessageKind, tuple[str, ...]] = {
    MessageKind.task_assigned: ("link",),
    MessageKind.task_reminder: ("link", "deadline"),
    MessageKind.task_escalated: ("link", "deadline", "escalation_level"),
    MessageKind.task_reassigned_away: (),
    MessageKind.task_cancelled: (),
    MessageKind.urgent_referral: ("link",),
    MessageKind.removal_instructions: (),
    MessageKind.parent_letter: ("body",),
    MessageKind.media_statement: ("body",),
    MessageKind.letter_refused: ("link",),
    MessageKind.email_refused: ("link",),
    MessageKind.sign_in_link: ("link",),
}


def missing_fields(kind: MessageKind, context: MessageContext) -> list[str]:
    """Names of the fields `kind` needs that are empty in `context` (0 counts as empty)."""
    return [name for name in REQUIRED_FIELDS[kind] if not getattr(context, name)]
