"""The dev mailbox: the mail the SMTP catcher caught, only when it runs (`regie dev`)."""

from html import escape

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from api.deps import Rt
from notifications.catcher import MailCatcher

router = APIRouter(prefix="/dev", tags=["dev"])


class CaughtOut(BaseModel):
    id: str
    to: list[str]
    subject: str
    text: str
    html: str
    links: list[str]
    received_at: str


def _catcher(rt: Rt) -> MailCatcher:
    if rt.mail_catcher is None:
        raise HTTPException(404, "the dev mailbox exists only under `regie dev`")
    return rt.mail_catcher


@router.get("/mail.json")
async def mail_json(rt: Rt) -> list[CaughtOut]:
    return [
        CaughtOut(
            id=m.id,
            to=m.to,
            subject=m.subject,
            text=m.text,
            html=m.html,
            links=m.links,
            received_at=m.received_at.isoformat(),
        )
        for m in reversed(_catcher(rt).messages())
    ]


@router.get("/mail", response_class=HTMLResponse, include_in_schema=False)  # a page, not API
async def mail_page(rt: Rt) -> str:
    rows = []
    for m in reversed(_catcher(rt).messages()):
        links = "".join(f'<li><a href="{escape(link)}">{escape(link)}</a></li>' for link in m.links)
        rows.append(
            f"<article><h2>{escape(m.subject)}</h2>"
            f"<p>Aan: {escape(', '.join(m.to))} · {escape(m.received_at.isoformat())}</p>"
            f"<pre>{escape(m.text)}</pre><ul>{links}</ul></article>"
        )
    body = "".join(rows) or "<p>Nog geen e-mail.</p>"
    return (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Regie — dev-postvak</title></head><body><h1>Dev-postvak</h1>"
        f"{body}</body></html>"
    )
