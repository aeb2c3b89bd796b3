"""Staff onboarding without SQL: register a phone for a role (and college) before the person signs in.

Someone who already has an account changes role at once; anyone else gets an invite that their first sign-in
applies (private.staff_invites, migration 0012). Role and college changes are recorded by the audit triggers."""

import json
import uuid
from dataclasses import dataclass

import psycopg

from shared.phone import InvalidPhone, normalize_thai_phone
from shared.roles import AppRole


class StaffError(ValueError):
    pass


@dataclass(frozen=True)
class Registered:
    phone: str
    role: AppRole
    existing_account: bool  # False: an invite waiting for the first sign-in


def register_staff(conn: psycopg.Connection[tuple[object, ...]], phone: str, role: AppRole,
                   college_code: str | None, display_name: str = "", skills: dict[str, int] | None = None,
                   invited_by: uuid.UUID | None = None) -> Registered:
    """An operator's (or, through act_as, an admin's or supervisor's) registration, inside the caller's transaction."""
    try:
        e164 = normalize_thai_phone(phone)
    except InvalidPhone as exc:
        raise StaffError(f"invalid phone {phone!r}") from exc
    if role == AppRole.CITIZEN:
        raise StaffError("staff roles only: technician, supervisor, admin")
    college_id = None
    if college_code:
        row = conn.execute("select id from public.colleges where code = %s and is_active", [college_code]).fetchone()
        if row is None:
            raise StaffError(f"no active college with code {college_code!r}")
        college_id = row[0]
    if role != AppRole.ADMIN and college_id is None:
        raise StaffError(f"a {role.value} needs a college (--college CODE)")
    existing = conn.execute("select id from public.profiles where phone = %s", [e164]).fetchone()
    if existing is not None:
        conn.execute("update public.profiles set role = %s, college_id = %s, "
                     "display_name = coalesce(nullif(%s, ''), display_name) where id = %s",
                     [role.value, college_id, display_name, existing[0]])
        for skill, level in (skills or {}).items():
            conn.execute("insert into public.technician_skills values (%s, %s, %s) on conflict (technician_id, "
                         "skill_code) do update set level = excluded.level", [existing[0], skill, level])
        return Registered(e164, role, existing_account=True)
    conn.execute(
        """insert into private.staff_invites (phone, role, college_id, display_name, skills, invited_by)
           values (%s, %s, %s, %s, %s, %s)
           on conflict (phone) do update set role = excluded.role, college_id = excluded.college_id,
               display_name = excluded.display_name, skills = excluded.skills, invited_by = excluded.invited_by""",
        [e164, role.value, college_id, display_name, json.dumps(skills or {}), invited_by],
    )
    conn.execute("select private.audit('staff.invite', 'staff_invites', null, null, %s)",
                 [json.dumps({"role": role.value, "college_id": str(college_id) if college_id else None})])
    return Registered(e164, role, existing_account=False)
