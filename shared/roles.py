"""Who can be who in Fixit."""

from enum import StrEnum


class AppRole(StrEnum):
    CITIZEN = "citizen"
    TECHNICIAN = "technician"  # a student of a vocational college
    SUPERVISOR = "supervisor"  # a teacher who checks the students' work
    ADMIN = "admin"


# Who may ask for a repair of their own: anyone but the admin (a student's or a teacher's own fan breaks too). The
# caller is the owner; the admin runs the service and asks for nothing.
REQUESTER_ROLES = frozenset({AppRole.CITIZEN, AppRole.TECHNICIAN, AppRole.SUPERVISOR})



def may_invite(by: AppRole, role: AppRole) -> bool:
    """Who may send an invitation to a role, and so withdraw one: an admin any staff role, a college's teacher
    (supervisor) students (technicians) only. The backend refuses the rest (403 forbidden_role); the app offers
    only what it allows."""
    return by == AppRole.ADMIN or (by == AppRole.SUPERVISOR and role == AppRole.TECHNICIAN)


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
