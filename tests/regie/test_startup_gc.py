"""What the worker and the API do when their start-up is done (regie/startup_gc.py)."""

import gc
import weakref
from collections.abc import Iterator

import pytest

from regie.startup_gc import freeze_startup_objects


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


@pytest.fixture
def unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()


def _cycle() -> weakref.ref[_Node]:
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    return weakref.ref(a)


def test_start_up_objects_are_frozen_and_later_garbage_is_still_collected(
    unfrozen: None,
) -> None:
    before = _cycle()  # garbage from start-up: collected by the freeze's own pass
    frozen = freeze_startup_objects()
    assert frozen == gc.get_freeze_count() > 0
    assert before() is None

    after = _cycle()
    assert after() is not None
    gc.collect()
    assert after() is None
