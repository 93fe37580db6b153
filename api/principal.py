"""Who is asking: a staff member with their roles, signed in by token, session or task link."""

from dataclasses import dataclass

from domain.roles import BOARD_ROLES, Role
from store.directory import Grant


@dataclass(frozen=True)
class Principal:
    staff_id: str
    board_id: str
    language: str
    grants: tuple[Grant, ...]
    # Set when signed in through a task link: this session reaches that one task only.
    task_scope: str | None = None
    session_id: str | None = None

    def board_roles(self) -> set[Role]:
        return {g.role for g in self.grants if g.role in BOARD_ROLES}

    def roles_at(self, school_id: str) -> set[Role]:
        return {g.role for g in self.grants if g.school_id == school_id}

    def has_board_role(self, *roles: Role) -> bool:
        return bool(self.board_roles() & set(roles))

    def leads_or_coordinates(self, school_id: str) -> bool:
        return bool(self.roles_at(school_id) & {Role.coordinator, Role.school_leader})

    def full_school_ids(self) -> list[str]:
        return sorted(
            {
                g.school_id
                for g in self.grants
                if g.school_id and g.role in (Role.coordinator, Role.school_leader)
            }
        )

    def school_ids(self) -> list[str]:
        return sorted({g.school_id for g in self.grants if g.school_id})

    @property
    def sees_whole_board(self) -> bool:
        # Every board role reads all schools of the board; what they may do differs.
        return bool(self.board_roles())

    @property
    def reads_history_only(self) -> bool:
        # The privacy officer reads like an auditor: histories, never a task or a change.
        roles = {g.role for g in self.grants}
        return bool(roles) and roles <= {Role.auditor, Role.privacy_officer}
