"""The board overview: per school what is open, late or escalated, and two charts of a year.

For the board's office only. The charts are inline SVG drawn on the server, so they work
without JavaScript and print; each has a title, a label and a table with the same numbers,
because a chart alone says nothing to a screen reader.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import Db
from api.web.i18n import Lang, month_name, t
from api.web.session import PageUser, csrf_token
from api.web.templating import SCHOOL_TZ, language, render
from domain.review_dates import next_due, review_missed
from store import overview
from store.directory import Conn

router = APIRouter(include_in_schema=False)

MONTHS_SHOWN = 12

# The drawing's size in SVG units; the browser scales it to the screen (phone or desk).
WIDTH = 600
HEIGHT = 240
TOP = 28  # room for the number above the tallest bar
BOTTOM = 32  # room for the month names
GAP = 0.3  # part of each column left empty between bars


@dataclass(frozen=True)
class Segment:
    css: str  # the series' class: its colour in regie.css
    y: float
    height: float


@dataclass(frozen=True)
class Column:
    label: str
    x: float  # the column's centre
    total: int
    total_y: float
    segments: list[Segment]


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    label: str  # the whole chart in one sentence, for screen readers
    width: int
    height: int
    bar_width: float
    baseline: float
    columns: list[Column]
    legend: list[tuple[str, str]]  # (css, name)


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def label(self, lang: Lang) -> str:
        return f"{month_name(self.month, lang)} {self.year % 100:02d}"


def last_months(now: datetime, count: int = MONTHS_SHOWN) -> list[Month]:
    """The `count` months up to and including this one, oldest first, in school time."""
    local = now.astimezone(SCHOOL_TZ)
    index = local.year * 12 + local.month - 1
    return [Month(i // 12, i % 12 + 1) for i in range(index - count + 1, index + 1)]


def stacked_chart(
    *,
    chart_id: str,
    title: str,
    label: str,
    months: list[Month],
    series: list[tuple[str, str, list[int]]],
    lang: Lang,
) -> Chart:
    """Bars per month, the series stacked bottom to top; `series` is (css, name, values)."""
    slot = WIDTH / len(months)
    bar_width = slot * (1 - GAP)
    baseline = float(HEIGHT - BOTTOM)
    totals = [sum(values[i] for _, _, values in series) for i in range(len(months))]
    # At least 1, so an empty year draws a flat line instead of dividing by zero.
    scale = (baseline - TOP) / max(max(totals, default=0), 1)
    columns = []
    for i, month in enumerate(months):
        top = baseline
        segments = []
        for css, _name, values in series:
            height = values[i] * scale
            top -= height
            segments.append(Segment(css, round(top, 2), round(height, 2)))
        columns.append(
            Column(
                # The month alone fits a phone's width; the table below gives the year too.
                label=month_name(month.month, lang),
                x=round(slot * i + slot / 2, 2),
                total=totals[i],
                total_y=round(top - 6, 2),
                segments=segments,
            )
        )
    return Chart(
        id=chart_id,
        title=title,
        label=label,
        width=WIDTH,
        height=HEIGHT,
        bar_width=round(bar_width, 2),
        baseline=baseline,
        columns=columns,
        legend=[(css, name) for css, name, _ in series],
    )


@router.get("/board", response_class=HTMLResponse)
async def board_page(request: Request, who: PageUser, conn: Db) -> Response:
    lang = language(request, who.language)
    # Board roles read every school of their board (api.access); school staff and a session
    # from a task link do not get the board's numbers.
    if who.task_scope is not None or not who.sees_whole_board:
        raise HTTPException(403, t("board_only", lang))
    months = last_months(datetime.now(SCHOOL_TZ))
    since = datetime(months[0].year, months[0].month, 1, tzinfo=SCHOOL_TZ)
    schools = await overview.school_counts(conn, board_id=who.board_id)
    per_month = await overview.incidents_per_month(conn, board_id=who.board_id, since=since)
    deadlines = await overview.deadlines_per_month(conn, board_id=who.board_id, since=since)

    counts = [per_month.get(m.key, 0) for m in months]
    met = [deadlines[m.key].met if m.key in deadlines else 0 for m in months]
    missed = [deadlines[m.key].missed if m.key in deadlines else 0 for m in months]
    span = f"{months[0].label(lang)} – {months[-1].label(lang)}"
    incidents_chart = stacked_chart(
        chart_id="incidents-chart",
        title=f"{t('incidents_per_month', lang)} ({t('last_12_months', lang)})",
        label=(
            f"{t('incidents_per_month', lang)}, {span}: {sum(counts)} "
            f"{t('incidents', lang).lower()}"
        ),
        months=months,
        series=[("bar-count", t("incidents", lang), counts)],
        lang=lang,
    )
    deadlines_chart = stacked_chart(
        chart_id="deadlines-chart",
        title=f"{t('deadlines_met', lang)} ({t('last_12_months', lang)})",
        label=(
            f"{t('deadlines_met', lang)}, {span}: {t('on_time', lang).lower()} {sum(met)}, "
            f"{t('late', lang).lower()} {sum(missed)}"
        ),
        months=months,
        series=[("bar-met", t("on_time", lang), met), ("bar-missed", t("late", lang), missed)],
        lang=lang,
    )
    return render(
        request,
        "board.html",
        lang=lang,
        user=who,
        csrf=csrf_token(request, who),
        board_name=await overview.board_name(conn, board_id=who.board_id),
        schools=schools,
        months=[m.label(lang) for m in months],
        counts=counts,
        met=met,
        missed=missed,
        incidents_chart=incidents_chart,
        deadlines_chart=deadlines_chart,
        reviews=await _review_rows(conn, who.board_id),
    )


async def _review_rows(conn: Conn, board_id: str) -> list[dict[str, Any]]:
    """Per school: last review, next due, late or not, and what changed."""
    now = datetime.now(SCHOOL_TZ)
    rows = []
    for row in await overview.policy_review_rows(conn, board_id=board_id):
        month, day, at = int(row["month"]), int(row["day"]), row["at_time"]
        overdue = bool(row["tasks_overdue"]) or review_missed(
            now, month=month, day=day, at=at, last_started=row["started_at"], paused=row["paused"]
        )
        rows.append(
            {
                "school": row["name"],
                "last": row["started_at"],
                "status": row["status"],
                "next_due": None if row["paused"] else next_due(now, month, day, at),
                "paused": row["paused"],
                "overdue": overdue,
                "changed": row["policy_changed"],
                "change": row["change"] or "",
            }
        )
    return rows
