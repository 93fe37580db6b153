"""Who takes a task: the role's holder, else the next role in the fallback list."""

import pytest

from domain.roles import BOARD_ROLES, FALLBACK, SCHOOL_ROLES, Role, pick_assignee


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
