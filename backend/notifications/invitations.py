"""The notifications about an invitation to an existing account (migration 0031): the invited person hears of it
even with the app closed, and the teacher or admin who invited them hears the answer. Written in the caller's
transaction (the invitation's, the answer's), so a refused or rolled-back change leaves none; delivered like every
other notification (worker.py: channels, preferences, quiet hours) and listed in the inbox."""

import uuid

from backend.db import Conn
from shared.notifications import INVITED_CLOSED_KEY, INVITED_RENOTIFY, InvitedClosed, Kind

_INVITE = """
select i.role, i.invited_by, i.display_name, c.id as college_id, c.name_th as college_th, c.name_en as college_en
from private.staff_invites i left join public.colleges c on c.id = i.college_id
where i.profile_id = %s
"""


async def notify_invited(conn: Conn, profile_id: uuid.UUID) -> bool:
    """Tell the person a college invites them (call after the invitation is written). A re-invite to the same
    role and college within INVITED_RENOTIFY of the last such notification sends nothing: the card in the app
    already shows it, and a teacher pressing "register" again must not become a stream of pushes. The invitation
    row is locked by its writer, so two re-invites at once see each other's notification. True when one was
    written."""
    invite = await (await conn.execute(_INVITE, [profile_id])).fetchone()
    if invite is None:
        return False
    cur = await conn.execute(
        """insert into public.notifications (recipient_id, kind, params)
           select %(me)s, %(kind)s, jsonb_build_object('role', %(role)s::text, 'college_id', %(college)s::uuid,
                                                       'college_th', %(th)s::text, 'college_en', %(en)s::text)
           where not exists (
               select 1 from public.notifications n
               where n.recipient_id = %(me)s and n.kind = %(kind)s and n.request_id is null
                 and n.created_at > now() - %(again)s and n.params ->> %(closed)s is null
                 and n.params ->> 'role' = %(role)s::text
                 and n.params ->> 'college_id' is not distinct from %(college)s::text)
           returning id""",
        {"me": profile_id, "kind": Kind.INVITED.value, "role": invite["role"], "college": invite["college_id"],
         "th": invite["college_th"], "en": invite["college_en"], "again": INVITED_RENOTIFY,
         "closed": INVITED_CLOSED_KEY},
    )
    return await cur.fetchone() is not None


async def close_invited(conn: Conn, profile_id: uuid.UUID,
                        answered: tuple[InvitedClosed, str, uuid.UUID | None] | None = None) -> int:
    """Once an invitation is no longer open, its "invited" notifications stop asking: each one whose role and
    college no longer match an open invitation of this person is marked read and closed (`params.closed`: the
    person's answer when `answered` (answer, role, college) is the invitation they answered, else "gone":
    replaced by another, or ended by the operator), and what was still to be pushed about it is not sent. Call
    after the invitation changed, in the same transaction. The count closed."""
    cur = await conn.execute(
        """with closed as (
               update public.notifications n
               set read_at = coalesce(n.read_at, now()), planned_at = coalesce(n.planned_at, now()),
                   params = n.params || jsonb_build_object(%(closed)s::text,
                       case when n.params ->> 'role' = %(role)s::text
                                 and n.params ->> 'college_id' is not distinct from %(college)s::text
                            then %(answer)s::text else %(gone)s::text end)
               where n.recipient_id = %(me)s and n.kind = %(kind)s and n.request_id is null
                 and n.params ->> %(closed)s is null
                 and not exists (
                     select 1 from private.staff_invites i
                     where i.profile_id = %(me)s and i.declined_at is null and i.role::text = n.params ->> 'role'
                       and i.college_id::text is not distinct from n.params ->> 'college_id')
               returning n.id)
           , skipped as (
               update private.notification_deliveries d
               set status = 'skipped', last_error = 'invitation no longer open', updated_at = now()
               where d.notification_id in (select id from closed) and d.status = 'pending')
           select count(*)::int as n from closed""",
        {"me": profile_id, "kind": Kind.INVITED.value, "closed": INVITED_CLOSED_KEY,
         "gone": InvitedClosed.GONE.value, "answer": (answered[0] if answered else InvitedClosed.GONE).value,
         "role": answered[1] if answered else None, "college": answered[2] if answered else None},
    )
    row = await cur.fetchone()
    return int(row["n"]) if row else 0


# The "invited" notifications still asking, written out as notifications_invited_open (migration 0039) states
# them, so the planner sees the index serves the query (a bound parameter would hide that from a prepared plan).
_OPEN_INVITED = (f"n.kind = '{Kind.INVITED.value}' and n.request_id is null "
                 f"and (n.params ->> '{INVITED_CLOSED_KEY}') is null")


async def close_expired(conn: Conn) -> int:
    """Invitations whose time ran out unanswered stop asking: their "invited" notifications are marked read and
    closed as expired, and a push still held (quiet hours) is not sent. Run by the clock (dispatch_ticks), with the
    database's clock, the one expiry is written and enforced with (accept, my_invitation). Only invitations whose
    notification still asks are looked at (never the lapsed ones already closed, which stay). Locks go in accept's
    order, the person's profile, the invitation's college and then the invitation, and skip what is locked: an
    invitation being answered or withdrawn, or an account or a college being deleted, at that moment is left to
    that. The count closed."""
    cur = await conn.execute(
        f"""select p.id from public.profiles p
            where p.id in (select n.recipient_id from public.notifications n
                           join private.staff_invites i on i.profile_id = n.recipient_id
                           where {_OPEN_INVITED} and i.declined_at is null and i.expires_at <= now()
                             and n.params ->> 'role' = i.role::text
                             and n.params ->> 'college_id' is not distinct from i.college_id::text)
            order by p.id for no key update skip locked""")
    people = [row["id"] for row in await cur.fetchall()]
    if not people:
        return 0
    # Then their invitations' colleges, kept from a deletion (FOR KEY SHARE, skip locked: one being deleted is left
    # to its deletion, which closes these cards itself), before the invitations: a college's deletion (by SQL) locks
    # the college, then the cards, then the invitations (0108; dispatch.py's lock order, 1b; race26 #4).
    cur = await conn.execute(
        """select c.id from public.colleges c
           where c.id in (select i.college_id from private.staff_invites i
                          where i.profile_id = any(%s) and i.declined_at is null and i.expires_at <= now())
           order by c.id for key share skip locked""", [people])
    colleges = [row["id"] for row in await cur.fetchall()]
    cur = await conn.execute(
        f"""with lapsed as (
               select i.profile_id, i.role::text as role, i.college_id::text as college_id
               from private.staff_invites i
               where i.profile_id = any(%(people)s) and i.declined_at is null and i.expires_at <= now()
                 and (i.college_id is null or i.college_id = any(%(colleges)s))
               for share skip locked)
           , closed as (
               update public.notifications n
               set read_at = coalesce(n.read_at, now()), planned_at = coalesce(n.planned_at, now()),
                   params = n.params || jsonb_build_object(%(closed)s::text, %(expired)s::text)
               from lapsed l
               where n.recipient_id = l.profile_id and {_OPEN_INVITED} and n.params ->> 'role' = l.role
                 and n.params ->> 'college_id' is not distinct from l.college_id
               returning n.id)
           , skipped as (
               update private.notification_deliveries d
               set status = 'skipped', last_error = 'invitation expired', updated_at = now()
               where d.notification_id in (select id from closed) and d.status = 'pending')
           select count(*)::int as n from closed""",
        {"people": people, "colleges": colleges, "closed": INVITED_CLOSED_KEY,
         "expired": InvitedClosed.EXPIRED.value},
    )
    row = await cur.fetchone()
    return int(row["n"]) if row else 0


async def notify_answer(conn: Conn, profile_id: uuid.UUID, *, accepted: bool) -> bool:
    """Tell whoever invited this person their answer (call while the invitation row still exists). The person is
    named by their display name (the one the inviter typed when they have none), never by phone; the row names
    them (`about_id`), so deleting their account deletes it. Nobody to tell when the inviter is gone. True when one
    was written."""
    cur = await conn.execute(
        """insert into public.notifications (recipient_id, kind, params, about_id)
           select inviter.id, %(kind)s,
                  jsonb_build_object('person', coalesce(nullif(p.display_name, ''), i.display_name),
                                     'role', i.role, 'by', inviter.role, 'college_th', c.name_th,
                                     'college_en', c.name_en),
                  p.id
           from private.staff_invites i
           join public.profiles p on p.id = i.profile_id
           join public.profiles inviter on inviter.id = i.invited_by and inviter.id <> p.id
           left join public.colleges c on c.id = i.college_id
           where i.profile_id = %(me)s
           returning id""",
        {"me": profile_id, "kind": (Kind.INVITE_ACCEPTED if accepted else Kind.INVITE_DECLINED).value},
    )
    return await cur.fetchone() is not None


async def notify_moved(conn: Conn, profile_id: uuid.UUID) -> bool:
    """Tell a staff member an admin (or the operator) moved them to another role or college at once (call after the
    profile changed, in the same transaction): their screens change under them, and the app closed hears it too.
    Named by the profile as it now is, so it says where they are, whatever they were. True when one was written."""
    cur = await conn.execute(
        """insert into public.notifications (recipient_id, kind, params)
           select p.id, %(kind)s, jsonb_build_object('role', p.role, 'college_id', p.college_id,
                                                     'college_th', c.name_th, 'college_en', c.name_en)
           from public.profiles p left join public.colleges c on c.id = p.college_id
           where p.id = %(me)s
           returning id""",
        {"me": profile_id, "kind": Kind.MOVED.value},
    )
    return await cur.fetchone() is not None
