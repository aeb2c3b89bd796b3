"""The notifications about an invitation to an existing account (migration 0031): the invited person hears of it
even with the app closed, and the teacher or admin who invited them hears the answer. Written in the caller's
transaction (the invitation's, the answer's), so a refused or rolled-back change leaves none; delivered like every
other notification (worker.py: channels, preferences, quiet hours) and listed in the inbox."""

import uuid

from backend.db import Conn
from shared.notifications import INVITED_RENOTIFY, Kind

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
                 and n.created_at > now() - %(again)s
                 and n.params ->> 'role' = %(role)s::text
                 and n.params ->> 'college_id' is not distinct from %(college)s::text)
           returning id""",
        {"me": profile_id, "kind": Kind.INVITED.value, "role": invite["role"], "college": invite["college_id"],
         "th": invite["college_th"], "en": invite["college_en"], "again": INVITED_RENOTIFY},
    )
    return await cur.fetchone() is not None


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
