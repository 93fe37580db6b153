"""The hash chain's pure functions: one canonical form, and the walker names the first break."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from domain.audit_hash import GENESIS, Break, ChainFields, ChainWalker, canonical, link_hash

AT = datetime(2026, 3, 3, 14, 5, 9, 123456, tzinfo=UTC)


def fields(n: int, **changes: object) -> ChainFields:
    base: dict[str, object] = {
        "board": "b1",
        "incident": "i1",
        "review": None,
        "task": f"t{n}",
        "step": "assess",
        "kind": "task_opened",
        "actor": None,
        "detail": {"assignee": "s1", "level": n},
        "at": AT + timedelta(seconds=n),
        "key": f"task_opened:t{n}",
    }
    base.update(changes)
    return ChainFields(**base)  # type: ignore[arg-type]


def chain(n: int) -> list[tuple[int, str, str, ChainFields]]:
    links, prev = [], GENESIS
    for i in range(n):
        f = fields(i)
        h = link_hash(prev, f)
        links.append((i + 1, prev, h, f))
        prev = h
    return links


def test_the_canonical_form_does_not_depend_on_key_order_or_time_zone() -> None:
    amsterdam = timezone(timedelta(hours=1))
    a = fields(0, detail={"b": 1, "a": "é"})
    b = fields(0, detail={"a": "é", "b": 1}, at=(AT).astimezone(amsterdam))
    assert canonical(a) == canonical(b)
    assert b'"at":"2026-03-03T14:05:09.123456+00:00"' in canonical(a)
    assert "é".encode() in canonical(a)  # UTF-8, not \\u escapes


def test_every_field_is_covered_by_the_hash() -> None:
    base = link_hash(GENESIS, fields(0))
    assert len(base) == 64 and int(base, 16) >= 0
    for name, value in [
        ("board", "b2"), ("incident", "i2"), ("review", "r1"), ("task", "t9"),
        ("step", "report"), ("kind", "task_done"), ("actor", "s9"),
        ("detail", {"assignee": "s2", "level": 0}), ("at", AT + timedelta(microseconds=1)),
        ("key", "other"),
    ]:  # fmt: skip
        assert link_hash(GENESIS, fields(0, **{name: value})) != base, name
    assert link_hash("1" * 64, fields(0)) != base


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError):
        canonical(fields(0, at=datetime(2026, 1, 1)))  # noqa: DTZ001


def test_an_intact_chain_walks_through() -> None:
    walker = ChainWalker("b1")
    for ident, prev, h, f in chain(5):
        walker.feed(ident, prev, h, f)
    assert walker.count == 5 and walker.broken is None


def test_an_edited_event_is_named_by_its_hash() -> None:
    walker = ChainWalker("b1")
    for ident, prev, h, f in chain(5):
        walker.feed(ident, prev, h, fields(9) if ident == 3 else f)
    assert walker.broken is not None
    assert (walker.broken.event_id, walker.broken.reason) == (3, Break.hash)
    assert "event 3" in walker.broken.describe()


def test_a_removed_event_is_named_by_the_next_ones_prev_hash() -> None:
    walker = ChainWalker("b1")
    for ident, prev, h, f in chain(5):
        if ident != 2:
            walker.feed(ident, prev, h, f)
    assert walker.broken is not None
    assert (walker.broken.event_id, walker.broken.reason) == (3, Break.prev_hash)


def test_an_edited_event_with_a_recomputed_hash_breaks_the_next_link() -> None:
    links = chain(4)
    ident, prev, _h, _f = links[1]
    forged = fields(7)
    links[1] = (ident, prev, link_hash(prev, forged), forged)
    walker = ChainWalker("b1")
    for link in links:
        walker.feed(*link)
    assert walker.broken is not None
    assert (walker.broken.event_id, walker.broken.reason) == (3, Break.prev_hash)
