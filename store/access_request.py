"""Read everything a board holds that may be about a person, and write an erasure on request.

Names and texts are encrypted, so a search by name decrypts the board's rows here, in the
application; the database never sees the name asked for.
"""

from collections import defaultdict
from datetime import datetime

from psycopg.types.json import Jsonb

from domain.access_request import (
    AnswerRecord,
    Erasure,
    IncidentRecords,
    PersonRecord,
    TextRecord,
)
from store import audit
from store.crypto import seal, seal_json, unseal, unseal_json
from store.directory import Conn
from store.lessons import TEXT_COLUMNS as LESSON_COLUMNS


async def board_records(conn: Conn, *, board_id: str) -> list[IncidentRecords]:
    """Every incident of the board with its persons, free texts and answers, decrypted."""
    cur = await conn.execute(
        "SELECT id, reference, school_id, status, summary, created_at, closed_at"
        " FROM incidents WHERE board_id = %s ORDER BY created_at, id",
        (board_id,),
    )
    incidents = await cur.fetchall()
    persons: dict[str, list[PersonRecord]] = defaultdict(list)
    texts: dict[str, list[TextRecord]] = defaultdict(list)
    answers: dict[str, list[AnswerRecord]] = defaultdict(list)

    cur = await conn.execute(
        "SELECT p.id, p.incident_id, p.label, p.role, p.name, p.is_our_pupil"
        " FROM incident_persons p JOIN incidents i ON i.id = p.incident_id"
        " WHERE i.board_id = %s ORDER BY p.label",
        (board_id,),
    )
    for r in await cur.fetchall():
        persons[r["incident_id"]].append(
            PersonRecord(
                id=r["id"],
                label=r["label"],
                role=r["role"],
                name=unseal(r["name"], table="incident_persons", column="name"),
                is_our_pupil=r["is_our_pupil"],
            )
        )
    for table in ("notes", "documents"):
        cur = await conn.execute(
            f"SELECT t.id, t.incident_id, t.kind, t.body, t.created_at FROM {table} t"
            " JOIN incidents i ON i.id = t.incident_id WHERE i.board_id = %s"
            " ORDER BY t.created_at, t.id",
            (board_id,),
        )
        for r in await cur.fetchall():
            _add_text(texts, table, r["id"], r["incident_id"], "body", r["kind"], r["created_at"],
                      r["body"])  # fmt: skip
    cur = await conn.execute(
        "SELECT incident_id, went_well, can_be_better, policy_change, created_at FROM lessons"
        " WHERE board_id = %s",
        (board_id,),
    )
    for r in await cur.fetchall():
        for column in LESSON_COLUMNS:
            _add_text(texts, "lessons", r["incident_id"], r["incident_id"], column, column,
                      r["created_at"], r[column])  # fmt: skip
    cur = await conn.execute(
        "SELECT a.id, a.incident_id, t.step, a.kind, a.body, a.created_at"
        " FROM answers a JOIN tasks t ON t.id = a.task_id JOIN incidents i ON i.id = a.incident_id"
        " WHERE i.board_id = %s ORDER BY a.created_at, a.id",
        (board_id,),
    )
    for r in await cur.fetchall():
        answers[r["incident_id"]].append(
            AnswerRecord(
                id=r["id"],
                step=r["step"],
                kind=r["kind"],
                at=r["created_at"],
                body=unseal_json(r["body"], table="answers", column="body"),
            )
        )
    records = []
    for i in incidents:
        summary = unseal(i["summary"], table="incidents", column="summary")
        own_texts = list(texts[i["id"]])
        if summary:
            own_texts.insert(0, TextRecord("incidents", i["id"], "summary", "summary",
                                           i["created_at"], summary))  # fmt: skip
        records.append(
            IncidentRecords(
                incident_id=i["id"],
                reference=i["reference"],
                school_id=i["school_id"],
                status=i["status"],
                opened_at=i["created_at"],
                closed_at=i["closed_at"],
                persons=tuple(persons[i["id"]]),
                texts=tuple(own_texts),
                answers=tuple(answers[i["id"]]),
            )
        )
    return records


def _add_text(
    texts: dict[str, list[TextRecord]],
    table: str,
    row_id: str,
    incident_id: str,
    column: str,
    kind: str,
    at: datetime,
    stored: str,
) -> None:
    text = unseal(stored, table=table, column=column)
    if text:
        texts[incident_id].append(TextRecord(table, row_id, column, kind, at, text))


# The key column of each table a text can live in.
_KEYS = {"incidents": "id", "notes": "id", "documents": "id", "lessons": "incident_id"}


async def apply_erasure(
    conn: Conn, erasure: Erasure, *, request_id: str, actor_id: str, at: datetime
) -> dict[str, int]:
    """Write one incident's erasure and its audit event (counts only); the caller's
    transaction makes all incidents of one request go together."""
    for person_id in erasure.person_ids:
        await conn.execute("UPDATE incident_persons SET name = '' WHERE id = %s", (person_id,))
    for record, new_text in erasure.texts:
        await conn.execute(
            f"UPDATE {record.table} SET {record.column} = %s WHERE {_KEYS[record.table]} = %s",
            (seal(new_text, table=record.table, column=record.column), record.row_id),
        )
    for answer_id, body in erasure.answers:
        await conn.execute(
            "UPDATE answers SET body = %s WHERE id = %s",
            (Jsonb(seal_json(body, table="answers", column="body")), answer_id),
        )
    counts = {
        "persons": len(erasure.person_ids),
        "texts": len(erasure.texts),
        "answers": len(erasure.answers),
    }
    await audit.record(
        conn,
        key=f"personal_data_erased:{request_id}:{erasure.incident_id}",
        kind="personal_data_erased",
        at=at,
        incident_id=erasure.incident_id,
        actor_id=actor_id,
        detail={"reason": "request", "request_id": request_id, **counts},
    )
    return counts


async def record_request(
    conn: Conn,
    *,
    kind: str,
    request_id: str,
    board_id: str,
    actor_id: str,
    at: datetime,
    incident_ids: list[str],
    in_each_incident: bool,
) -> None:
    """The request itself on the board's chain and, with `in_each_incident`, a line in each
    incident's history (an erasure writes its own `personal_data_erased` there)."""
    await audit.record(
        conn,
        key=f"{kind}:{request_id}",
        kind=kind,
        at=at,
        incident_id=None,
        board_id=board_id,
        actor_id=actor_id,
        detail={"request_id": request_id, "incidents": len(incident_ids)},
    )
    if in_each_incident:
        for incident_id in incident_ids:
            await audit.record(
                conn,
                key=f"{kind}:{request_id}:{incident_id}",
                kind=kind,
                at=at,
                incident_id=incident_id,
                actor_id=actor_id,
                detail={"request_id": request_id},
            )
