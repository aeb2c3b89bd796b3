"""Who can be who in Fixit."""

from enum import StrEnum


class AppRole(StrEnum):
    CITIZEN = "citizen"
    TECHNICIAN = "technician"  # a student of a vocational college
    SUPERVISOR = "supervisor"  # a teacher who checks the students' work
    ADMIN = "admin"


class Actor(StrEnum):
    """Who performs a status transition: a person in a role, or the dispatcher itself."""

    CITIZEN = "citizen"
    TECHNICIAN = "technician"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    SYSTEM = "system"

    @classmethod
    def for_role(cls, role: AppRole) -> "Actor":
        return cls(role.value)
