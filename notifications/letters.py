"""Parent letters and media statements, rendered from templates around the approved text.

These are plain text: the e-mail that carries them escapes them for its HTML part.
"""

from datetime import date
from typing import Literal

from jinja2 import Environment, PackageLoader, StrictUndefined

from domain.forms.support import Audience
from notifications.render import Language, format_date

DocumentKind = Literal["parent_letter", "media_statement"]

AUDIENCE_NAMES: dict[Audience, tuple[str, str]] = {
    Audience.parents_of_depicted: ("ouder(s)/verzorger(s)", "parent(s)/carer(s)"),
    Audience.parents_of_spreader: ("ouder(s)/verzorger(s)", "parent(s)/carer(s)"),
    Audience.class_parents: ("ouders en verzorgers van de klas", "parents and carers of the class"),
    Audience.school_parents: ("ouders en verzorgers", "parents and carers"),
}

_env = Environment(
    loader=PackageLoader("notifications", "templates/letters"),
    autoescape=False,  # plain text documents; HTML e-mail parts escape them
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


def render_document(
    kind: DocumentKind,
    *,
    text: str,
    school_name: str,
    day: date,
    audience: Audience | None = None,
    language: str = "nl",
) -> str:
    lang: Language = "en" if language == "en" else "nl"
    template = _env.get_template(f"{lang}/{kind}.txt")
    audience_name = AUDIENCE_NAMES[audience][1 if lang == "en" else 0] if audience else ""
    return template.render(
        school_name=school_name,
        date=format_date(day, lang),
        text=text.strip(),
        audience=audience_name,
    )
