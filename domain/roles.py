"""Who does what: the roles of school staff and of the board's trust office."""

from enum import StrEnum


class Role(StrEnum):
    coordinator = "coordinator"
    support = "support"  # mentor or confidential adviser ("vertrouwenspersoon")
    school_leader = "school_leader"
    board_safeguarding = "board_safeguarding"
    communications = "communications"
    board_admin = "board_admin"
    auditor = "auditor"
    # The board's data protection officer ("functionaris gegevensbescherming"): reads
    # histories like an auditor and answers requests for access and erasure (AVG art. 15, 17).
    privacy_officer = "privacy_officer"


SCHOOL_ROLES: frozenset[Role] = frozenset({Role.coordinator, Role.support, Role.school_leader})
BOARD_ROLES: frozenset[Role] = frozenset(
    {
        Role.board_safeguarding,
        Role.communications,
        Role.board_admin,
        Role.auditor,
        Role.privacy_officer,
    }
)

# When a school has nobody in a role, the task goes to the next role in this list, so a step
# is never left without a person.
FALLBACK: dict[Role, tuple[Role, ...]] = {
    Role.coordinator: (Role.school_leader, Role.board_safeguarding),
    Role.support: (Role.coordinator, Role.school_leader, Role.board_safeguarding),
    Role.school_leader: (Role.coordinator, Role.board_safeguarding),
    Role.communications: (Role.board_safeguarding,),
    Role.board_safeguarding: (),
    Role.board_admin: (),
    Role.auditor: (),
    Role.privacy_officer: (),
}


def pick_assignee(role: Role, holders: dict[Role, str]) -> str | None:
    """The staff id that takes a task for `role`, following FALLBACK when the role is empty."""
    for candidate in (role, *FALLBACK[role]):
        staff_id = holders.get(candidate)
        if staff_id:
            return staff_id
    return None


# Who is told that a staff member's e-mail address was refused: someone at the school who can
# reassign their task and get the address fixed, never the unreachable person themselves.
HEARS_OF_UNREACHABLE: tuple[Role, ...] = (
    Role.school_leader,
    Role.coordinator,
    Role.board_safeguarding,
)


def pick_unreachable_watcher(unreachable_id: str, holders: dict[Role, str]) -> str | None:
    """The staff id told when mail to `unreachable_id` is refused; None when there is nobody."""
    for role in HEARS_OF_UNREACHABLE:
        staff_id = holders.get(role)
        if staff_id and staff_id != unreachable_id:
            return staff_id
    return None
