"""Staff onboarding without SQL: colleges, their supervisors and their students, by phone number.

A phone without an account gets an invite that its first sign-in applies (private.staff_invites, migration 0012).
A citizen's own account is never changed by someone else: a teacher's or an admin's registration of it is an
invitation the person accepts or declines in the app (migration 0031, `/me/invitation`); only accepting changes the
role. Staff accounts (an admin's business) and the operator's CLI, which acts on a person's request outside the app,
still change at once, except that a student holding jobs is not moved, made a teacher or deactivated (the jobs
would be stranded at a college they no longer belong to). Every function runs inside the caller's owner transaction:
the API's `acting(...)` (which called `act_as`, so the audit triggers name the admin or supervisor) or the CLI's
transaction as the operator. Role, college and skill changes are recorded by the audit triggers of 0008; invites
are audited here (`staff.invite`).

Who may do what:
- the operator (CLI, `by=None`) and admins: any staff role at any college (an admin never removes the last admin);
- supervisors: students (technicians) at their own college only; a phone that already belongs to staff, to a student
  of another college, or to someone invited elsewhere is refused (an admin moves such people).
"""

import csv
import io
import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from psycopg import sql

from backend.db import Conn
from backend.notifications.invitations import close_invited, notify_answer, notify_invited, notify_moved
from backend.services.dispatch import DispatchPolicy, hand_on_from_leaving
from shared.categories import level_valid
from shared.display_names import clean_display_name
from shared.geo import in_thailand
from shared.invitations import DECLINED_WAIT_DAYS, EXPIRED_LISTED_DAYS, INVITATION_OPEN_DAYS
from shared.notifications import InvitedClosed
from shared.phone import InvalidPhone, normalize_thai_phone
from shared.roles import AppRole, may_invite
from shared.text import Bilingual, error_text

STUDENT_CSV_MAX_ROWS = 1000
STUDENT_CSV_COLUMNS = ("phone", "name", "skills")  # skills may be left out: "electrical_appliance:3 plumbing:2"
COLLEGE_COLUMNS = ("code", "name_th", "name_en", "province_th", "province_en", "region", "lat", "lon",
                   "service_radius_km", "coordinates_approximate", "is_active")


class StaffError(Exception):
    """A refusal with an error code of shared.text.ERRORS (the API answers `status` with it)."""

    def __init__(self, error: str, status: int = 400, /, **values: object) -> None:
        super().__init__(error)
        self.code = error
        self.status = status
        self.values = values

    @property
    def text(self) -> Bilingual:
        return error_text(self.code, **self.values)

    def __str__(self) -> str:
        return f"{self.text.th} / {self.text.en}"


@dataclass(frozen=True)
class Registered:
    phone: str
    role: AppRole
    college_id: uuid.UUID | None
    existing_account: bool  # False: an invite waiting for the first sign-in
    awaiting_acceptance: bool = False  # an existing citizen account: an invitation the person answers in the app


# --- checks ------------------------------------------------------------------------------------------------------


def clean_phone(phone: str) -> str:
    try:
        return normalize_thai_phone(phone)
    except InvalidPhone:
        raise StaffError("invalid_phone") from None


def clean_name(name: str) -> str:
    """An empty name stays empty (the person may set it later); anything else must be a valid display name."""
    if not name.strip():
        return ""
    cleaned = clean_display_name(name)
    if cleaned is None:
        raise StaffError("display_name_invalid")
    return cleaned


async def known_skills(conn: Conn) -> set[str]:
    return {str(r["code"]) for r in await (await conn.execute("select code from public.skills")).fetchall()}


def check_skills(skills: Mapping[str, int], known: set[str]) -> dict[str, int]:
    for code, level in skills.items():
        if code not in known:
            raise StaffError("skill_unknown", skill=code)
        if isinstance(level, bool) or not isinstance(level, int) or not level_valid(level):
            raise StaffError("skill_level_invalid", skill=code)
    return dict(skills)


def parse_skills(text: str, known: set[str]) -> dict[str, int]:
    """"electrical_appliance:3 plumbing:2" (also separated by ';' or '|'): skill codes with levels 1–5."""
    skills: dict[str, int] = {}
    for part in re.split(r"[\s;|]+", text.strip()):
        if not part:
            continue
        code, sep, level = part.partition(":")
        code = code.strip().lower()
        if not sep or not level.strip().isascii() or not level.strip().isdigit():
            raise StaffError("skill_format_invalid", skill=part[:40])
        skills[code] = int(level)
    return check_skills(skills, known)


async def college_id_of(conn: Conn, code: str) -> uuid.UUID:
    row = await (await conn.execute("select id from public.colleges where code = %s and is_active",
                                    [code.strip().upper()])).fetchone()
    if row is None:
        raise StaffError("college_unknown", 404, college=code[:40])
    return uuid.UUID(str(row["id"]))


async def _active_college(conn: Conn, college_id: uuid.UUID) -> None:
    row = await (await conn.execute("select is_active from public.colleges where id = %s", [college_id])).fetchone()
    if row is None:
        raise StaffError("not_found", 404)
    if not row["is_active"]:
        raise StaffError("college_inactive", 409)


# --- people ------------------------------------------------------------------------------------------------------


async def lock_active_admins(conn: Conn) -> set[uuid.UUID]:
    """Every active admin's profile, locked FOR NO KEY UPDATE in id order, and their ids: the check that an admin is
    not the last one (a suspension, a deletion, a demotion) holds until commit. Two suspensions of the last two
    admins at once each counted the other still active (neither had committed) and both went through; now the
    second waits for the first, then reads it suspended (the lock re-reads the row the first changed) and is
    refused. A profile lock, so first in the lock order (dispatch.py); taken before the target's own lock, in one
    order for all, so two of them never deadlock."""
    rows = await (await conn.execute(
        "select id from public.profiles where role = 'admin' and is_active order by id for no key update")).fetchall()
    return {row["id"] for row in rows}


def _supervisor_may_change(current: AppRole, current_college: uuid.UUID | None, college_id: uuid.UUID | None) -> bool:
    """A teacher may make a student of their college only of a citizen (by invitation) or of a student already
    theirs: anyone else (another college's people, a teacher, an admin) is refused `phone_is_staff`."""
    return current == AppRole.CITIZEN or (current == AppRole.TECHNICIAN and current_college == college_id)


async def register_staff(
    conn: Conn, phone: str, role: AppRole, college_id: uuid.UUID | None, display_name: str = "",
    skills: Mapping[str, int] | None = None, *, by: AppRole | None = None, known: set[str] | None = None,
    now: datetime, policy: DispatchPolicy, prepared: bool = False,
) -> Registered:
    """Make the owner of `phone` staff: a citizen's own account by invitation (`awaiting_acceptance`; the operator,
    `by=None`, at once), a staff account at once, a phone without an account at its first sign-in. `prepared`: the
    caller (import_students, for each of its rows) has found the college active and taken, in this transaction,
    every admin lock the row may need first; two reads a row fewer (import28 #2)."""
    e164 = clean_phone(phone)
    if role == AppRole.CITIZEN:
        raise StaffError("staff_role_invalid")
    if by == AppRole.SUPERVISOR and role != AppRole.TECHNICIAN:
        raise StaffError("forbidden_role", 403)
    if role == AppRole.ADMIN:
        college_id = None
    elif college_id is None:
        raise StaffError("college_required")
    elif not prepared:
        await _active_college(conn, college_id)
    name = clean_name(display_name)
    wanted = check_skills(skills or {}, known if known is not None else await known_skills(conn)) if skills else {}

    # An admin made something else: every active admin locked first (lock_active_admins), as a suspension does, so
    # two of those at once never leave no admin. Known from an unlocked read; the locked one below decides. Not for a
    # teacher: their row naming an admin is refused below (_supervisor_may_change), so the lock would guard nothing.
    was = None if prepared or by == AppRole.SUPERVISOR or role == AppRole.ADMIN else await (await conn.execute(
        "select role from public.profiles where phone = %s", [e164])).fetchone()
    admins = await lock_active_admins(conn) if was and was["role"] == "admin" else None
    existing = await (await conn.execute(
        "select id, role, college_id from public.profiles where phone = %s for no key update", [e164])).fetchone()
    if existing is not None:
        current = AppRole(existing["role"])
        if by == AppRole.SUPERVISOR and not _supervisor_may_change(current, existing["college_id"], college_id):
            raise StaffError("phone_is_staff", 409)
        if current == AppRole.CITIZEN and by is not None:
            return await _invite_account(conn, e164, existing["id"], role, college_id, name, wanted, by=by)
        if current == AppRole.TECHNICIAN and (role != AppRole.TECHNICIAN or existing["college_id"] != college_id):
            # Offers first: that locks their requests, so an accept under way finishes before the jobs are counted
            # (and one that comes after finds its offer closed); a refusal rolls both back.
            await end_open_offers(conn, existing["id"], now, policy)
            await refuse_if_jobs_in_hand(conn, existing["id"])
        if current == AppRole.ADMIN and role != AppRole.ADMIN:
            # Made an admin since the read above (rare): the admins are locked now, after this profile.
            others = (admins if admins is not None else await lock_active_admins(conn)) - {existing["id"]}
            if not others:
                raise StaffError("last_admin", 409)
        await conn.execute(
            "update public.profiles set role = %s, college_id = %s, "
            "display_name = coalesce(nullif(%s, ''), display_name) where id = %s",
            [role.value, college_id, name, existing["id"]])
        for skill, level in wanted.items():
            await conn.execute(
                "insert into public.technician_skills values (%s, %s, %s) on conflict (technician_id, skill_code) "
                "do update set level = excluded.level where technician_skills.level <> excluded.level",
                [existing["id"], skill, level])
        # The operator's change makes any invitation still waiting for this person moot.
        await conn.execute("delete from private.staff_invites where profile_id = %s or phone = %s",
                           [existing["id"], e164])
        await close_invited(conn, existing["id"])
        if current != role or existing["college_id"] != college_id:
            await notify_moved(conn, existing["id"])
        return Registered(e164, role, college_id, existing_account=True)

    # No account yet: the invite applies at the first sign-in, as it always has. Signing in with a phone a college
    # registered is the person taking up the place (the e2e and demo flows rely on it), and there is no account
    # whose screens could change under someone.
    await _check_invite(conn, e164, college_id, by=by)
    await _write_invite(conn, e164, None, role, college_id, name, wanted)
    return Registered(e164, role, college_id, existing_account=False)


async def _check_invite(conn: Conn, e164: str, college_id: uuid.UUID | None, *, by: AppRole | None) -> None:
    """A "no" holds for DECLINED_WAIT_DAYS against everyone; an invitation still waiting is a supervisor's to
    renew only when it is theirs (same role, same college); an admin or the operator may replace it. One that
    expired waits for nobody: anyone who may invite sends a fresh one."""
    invite = await (await conn.execute(
        "select role, college_id, declined_at is not null as declined, expires_at <= now() as expired, "
        "declined_at > now() - make_interval(days => %s) as declined_recently "
        "from private.staff_invites where phone = %s for update", [DECLINED_WAIT_DAYS, e164])).fetchone()
    if invite is None:
        return
    if invite["declined_recently"] and by is not None:
        raise StaffError("invitation_declined", 409, days=DECLINED_WAIT_DAYS)
    if by == AppRole.SUPERVISOR and not invite["declined"] and not invite["expired"] and (
            invite["role"] != AppRole.TECHNICIAN.value or invite["college_id"] != college_id):
        raise StaffError("phone_invited_elsewhere", 409)


async def _write_invite(conn: Conn, e164: str, profile_id: uuid.UUID | None, role: AppRole,
                        college_id: uuid.UUID | None, name: str, wanted: Mapping[str, int]) -> None:
    """Sending again (a renewal, a replacement, or after a "no" or an expiry) writes a fresh invitation: a new id,
    time and INVITATION_OPEN_DAYS from now, so a withdraw of the one shown before does not take back this one."""
    row = await (await conn.execute(
        """insert into private.staff_invites (phone, role, college_id, display_name, skills, invited_by, profile_id,
                                             expires_at)
           values (%(phone)s, %(role)s, %(college)s, %(name)s, %(skills)s, auth.uid(), %(profile)s,
                   now() + make_interval(days => %(days)s))
           on conflict (phone) do update set role = excluded.role, college_id = excluded.college_id,
               display_name = excluded.display_name, skills = excluded.skills, invited_by = excluded.invited_by,
               profile_id = excluded.profile_id, declined_at = null, id = gen_random_uuid(), created_at = now(),
               expires_at = excluded.expires_at
           returning id""",
        {"phone": e164, "role": role.value, "college": college_id, "name": name, "skills": json.dumps(dict(wanted)),
         "profile": profile_id, "days": INVITATION_OPEN_DAYS})).fetchone()
    assert row is not None
    # No phone or name in the trail (0008): who invited, which role, which college, which skills.
    await conn.execute(
        "select private.audit('staff.invite', 'staff_invites', %s, null, %s)",
        [college_id, json.dumps({"role": role.value, "college_id": str(college_id) if college_id else None,
                                 "skills": dict(wanted), "awaiting_acceptance": profile_id is not None,
                                 "invite_id": str(row["id"])})])


async def _invite_account(conn: Conn, e164: str, profile_id: uuid.UUID, role: AppRole, college_id: uuid.UUID | None,
                          name: str, wanted: Mapping[str, int], *, by: AppRole) -> Registered:
    """A citizen's own account: an invitation they answer in the app; nothing about the account changes now."""
    # Under the profile's lock (register_staff): the college of the invitation this one renews or replaces, before
    # the invitation, as an answer takes them; its deletion (the college, then the cards, then the invitations)
    # would otherwise hold the card close_invited closes below while waiting for the invitation (race26 #7).
    await _hold_invitations_college(conn, profile_id, "key share")
    await _check_invite(conn, e164, college_id, by=by)
    await _write_invite(conn, e164, profile_id, role, college_id, name, wanted)
    await close_invited(conn, profile_id)  # one it replaced stops asking (before the new one is told)
    await notify_invited(conn, profile_id)  # the person hears of it with the app closed too
    return Registered(e164, role, college_id, existing_account=True, awaiting_acceptance=True)


async def jobs_in_hand(conn: Conn, technician_id: uuid.UUID) -> int:
    """Jobs under way the student leads or helps on (this round's team): a helper's hands are on the work too, and
    they report hours the college's teacher then credits; not a job taken from them (kept on its team for their
    hours: job_team.handed_on_at, migration 0048). Counted by the database (`private.jobs_in_hand`, migration
    0045), which refuses an account's deletion from any other path (Supabase's dashboard) by the same count."""
    row = await (await conn.execute("select private.jobs_in_hand(%s) as n", [technician_id])).fetchone()
    return int(row["n"]) if row else 0


async def refuse_if_jobs_in_hand(conn: Conn, technician_id: uuid.UUID) -> None:
    """Refused rather than released to the college's other students: a job in hand may have the item at the
    workshop, a diagnosis made and parts the owner approved, so handing it on is a teacher's decision (their
    reassign already exists), not something a move should do silently; the reason says how many and what to do."""
    count = await jobs_in_hand(conn, technician_id)
    if count:
        raise StaffError("student_has_jobs", 409, count=count)


async def end_open_offers(conn: Conn, technician_id: uuid.UUID, now: datetime, policy: DispatchPolicy) -> int:
    """A student leaving their college (or switched off, or suspended) must not take its jobs any more: their offers
    still waiting are withdrawn now and each job goes to the college's next fitting student, as a decline's would
    (dispatch.hand_on_from_leaving; an accept after this finds the offer closed). `now` and `policy`: the caller's
    clock and the backend's dispatch policy (dispatch_ticks.policy_of), required of every caller (and of the paths
    that call this: register_staff, college_admin.update_student, account.suspend, import_students), so none can
    fall back to the wall clock and the default 30 minutes unseen (review27c #1 found two that did). Returns how
    many ended."""
    return await hand_on_from_leaving(conn, technician_id, now, policy)


# --- invitations, as the invited person sees and answers them ----------------------------------------------------


async def my_invitation(conn: Conn, profile_id: uuid.UUID) -> dict[str, Any] | None:
    """The invitation waiting for this account's answer (an owner read by the caller's own id)."""
    cur = await conn.execute(
        """select i.role, i.skills, i.created_at as invited_at, i.expires_at,
                  case when c.id is null then null
                       else jsonb_build_object('id', c.id, 'code', c.code, 'name_th', c.name_th,
                                               'name_en', c.name_en) end as college
           from private.staff_invites i left join public.colleges c on c.id = i.college_id
           where i.profile_id = %s and i.declined_at is null and i.expires_at > now()""", [profile_id])
    return await cur.fetchone()


async def _refuse_closed(conn: Conn, profile_id: uuid.UUID, invite: Mapping[str, Any] | None,
                         seen: tuple[AppRole, uuid.UUID | None] | None) -> None:
    """An answer to an invitation that is no longer open: expired (409 `invitation_expired`), withdrawn by whoever
    sent it (409 `invitation_withdrawn`: the row is gone, the audit trail says why), or none (404)."""
    if invite is not None:
        if invite["expired"]:  # whichever one the person saw: the one there is can no longer be answered
            raise StaffError("invitation_expired", 409, days=INVITATION_OPEN_DAYS)
        if seen is not None and (seen[0].value, seen[1]) != (invite["role"], invite["college_id"]):
            raise StaffError("invitation_changed", 409)
        return
    # The person's last invitation event, when it is the withdrawal of the one they answer: the card they tapped
    # was taken back (at the same moment, or since they loaded it).
    last = await (await conn.execute(
        """select action, after from public.audit_events
           where target_id = %s and action like 'staff.invite%%' order by at desc, id desc limit 1""",
        [profile_id])).fetchone()
    if last is not None and last["action"] == "staff.invite_withdraw" and (
            seen is None or (seen[0].value, str(seen[1]) if seen[1] else None)
            == (last["after"].get("role"), last["after"].get("college_id"))):
        raise StaffError("invitation_withdrawn", 409)
    raise StaffError("invitation_none", 404)


async def _hold_invitations_college(conn: Conn, profile_id: uuid.UUID, mode: Literal["share", "key share"]
                                    ) -> dict[str, Any] | None:
    """The college of the invitation waiting for this person's answer, locked FOR SHARE or FOR KEY SHARE (`mode`)
    until commit, and its `is_active`; None when the invitation names no college (or none waits, or the college
    is gone). Called under the person's profile lock, which every writer of their invitation takes first, so the
    unlocked read of which college stays true; and before the invitation's own lock: a college's deletion (by SQL
    only) locks the college, then closes the invited cards and cascades to the invitations (0108), so a path that
    held the invitation and then wanted the college or the card deadlocked with it (race26)."""
    lock = {"share": sql.SQL("for share"), "key share": sql.SQL("for key share")}[mode]
    row: dict[str, Any] | None = await (await conn.execute(sql.SQL(
        """select c.is_active from public.colleges c
           where c.id in (select i.college_id from private.staff_invites i
                          where i.profile_id = %s and i.declined_at is null)
           {}""").format(lock), [profile_id])).fetchone()
    return row


async def accept_invitation(conn: Conn, profile_id: uuid.UUID,
                            seen: tuple[AppRole, uuid.UUID | None] | None = None) -> None:
    """The person said yes: now, and only now, the role, the college and the invited skills change. A name the
    person set stays theirs; the invitation's name fills it only when they have none. `seen` (role, college): the
    invitation they were shown; an admin may have replaced it since, and a yes to one is no yes to another."""
    # The profile before the invitation, the order register_staff takes them in: a renewal at the same moment
    # then waits for this answer (or this for it) instead of deadlocking.
    profile = await (await conn.execute(
        "select role from public.profiles where id = %s for no key update", [profile_id])).fetchone()
    # Then the college, shared, before the invitation (dispatch.py's lock order, 1b): an admin closing it at this
    # moment (update_college, which locks the college row alone) is waited for and read as closed, or waits for
    # this yes, so never a member of a closed college; and its deletion by SQL (the college, then its invitations)
    # is waited for too instead of deadlocking (race26 #1).
    college = await _hold_invitations_college(conn, profile_id, "share")
    invite = await (await conn.execute(
        """select id, role, college_id, display_name, skills, expires_at <= now() as expired
           from private.staff_invites where profile_id = %s and declined_at is null for update""",
        [profile_id])).fetchone()
    if profile is None or profile["role"] != AppRole.CITIZEN.value:
        raise StaffError("invitation_none", 404)
    await _refuse_closed(conn, profile_id, invite, seen)
    assert invite is not None
    if invite["college_id"] is not None and (college is None or not college["is_active"]):
        raise StaffError("invitation_college_inactive", 409)
    await conn.execute(
        "update public.profiles set role = %s, college_id = %s, "
        "display_name = coalesce(nullif(display_name, ''), %s) where id = %s",
        [invite["role"], invite["college_id"], invite["display_name"], profile_id])
    await conn.execute(
        """insert into public.technician_skills (technician_id, skill_code, level)
           select %s, s.key, s.value::smallint from jsonb_each_text(%s::jsonb) as s
           on conflict (technician_id, skill_code) do update set level = excluded.level""",
        [profile_id, json.dumps(invite["skills"])])
    await notify_answer(conn, profile_id, accepted=True)  # before the row (and who invited) goes
    await conn.execute("delete from private.staff_invites where profile_id = %s", [profile_id])
    await close_invited(conn, profile_id, (InvitedClosed.ACCEPTED, invite["role"], invite["college_id"]))
    await conn.execute(
        "select private.audit('staff.invite_accept', 'profiles', %s, null, %s)",
        [profile_id, json.dumps({"role": invite["role"], "college_id": str(invite["college_id"])
                                 if invite["college_id"] else None, "invite_id": str(invite["id"])})])


async def decline_invitation(conn: Conn, profile_id: uuid.UUID,
                             seen: tuple[AppRole, uuid.UUID | None] | None = None) -> None:
    """The person said no: nothing about the account changes; the row stays, marked, so nobody asks again for
    DECLINED_WAIT_DAYS and the teacher sees the answer. `seen`: as for accepting, a no is to the one shown."""
    # The profile first, as accept_invitation: the answer's notification names the person (about_id, a key share).
    await conn.execute("select 1 from public.profiles where id = %s for no key update", [profile_id])
    await _hold_invitations_college(conn, profile_id, "key share")  # before the invitation, as accepting (race26 #2)
    row = await (await conn.execute(
        "select id, role, college_id, expires_at <= now() as expired from private.staff_invites "
        "where profile_id = %s and declined_at is null for update", [profile_id])).fetchone()
    await _refuse_closed(conn, profile_id, row, seen)
    assert row is not None
    await conn.execute("update private.staff_invites set declined_at = now() where profile_id = %s", [profile_id])
    await close_invited(conn, profile_id, (InvitedClosed.DECLINED, row["role"], row["college_id"]))
    await notify_answer(conn, profile_id, accepted=False)
    await conn.execute(
        "select private.audit('staff.invite_decline', 'profiles', %s, null, %s)",
        [profile_id, json.dumps({"role": row["role"], "college_id": str(row["college_id"])
                                 if row["college_id"] else None, "invite_id": str(row["id"])})])


async def withdraw_invite(conn: Conn, college_id: uuid.UUID | None, invite_id: uuid.UUID, *, by: AppRole) -> None:
    """Whoever may send an invitation takes back one still waiting (expired ones too): a supervisor their college's
    student invitations, an admin any of a college's, or one to be an admin (at no college: `college_id` None).
    The row goes (the phone may be invited again at once), the person's "invited" notifications stop asking and a
    push still held is not sent (close_invited), and the trail records it (`staff.invite_withdraw`, about the
    account when there is one). 404 `invitation_unknown` for an id that is not this college's (or was sent again
    since); 409 `invitation_answered` once the person said yes or no, `invitation_lapsed` once their first sign-in
    dropped it as expired. Locks are taken in accept's order: the invited person's profile (`for no key update`),
    then the invitation (as an answer at the same moment locks it: one of the two waits for the other and then
    finds it answered or gone). Deleting the account locks the profile before it cascades to the notifications and
    the invitation, so it too waits for this withdraw (or this for it) instead of deadlocking with close_invited
    below."""
    # Whose invitation: an id keeps its account for life once it has one (sending again writes a new id), so an
    # unlocked read names the profile to lock, and the row is locked only while it still names that profile. One
    # waiting for a number's first sign-up has none, and may be addressed to an account meanwhile (0055: a phone
    # change to the number, under that account's profile lock): then the row is not taken, and the account's profile
    # is locked before it is (tests/integration/test_invite_withdraw_lock_order.py). Holding the invitation without
    # its account's profile, this would wait to close the account's notifications, which the account's deletion
    # (profile, then notifications, then invitation) may hold while it waits for the invitation: a deadlock.
    locked: uuid.UUID | None = None
    row = None
    college_held = False
    for _ in range(3):  # a profile_id only ever goes from none to an account: two rounds at most
        whose = await (await conn.execute(
            "select profile_id from private.staff_invites where id = %s and college_id is not distinct from %s",
            [invite_id, college_id])).fetchone()
        if whose is None:
            break
        if whose["profile_id"] is not None and whose["profile_id"] != locked:
            locked = whose["profile_id"]
            await conn.execute("select 1 from public.profiles where id = %s for no key update", [locked])
        if college_id is not None and not college_held:
            # The college kept from a deletion before the invitation (dispatch.py's lock order, 1b; race26 #3).
            await conn.execute("select 1 from public.colleges where id = %s for key share", [college_id])
            college_held = True
        row = await (await conn.execute(
            """select role, college_id, profile_id, declined_at is not null as declined, expires_at <= now() as expired
               from private.staff_invites
               where id = %s and college_id is not distinct from %s and profile_id is not distinct from %s
               for update""",
            [invite_id, college_id, locked])).fetchone()
        if row is not None:
            break
    if row is None:
        # Gone without a withdraw: the person said yes (in the app, or by signing up with the phone), or their first
        # sign-in found it expired and dropped it (0039's `staff.invite_lapse`). Each is its own 409, so whoever
        # withdraws is told what happened to it rather than "not found" (0041 indexes the lapses as 0036 the yeses).
        ended = await (await conn.execute(
            """select action from public.audit_events
               where (action = 'staff.invite_accept' or action = 'staff.invite_lapse') and after ->> 'invite_id' = %s
                 and after ->> 'college_id' is not distinct from %s
               order by action = 'staff.invite_accept' desc limit 1""",
            [str(invite_id), str(college_id) if college_id else None])).fetchone()
        if ended is None:
            raise StaffError("invitation_unknown", 404)
        if ended["action"] == "staff.invite_lapse":
            raise StaffError("invitation_lapsed", 409, days=INVITATION_OPEN_DAYS)
        raise StaffError("invitation_answered", 409)
    if not may_invite(by, AppRole(row["role"])):
        raise StaffError("forbidden_role", 403)
    if row["declined"]:
        raise StaffError("invitation_answered", 409)
    await conn.execute("delete from private.staff_invites where id = %s", [invite_id])
    profile_id = row["profile_id"]
    if profile_id is not None:
        await close_invited(conn, profile_id, (InvitedClosed.WITHDRAWN, row["role"], row["college_id"]))
    # No phone or name in the trail: about the account when there is one, else the college (as `staff.invite`).
    await conn.execute(
        "select private.audit('staff.invite_withdraw', %s, %s, null, %s)",
        ["profiles" if profile_id is not None else "staff_invites", profile_id or college_id,
         json.dumps({"role": row["role"], "college_id": str(college_id) if college_id else None,
                     "invite_id": str(invite_id), "expired": row["expired"]})])


async def pending_invites(conn: Conn, college_id: uuid.UUID | None, role: AppRole | None = None) -> list[
        dict[str, Any]]:
    """Invites not yet used, invitations not yet answered (each with when it expires, or that it did), recent
    declines and recent expiries, at `college_id` (None: at no college, the invitations to be an admin; an owner
    read: private.staff_invites is not readable by users)."""
    cur = await conn.execute(
        """select id, phone, role, college_id, display_name, skills, created_at, expires_at,
                  declined_at is null and expires_at <= now() as expired,
                  profile_id is not null as awaiting_acceptance, declined_at from private.staff_invites
           where college_id is not distinct from %(college)s::uuid
             and (%(role)s::public.app_role is null or role = %(role)s::public.app_role)
             -- a "no" shows while it still holds off asking again; after that the college may simply ask anew
             and (declined_at is null or declined_at > now() - make_interval(days => %(wait)s))
             -- a lapsed invitation shows for a while (marked), so whoever sent it sees it and may send it again
             and (declined_at is not null or expires_at > now() - make_interval(days => %(lapsed)s))
           order by created_at, phone""",
        {"college": college_id, "role": role.value if role else None, "wait": DECLINED_WAIT_DAYS,
         "lapsed": EXPIRED_LISTED_DAYS})
    return await cur.fetchall()


# --- students from a CSV -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineError:
    line: int
    code: str
    values: Mapping[str, object] = field(default_factory=dict)

    @property
    def text(self) -> Bilingual:
        return error_text(self.code, **self.values)

    def __str__(self) -> str:
        return f"แถว {self.line}: {self.text.th} / line {self.line}: {self.text.en}"


@dataclass(frozen=True)
class StudentRow:
    line: int
    phone: str
    name: str
    skills: dict[str, int]


class StudentImportError(Exception):
    """Nothing was imported: every bad line with its reason."""

    def __init__(self, errors: list[LineError]) -> None:
        super().__init__(f"{len(errors)} bad line(s)")
        self.errors = errors


def parse_students_csv(data: bytes | str, known: set[str]) -> list[StudentRow]:
    """Columns phone, name and (optional) skills; UTF-8, with or without Excel's BOM. Every line is checked;
    any problem raises StudentImportError with all of them."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise StudentImportError([LineError(1, "csv_not_utf8")]) from None
    reader = csv.DictReader(io.StringIO(data.lstrip("\ufeff"), newline=""))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    reader.fieldnames = header
    missing = [c for c in ("phone", "name") if c not in header]
    if missing:
        raise StudentImportError([LineError(1, "csv_missing_columns", {"columns": ", ".join(missing)})])
    rows: list[StudentRow] = []
    errors: list[LineError] = []
    seen: dict[str, int] = {}
    try:
        for record in reader:
            line = reader.line_num
            if not any((v or "").strip() for v in record.values() if isinstance(v, str)):
                continue  # a blank line
            if len(rows) + len(errors) >= STUDENT_CSV_MAX_ROWS:
                raise StudentImportError([LineError(line, "csv_too_many_rows", {"max": STUDENT_CSV_MAX_ROWS})])
            try:
                phone = clean_phone(record.get("phone") or "")
                name = clean_name(record.get("name") or "")
                if not name:
                    raise StaffError("display_name_invalid")
                skills = parse_skills(record.get("skills") or "", known)
            except StaffError as exc:
                errors.append(LineError(line, exc.code, exc.values))
                continue
            if phone in seen:
                errors.append(LineError(line, "csv_phone_repeated", {"first": seen[phone]}))
                continue
            seen[phone] = line
            rows.append(StudentRow(line, phone, name, skills))
    except csv.Error:
        errors.append(LineError(reader.line_num, "csv_unreadable"))
    if errors:
        raise StudentImportError(errors)
    if not rows:
        raise StudentImportError([LineError(1, "csv_empty")])
    return rows


@dataclass(frozen=True)
class ImportReport:
    changed_now: int  # existing accounts made students at once (the operator's, or staff moved by an admin)
    invited: int  # waiting for their first sign-in
    awaiting_acceptance: int = 0  # citizens' own accounts: invitations they answer in the app

    @property
    def total(self) -> int:
        return self.changed_now + self.invited + self.awaiting_acceptance


async def import_students(conn: Conn, college_id: uuid.UUID, rows: list[StudentRow], *, by: AppRole | None,
                          progress: Callable[[int], None] | None = None, at: datetime,
                          policy: DispatchPolicy) -> ImportReport:
    """All rows or none: every row is tried; on any refusal StudentImportError names each bad line, and the caller's
    transaction is rolled back by the exception. `at`, `policy`: the clock and dispatch policy a moved student's
    offers are handed on by (end_open_offers; the caller's, as every other move's, review27c #1)."""
    known = await known_skills(conn)
    errors: list[LineError] = []
    now = invited = awaiting = 0
    # The college once, before any lock, not once a row (each row asked it: import28 #2); closed, every line says so.
    try:
        await _active_college(conn, college_id)
    except StaffError as exc:
        raise StudentImportError([LineError(row.line, exc.code, exc.values) for row in rows]) from None
    # Who the file names, read unlocked: a teacher's rows naming anyone but a citizen or a student of this college
    # are refused (register_staff's rule, _supervisor_may_change), so those people are never locked: their own work
    # (another college's student's accept, an admin's) no longer waits for a file that cannot change them (import28
    # #1). The rule is checked again under the lock for everyone locked (register_staff reads the locked row): one
    # made staff since this read is refused there; one refused here by what it was a moment ago stays refused (the
    # file is sent again).
    phones = [row.phone for row in rows]
    named = await (await conn.execute(
        "select phone, role, college_id from public.profiles where phone = any(%s)", [phones])).fetchall()
    refused = {p["phone"] for p in named
               if by == AppRole.SUPERVISOR and not _supervisor_may_change(AppRole(p["role"]), p["college_id"],
                                                                           college_id)}
    # Every other account the file names, locked first in one statement by id (dispatch.py's lock order: several
    # profiles in id order), with every active admin when one of them is an admin and the file is an admin's or the
    # operator's (what register_staff's lock_active_admins takes before such a row's profile; a teacher's row naming
    # an admin is refused): row by row in the file's order, two imports of the same students in different orders
    # each held one profile and waited for the other's (race27 #1). Under these locks each row's own profile lock
    # below is already held, so its requests and invitations come after every profile. The rows then go in phone
    # order, so the invitations of phones without an account (their rows, or their unique phone on insert) are
    # taken in one order too; the report keeps the file's line numbers.
    locking = {"phones": [phone for phone in phones if phone not in refused], "college": college_id,
               "admins": by != AppRole.SUPERVISOR}
    await conn.execute(
        """select id from public.profiles
           where phone = any(%(phones)s)
              or (%(admins)s and role = 'admin' and is_active
                  and exists (select 1 from public.profiles a where a.phone = any(%(phones)s) and a.role = 'admin'))
           order by id for no key update""", locking)
    # Then every job the students this file moves to the college hold a pending offer of, in one statement by id
    # (the rule's next step): such a row hands their offers' jobs on (end_open_offers), and row by row in phone
    # order the import took them in no order another writer shares: a citizen's suspension, taking the same jobs by
    # id, and the import each held one and waited for the other (review27c #3, a deadlock). Held here, each row's
    # own lock of them waits for nobody. A student already of this college keeps their offers (nothing moves), so
    # their jobs are not held (a teacher's file moves nobody: its jobs lock takes none).
    await conn.execute(
        """select r.id from public.repair_requests r
           where r.id in (select o.request_id from public.offers o join public.profiles p on p.id = o.technician_id
                          where p.phone = any(%(phones)s) and p.role = 'technician'
                            and p.college_id is distinct from %(college)s and o.status = 'pending')
           order by r.id for update""", locking)
    for row in sorted(rows, key=lambda r: r.phone):
        if row.phone in refused:
            errors.append(LineError(row.line, "phone_is_staff"))
            if progress is not None:
                progress(1)
            continue
        try:
            done = await register_staff(conn, row.phone, AppRole.TECHNICIAN, college_id, row.name, row.skills,
                                        by=by, known=known, now=at, policy=policy, prepared=True)
        except StaffError as exc:
            errors.append(LineError(row.line, exc.code, exc.values))
        else:
            if done.awaiting_acceptance:
                awaiting += 1
            elif done.existing_account:
                now += 1
            else:
                invited += 1
        if progress is not None:
            progress(1)
    # And once more when the rows are done: a close committed while the import waited at a row (the college's row is
    # not locked: a close does not wait for a file) refuses the whole file, as the rows after it were refused when
    # each row asked (review28c #2); a close after this read is the window each row's own read left too.
    try:
        await _active_college(conn, college_id)
    except StaffError as exc:
        raise StudentImportError([LineError(row.line, exc.code, exc.values) for row in rows]) from None
    if errors:
        raise StudentImportError(sorted(errors, key=lambda e: e.line))
    return ImportReport(now, invited, awaiting)


# --- colleges ----------------------------------------------------------------------------------------------------


def _check_college(values: Mapping[str, Any]) -> None:
    lat, lon = values.get("lat"), values.get("lon")
    if lat is not None and lon is not None and not in_thailand(float(lat), float(lon)):
        raise StaffError("college_outside_thailand")


async def create_college(conn: Conn, values: Mapping[str, Any]) -> uuid.UUID:
    """A new college (the audit trigger records `college.insert`). 409 when the code exists."""
    _check_college(values)
    columns = [c for c in COLLEGE_COLUMNS if c in values]
    query = sql.SQL("insert into public.colleges ({}) values ({}) on conflict (code) do nothing returning id").format(
        sql.SQL(", ").join(map(sql.Identifier, columns)), sql.SQL(", ").join(map(sql.Placeholder, columns)))
    row = await (await conn.execute(query, {c: values[c] for c in columns})).fetchone()
    if row is None:
        raise StaffError("college_code_taken", 409, college=values["code"])
    return uuid.UUID(str(row["id"]))


async def update_college(conn: Conn, college_id: uuid.UUID, changes: Mapping[str, Any]) -> None:
    """Change some of a college's fields (the audit trigger records before and after). The college's row is locked
    first (FOR NO KEY UPDATE: offers written for it under a request's lock only need FOR KEY SHARE): an accept of an
    invitation to it (profile, this row shared, then the invitation) or of an offer (profile, this row shared, then the
    request) waits for a closing here or this for the accept, in one order, so they never deadlock. Closing it
    ends its students' offers still waiting (`end_college_offers`): the SLA clock hands those jobs on."""
    current = await (await conn.execute(
        "select lat, lon, is_active from public.colleges where id = %s for no key update", [college_id])).fetchone()
    if current is None:
        raise StaffError("not_found", 404)
    _check_college({"lat": changes.get("lat", current["lat"]), "lon": changes.get("lon", current["lon"])})
    columns = [c for c in COLLEGE_COLUMNS if c in changes]
    if not columns:
        return
    query = sql.SQL("update public.colleges set {} where id = %(college_id)s").format(
        sql.SQL(", ").join(sql.SQL("{} = {}").format(sql.Identifier(c), sql.Placeholder(c)) for c in columns))
    if "code" in changes:
        taken = await (await conn.execute("select 1 from public.colleges where code = %s and id <> %s",
                                          [changes["code"], college_id])).fetchone()
        if taken is not None:
            raise StaffError("college_code_taken", 409, college=changes["code"])
    if current["is_active"] and changes.get("is_active") is False:
        await end_college_offers(conn, college_id)
    await conn.execute(query, {**{c: changes[c] for c in columns}, "college_id": college_id})


async def end_college_offers(conn: Conn, college_id: uuid.UUID) -> None:
    """A closed college takes no more jobs: the offers its students still hold end now (an accept after this finds
    the offer closed, or the college closed), and the SLA clock escalates those jobs to the next college as it
    does for any unanswered offer."""
    await _end_pending_offers(conn, "college_id", [college_id])


async def end_offers_at_closed_colleges(conn: Conn, now: datetime, limit: int = 100) -> int:
    """The SLA clock's backstop for a close racing a dispatch: a dispatch (or a decline's refill) that read the
    college open just before the close committed still writes its offers there, after the close ended the
    college's offers (its statement did not see them yet). An accept of one is refused (409 college_closed), but
    the job would wait out the offer's SLA. Those offers end here as the close ends them, as of `now`, so the
    clock's expire_overdue hands their jobs on in the same turn. Dispatch takes no college lock (the close holds
    the college and then takes requests): the clock comes after instead. Up to `limit` closed colleges, each held
    FOR SHARE until commit (skip locked: one an admin is changing is left for the next turn), so a reopen waits
    for this and its new offers are never ended; then their offers' requests (the module's lock order, dispatch.py).
    Returns how many colleges."""
    rows = await (await conn.execute(
        """select c.id from public.colleges c
           where not c.is_active
             and exists (select 1 from public.offers o
                         where o.college_id = c.id and o.status = 'pending' and o.expires_at > %s)
           order by c.id limit %s for share of c skip locked""", [now, limit])).fetchall()
    if rows:
        await _end_pending_offers(conn, "college_id", [r["id"] for r in rows], at=now)
    return len(rows)


async def _end_pending_offers(conn: Conn, column: str, values: list[uuid.UUID], at: datetime | None = None) -> int:
    """The pending offers of some students or colleges still open expire at `at` (the database's now by default);
    returns how many. Requests are locked before their offers (by id), the order every offer path keeps."""
    by = sql.Identifier(column)
    await conn.execute(sql.SQL(
        """select r.id from public.repair_requests r
           where r.id in (select o.request_id from public.offers o
                          where o.{} = any(%s) and o.status = 'pending')
           order by r.id for update""").format(by), [values])
    ended = await conn.execute(sql.SQL(
        "update public.offers set expires_at = coalesce(%(at)s, now()) "
        "where {} = any(%(values)s) and status = 'pending' and expires_at > coalesce(%(at)s, now())").format(by),
        {"at": at, "values": values})
    return ended.rowcount


async def colleges_for_admin(conn: Conn) -> list[dict[str, Any]]:
    """Every college (inactive ones too) with its supervisors and head counts; an owner read (invites)."""
    cur = await conn.execute(
        """select c.id, c.code, c.name_th, c.name_en, c.province_th, c.province_en, c.region, c.lat, c.lon,
                  c.service_radius_km::float as service_radius_km, c.coordinates_approximate, c.is_active,
                  coalesce((select jsonb_agg(jsonb_build_object('id', p.id, 'display_name', p.display_name,
                                                                'phone', p.phone) order by p.display_name)
                            from public.profiles p where p.college_id = c.id and p.role = 'supervisor'),
                           '[]'::jsonb) as supervisors,
                  (select count(*)::int from public.profiles p
                   where p.college_id = c.id and p.role = 'technician' and p.is_active and p.takes_jobs) as students,
                  (select count(*)::int from private.staff_invites i
                   where i.college_id = c.id and i.declined_at is null and i.expires_at > now()) as pending_invites
           from public.colleges c order by c.is_active desc, c.code""")
    return await cur.fetchall()
