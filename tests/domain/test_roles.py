"""Who takes a task: the role's holder, else the next role in the fallback list."""

import pytest

from domain.roles import (
    BOARD_ROLES,
    FALLBACK,
    SCHOOL_ROLES,
    Role,
    pick_assignee,
    pick_unreachable_watcher,
)


def test_school_and_board_roles_cover_every_role_once() -> None:
    assert set(Role) == SCHOOL_ROLES | BOARD_ROLES
    assert not SCHOOL_ROLES & BOARD_ROLES


def test_every_role_has_a_fallback_list() -> None:
    assert set(FALLBACK) == set(Role)


def test_the_role_holder_takes_the_task() -> None:
    holders = {Role.support: "mentor-1", Role.coordinator: "coord-1"}
    assert pick_assignee(Role.support, holders) == "mentor-1"


@pytest.mark.parametrize(
    ("role", "holders", "expected"),
    [
        (Role.support, {Role.coordinator: "coord-1"}, "coord-1"),
        (Role.support, {Role.school_leader: "leader-1"}, "leader-1"),
        (Role.coordinator, {Role.support: "mentor-1", Role.school_leader: "leader-1"}, "leader-1"),
        (Role.school_leader, {Role.coordinator: "coord-1"}, "coord-1"),
        (Role.communications, {Role.board_safeguarding: "adviser-1"}, "adviser-1"),
        (Role.support, {Role.support: "", Role.board_safeguarding: "adviser-1"}, "adviser-1"),
    ],
)
def test_an_empty_role_falls_back(role: Role, holders: dict[Role, str], expected: str) -> None:
    assert pick_assignee(role, holders) == expected


def test_nobody_in_any_role_gives_none() -> None:
    assert pick_assignee(Role.support, {}) is None


SCHOOL = {
    Role.coordinator: "coord-1",
    Role.school_leader: "leader-1",
    Role.board_safeguarding: "adviser-1",
}


@pytest.mark.parametrize(
    ("unreachable", "holders", "expected"),
    [
        ("coord-1", SCHOOL, "leader-1"),
        ("mentor-1", SCHOOL, "leader-1"),
        ("leader-1", SCHOOL, "coord-1"),
        (
            "leader-1",
            {Role.school_leader: "leader-1", Role.board_safeguarding: "adviser-1"},
            "adviser-1",
        ),
        ("adviser-1", {Role.board_safeguarding: "adviser-1"}, None),
        # One person holding every role has nobody to tell.
        ("all-1", {Role.coordinator: "all-1", Role.school_leader: "all-1"}, None),
    ],
)
def test_someone_else_hears_of_an_unreachable_address(
    unreachable: str, holders: dict[Role, str], expected: str | None
) -> None:
    assert pick_unreachable_watcher(unreachable, holders) == expected
