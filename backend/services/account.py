"""A person's rights over their data (PDPA): everything the system holds about them, and deleting their account.

Deleting runs GoTrue's own statement (`delete from auth.users`), so the app's "delete my account" and a deletion
from Supabase's dashboard or admin API do the same thing: the database (migration 0012) anonymises what the person
leaves behind and records it in the audit trail."""

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg.types.json import Jsonb

from backend.auth import sessions
from backend.db import Conn
from backend.errors import ApiError
from backend.photo_store import PhotoStore
from backend.services.dispatch import (
    DispatchPolicy,
    Resumed,
    hand_on,
    park_for_suspended_owner,
    resume_for_restored_owner,
)
from backend.services.staff import end_open_offers, jobs_in_hand, lock_active_admins
from backend.services.transitions import act_as
from shared.invitations import ENDED_INVITATION_KEPT_DAYS
from shared.phone import InvalidPhone, normalize_thai_phone
from shared.roles import Actor, AppRole
from shared.statuses import OPEN_STATUSES
from shared.suspension import suspend_reason_problem

log = logging.getLogger("fixit.account")

# Where a photo of the export is downloaded (GET /requests/{id}/photos/{kind}/{idx}, routes/requests.py).
PHOTO_DOWNLOAD_PREFIX = "/requests/"

_EXPORT_SQL = """
select jsonb_build_object(
    'profile', (select to_jsonb(p) - 'college_id' || jsonb_build_object('college',
                    (select jsonb_build_object('code', c.code, 'name_th', c.name_th, 'name_en', c.name_en)
                     from public.colleges c where c.id = p.college_id))
                from public.profiles p where p.id = %(me)s),
    'account', (select jsonb_build_object('phone', u.phone, 'created_at', u.created_at,
                                          'phone_confirmed_at', u.phone_confirmed_at,
                                          'last_sign_in_at', u.last_sign_in_at)
                from auth.users u where u.id = %(me)s),
    'skills', coalesce((select jsonb_object_agg(s.skill_code, s.level) from public.technician_skills s
                        where s.technician_id = %(me)s), '{}'::jsonb),
    'requests', coalesce((select jsonb_agg(to_jsonb(r) - 'idempotency_key' || jsonb_build_object(
                    'timeline', (select coalesce(jsonb_agg(jsonb_build_object(
                                     'at', e.created_at, 'from', e.from_status, 'to', e.to_status, 'actor', e.actor,
                                     'note', e.note) order by e.id), '[]'::jsonb)
                                 from public.status_events e where e.request_id = r.id),
                    'photos', (select coalesce(jsonb_agg(jsonb_build_object(
                                   'id', ph.id, 'kind', ph.kind, 'idx', ph.idx, 'content_type', ph.content_type,
                                   'width', ph.width, 'height', ph.height, 'bytes', ph.bytes,
                                   'uploaded_at', ph.created_at, 'download', %(photo_path)s::text || r.id || '/photos/'
                                   || ph.kind || '/' || ph.idx) order by ph.kind, ph.idx), '[]'::jsonb)
                               from public.request_photos ph where ph.request_id = r.id)) order by r.created_at)
                          from public.repair_requests r where r.citizen_id = %(me)s), '[]'::jsonb),
    'jobs', coalesce((select jsonb_agg(jsonb_build_object(
                    'request_id', r.id, 'category_code', r.category_code, 'item', r.item, 'status', r.status,
                    'created_at', r.created_at, 'report', (select to_jsonb(j) - 'request_id' from public.job_reports j
                                                           where j.request_id = r.id)) order by r.created_at)
                      from public.repair_requests r where r.technician_id = %(me)s), '[]'::jsonb),
    -- Every job they were on the team of (led or helped on), each round: what they did, the hours they reported
    -- and those credited (job_team; PDPA right of access, audit15a).
    'team', coalesce((select jsonb_agg(jsonb_build_object(
                    'request_id', t.request_id, 'round', t.round, 'role', t.role, 'task', t.task, 'hours', t.hours,
                    'approved_hours', t.approved_hours, 'approved_at', t.approved_at, 'skill_code', t.skill_code,
                    'skill_level', t.skill_level, 'added_at', t.added_at, 'handed_on_at', t.handed_on_at,
                    'college', (select jsonb_build_object('code', c.code, 'name_th', c.name_th, 'name_en', c.name_en)
                                from public.colleges c where c.id = t.college_id),
                    'category_code', r.category_code, 'item', r.item, 'status', r.status)
                    order by t.added_at, t.request_id, t.round)
                      from public.job_team t join public.repair_requests r on r.id = t.request_id
                      where t.technician_id = %(me)s), '[]'::jsonb),
    'offers', coalesce((select jsonb_agg(to_jsonb(o) - 'technician_id' order by o.created_at)
                        from public.offers o where o.technician_id = %(me)s), '[]'::jsonb),
    'invitations', coalesce((select jsonb_agg(jsonb_build_object(
                    'role', i.role, 'college', c.name_th, 'college_en', c.name_en, 'display_name', i.display_name,
                    'skills', i.skills, 'invited_at', i.created_at, 'expires_at', i.expires_at,
                    'declined_at', i.declined_at))
                             from private.staff_invites i left join public.colleges c on c.id = i.college_id
                             where i.profile_id = %(me)s), '[]'::jsonb),
    -- Their own notifications, and those that name them in an inviter's inbox (deleted with the account: 0032).
    -- Each of their own with where and when it was delivered (the worker's rows): the channel, how it went and
    -- when, and the address only by its last 6 characters (the whole token of each device is in `devices`; a
    -- token re-registered since may be another person's phone now). Not the service's error text, which can
    -- repeat the address. A notification in someone else's inbox went to their devices: none of it.
    'notifications', coalesce((select jsonb_agg(jsonb_build_object(
                    'kind', n.kind, 'params', n.params, 'request_id', n.request_id, 'created_at', n.created_at,
                    'read_at', n.read_at, 'about_you', n.about_id is not distinct from %(me)s,
                    'deliveries', (select coalesce(jsonb_agg(jsonb_build_object(
                                       'channel', d.channel, 'to', case when d.target <> ''
                                                                        then '…' || right(d.target, 6) end,
                                       'status', d.status, 'attempts', d.attempts, 'planned_at', d.created_at,
                                       'next_attempt_at', case when d.status = 'pending' then d.next_attempt_at end,
                                       'updated_at', d.updated_at, 'sent_at', d.sent_at) order by d.id), '[]'::jsonb)
                                   from private.notification_deliveries d
                                   where d.notification_id = n.id and n.recipient_id = %(me)s)) order by n.id)
                               from public.notifications n
                               where n.recipient_id = %(me)s or n.about_id = %(me)s), '[]'::jsonb),
    'sessions', coalesce((select jsonb_agg(jsonb_build_object('created_at', s.created_at,
                                                              'last_refreshed_at', s.refreshed_at,
                                                              'ended_at', s.revoked_at) order by s.created_at)
                          from private.auth_sessions s where s.user_id = %(me)s), '[]'::jsonb),
    -- The trail's entries about them (about their account, or naming them as the student of a job or of its hours)
    -- and those of what they did. Who else acted is given by role only, and an address only for their own acts.
    'audit', coalesce((select jsonb_agg(jsonb_build_object(
                    'at', a.at, 'action', a.action, 'actor', a.actor, 'by_you', a.actor_id is not distinct from %(me)s,
                    'about_you', a.target_id is not distinct from %(me)s
                                 or %(me)s::text in (a.before ->> 'technician_id', a.after ->> 'technician_id'),
                    'client_ip', case when a.actor_id = %(me)s then host(a.client_ip) end,
                    'before', a.before, 'after', a.after) order by a.id)
                       from public.audit_events a
                       where a.target_id = %(me)s or a.actor_id = %(me)s
                          or %(me)s::text in (a.before ->> 'technician_id', a.after ->> 'technician_id')), '[]'::jsonb),
    -- Their skills as they changed (whoever changed them: by role in `audit`), and the level-ups proposed for them.
    'skill_history', coalesce((select jsonb_agg(jsonb_build_object(
                    'skill_code', h.skill_code, 'level', h.level, 'changed_at', h.changed_at,
                    'by_you', h.changed_by is not distinct from %(me)s) order by h.id)
                               from public.skill_level_history h where h.technician_id = %(me)s), '[]'::jsonb),
    'skill_proposals', coalesce((select jsonb_agg(jsonb_build_object(
                    'skill_code', sp.skill_code, 'from_level', sp.from_level, 'to_level', sp.to_level,
                    'jobs', sp.jobs, 'status', sp.status, 'proposed_at', sp.created_at, 'decided_at', sp.decided_at)
                    order by sp.created_at)
                                 from public.skill_proposals sp where sp.technician_id = %(me)s), '[]'::jsonb),
    'portfolio_codes', coalesce((select jsonb_agg(jsonb_build_object(
                    'code', pc.code, 'term', pc.term, 'summary', pc.summary, 'issued_at', pc.issued_at)
                    order by pc.issued_at)
                                 from public.portfolio_codes pc where pc.technician_id = %(me)s), '[]'::jsonb),
    'notification_settings', (select to_jsonb(np) - 'user_id' from private.notification_preferences np
                              where np.user_id = %(me)s),
    -- Each phone or browser registered for pushes; not a web push's `keys` (the browser's secret to encrypt to it).
    'devices', coalesce((select jsonb_agg(jsonb_build_object(
                    'channel', d.channel, 'platform', d.platform, 'token', d.token, 'registered_at', d.created_at,
                    'last_seen_at', d.last_seen_at) order by d.created_at)
                         from private.notification_devices d where d.user_id = %(me)s), '[]'::jsonb),
    'line', (select jsonb_build_object('line_user_id', l.line_user_id, 'linked_at', l.linked_at)
             from private.line_links l where l.user_id = %(me)s),
    -- Parts they proposed on a job (a student) or decided (an owner in the app, a teacher by phone).
    'parts', coalesce((select jsonb_agg(jsonb_build_object(
                    'id', jp.id, 'request_id', jp.request_id, 'name', jp.name, 'qty', jp.qty,
                    'price_baht', jp.price_baht, 'status', jp.status, 'approval', jp.approval,
                    'approval_note', jp.approval_note, 'proposed_at', jp.proposed_at, 'decided_at', jp.decided_at,
                    'proposed_by_you', jp.proposed_by is not distinct from %(me)s,
                    'decided_by_you', jp.decided_by is not distinct from %(me)s) order by jp.proposed_at, jp.id)
                       from public.job_parts jp where jp.proposed_by = %(me)s or jp.decided_by = %(me)s), '[]'::jsonb),
    'handovers', coalesce((select jsonb_agg(jsonb_build_object(
                    'request_id', h.request_id, 'method', h.method, 'reason', h.reason,
                    'confirmed_at', h.confirmed_at) order by h.confirmed_at)
                           from public.job_handovers h where h.confirmed_by = %(me)s), '[]'::jsonb),
    'outcomes', coalesce((select jsonb_agg(jsonb_build_object(
                    'request_id', o.request_id, 'outcome', o.outcome, 'reason', o.reason,
                    'fault_found', o.fault_found, 'recorded_at', o.recorded_at) order by o.recorded_at)
                          from public.job_outcomes o where o.recorded_by = %(me)s), '[]'::jsonb),
    'reports', coalesce((select jsonb_agg(to_jsonb(jr) - 'technician_id' order by jr.updated_at)
                         from public.job_reports jr where jr.technician_id = %(me)s), '[]'::jsonb),
    -- Steps of jobs they made (or a teacher was present at) on requests that are not theirs: those are in `requests`.
    'job_steps', coalesce((select jsonb_agg(jsonb_build_object(
                    'request_id', e.request_id, 'at', e.created_at, 'from', e.from_status, 'to', e.to_status,
                    'note', e.note, 'teacher_present', e.teacher_present_id is not distinct from %(me)s
                                                       and e.actor_id is distinct from %(me)s) order by e.id)
                           from public.status_events e
                           where (e.actor_id = %(me)s or e.teacher_present_id = %(me)s)
                             and not exists (select 1 from public.repair_requests r
                                             where r.id = e.request_id and r.citizen_id = %(me)s)), '[]'::jsonb),
    -- Hours of a job's team a teacher credited (the job and round; the student is named in the college's app).
    'hours_you_approved', coalesce((select jsonb_agg(jsonb_build_object(
                    'request_id', t.request_id, 'round', t.round, 'approved_hours', t.approved_hours,
                    'approved_at', t.approved_at) order by t.approved_at)
                                    from public.job_team t where t.approved_by = %(me)s), '[]'::jsonb),
    -- Every photo they took, and those of their own requests (`requests` lists them there too): the bytes are not
    -- in this file (up to 10 photos a request, each up to a few hundred kB, would make it many MB, base64 a third
    -- more, built in one statement); `download` is the app's address for each, with the same sign-in.
    'photos', coalesce((select jsonb_agg(jsonb_build_object(
                    'id', ph.id, 'request_id', ph.request_id, 'kind', ph.kind, 'idx', ph.idx,
                    'content_type', ph.content_type, 'width', ph.width, 'height', ph.height, 'bytes', ph.bytes,
                    'uploaded_at', ph.created_at, 'taken_by_you', ph.uploaded_by is not distinct from %(me)s,
                    'download', %(photo_path)s::text || ph.request_id || '/photos/' || ph.kind || '/' || ph.idx)
                    order by ph.created_at, ph.id)
                        from public.request_photos ph
                        where ph.uploaded_by = %(me)s
                           or ph.request_id in (select r.id from public.repair_requests r
                                                where r.citizen_id = %(me)s)), '[]'::jsonb)
) as data
"""


async def person_by_phone(owner: Conn, phone: str) -> tuple[uuid.UUID, AppRole]:
    """The account of a phone number, for the operator's PDPA commands (`fixit-backend export-person`)."""
    try:
        e164 = normalize_thai_phone(phone)
    except InvalidPhone:
        raise ApiError(400, "invalid_phone") from None
    row = await (await owner.execute("select id, role from public.profiles where phone = %s", [e164])).fetchone()
    if row is None:
        raise ApiError(404, "person_not_found")
    return row["id"], AppRole(row["role"])


@dataclass(frozen=True)
class NumberHeld:
    """What is held about a phone number, for the operator's PDPA commands: the account that has it, if any, and how
    many invitations wait for the number (a college registered the person by phone and name; nobody has signed in
    with it yet, private.staff_invites with no profile_id)."""

    e164: str
    account: tuple[uuid.UUID, AppRole] | None
    invitations: int


async def held_for_number(owner: Conn, phone: str) -> NumberHeld:
    """The account and the waiting invitations of a phone number (404 person_not_found when neither)."""
    try:
        e164 = normalize_thai_phone(phone)
    except InvalidPhone:
        raise ApiError(400, "invalid_phone") from None
    row = await (await owner.execute(
        """select (select p.id from public.profiles p where p.phone = %(n)s) as id,
                  (select p.role::text from public.profiles p where p.phone = %(n)s) as role,
                  (select count(*)::int from private.staff_invites i
                   where i.phone = %(n)s and i.profile_id is null) as invitations""", {"n": e164})).fetchone()
    assert row is not None
    if row["id"] is None and not row["invitations"]:
        raise ApiError(404, "person_not_found")
    account = (row["id"], AppRole(row["role"])) if row["id"] is not None else None
    return NumberHeld(e164, account, row["invitations"])


# An invitation waiting for a number holds the person's phone, the name and skills the college registered: theirs.
_NUMBER_INVITATIONS_SQL = """
select coalesce(jsonb_agg(jsonb_build_object(
           'phone', i.phone, 'role', i.role, 'college', c.name_th, 'college_en', c.name_en,
           'display_name', i.display_name, 'skills', i.skills, 'invited_at', i.created_at,
           'expires_at', i.expires_at) order by i.created_at), '[]'::jsonb) as data
from private.staff_invites i left join public.colleges c on c.id = i.college_id
where i.phone = %s and i.profile_id is null
"""


async def export_number(owner: Conn, held: NumberHeld) -> dict[str, Any]:
    """The operator's export of a phone number: the account's file (`export`) when one has it, and the invitations
    waiting for the number (`invitations_for_the_number`), which no account's file holds."""
    data: dict[str, Any] = {}
    if held.account is not None:
        data = await export(owner, held.account[0], held.account[1], None)
    if held.invitations:
        row = await (await owner.execute(_NUMBER_INVITATIONS_SQL, [held.e164])).fetchone()
        assert row is not None
        data["invitations_for_the_number"] = row["data"]
        if held.account is None:
            await owner.execute("select private.audit('person.export_invitations', 'staff_invites', null, null, %s)",
                                [Jsonb({"invitations": held.invitations})])
    return data


async def erase_number_invitations(owner: Conn, e164: str) -> int:
    """The operator erases the invitations waiting for a number (the person's PDPA request): the rows go, and the
    trail keeps, as for a withdrawal, which role and college each was for, never the phone or the name. Taken after
    any profile lock of the same transaction (dispatch.py's lock order: the invitation after the profile)."""
    rows = await (await owner.execute(
        "delete from private.staff_invites where phone = %s and profile_id is null returning id, role, college_id",
        [e164])).fetchall()
    for row in rows:
        await owner.execute(
            "select private.audit('staff.invite_erase', 'staff_invites', %s, null, %s)",
            [row["college_id"], Jsonb({"role": row["role"], "college_id": str(row["college_id"])
                                       if row["college_id"] else None, "invite_id": str(row["id"]),
                                       "at_persons_request": True})])
    return len(rows)


async def erase_ended_invitations(owner: Conn, kept_days: int = ENDED_INVITATION_KEPT_DAYS) -> int:
    """Invitations declined or expired `kept_days` ago go, with the phone and name they held (migration 0062; the
    trail keeps role, college and id). Run by the clock (dispatch_ticks), by the database's clock. The count erased."""
    row = await (await owner.execute("select private.erase_ended_invitations(%s) as n", [kept_days])).fetchone()
    return int(row["n"]) if row else 0


async def export(owner: Conn, user_id: uuid.UUID, role: AppRole, claims: Mapping[str, Any] | None
                 ) -> dict[str, Any]:
    """Everything held about the caller, as JSON (an owner transaction; recorded in the audit trail). Without
    `claims`, the operator acts (a PDPA request made outside the app), and the audit trail says so."""
    if claims is not None:
        await act_as(owner, Actor.for_role(role), claims)
    row = await (await owner.execute(_EXPORT_SQL, {"me": user_id, "photo_path": PHOTO_DOWNLOAD_PREFIX})).fetchone()
    assert row is not None
    await owner.execute("select private.audit('account.export', 'profiles', %s, null, null)", [user_id])
    data: dict[str, Any] = row["data"]
    return data


async def photo_paths(owner: Conn, user_id: uuid.UUID) -> list[str]:
    rows = await (
        await owner.execute(
            """select ph.storage_path, ph.thumb_path from public.request_photos ph
               join public.repair_requests r on r.id = ph.request_id where r.citizen_id = %s""",
            [user_id],
        )
    ).fetchall()
    return [path for row in rows for path in (row["storage_path"], row["thumb_path"])]


async def delete(owner: Conn, user_id: uuid.UUID, role: AppRole, claims: Mapping[str, Any] | None, now: datetime,
                 policy: DispatchPolicy) -> list[str]:
    """Delete the account the way Supabase Auth does; returns the photo objects to delete after commit. Without
    `claims`, the operator acts. A student holding a job is refused (409 account_has_jobs); the jobs a student was
    offered and had not answered are handed on at once (the SLA clock would do it at its next turn)."""
    if role == AppRole.ADMIN and not await lock_active_admins(owner) - {user_id}:
        raise ApiError(409, "last_admin")  # held until commit: a suspension of the other admin now waits
    offered: list[tuple[uuid.UUID, uuid.UUID | None]] = []
    if role == AppRole.TECHNICIAN:
        await _refuse_if_holding_jobs(owner, user_id)
        offered = await _lock_requests(owner, user_id)
    if claims is not None:
        await act_as(owner, Actor.for_role(role), claims)
    paths = await photo_paths(owner, user_id)
    deleted = await (await owner.execute("delete from auth.users where id = %s returning id", [user_id])).fetchone()
    if deleted is None:
        raise ApiError(404, "not_found")
    if offered:  # their offers went with the account (offers.technician_id on delete cascade)
        await hand_on(owner, offered, now, policy)
    return paths


async def _lock_requests(owner: Conn, user_id: uuid.UUID) -> list[tuple[uuid.UUID, uuid.UUID | None]]:
    """Every request the deletion takes a row of (the student's own as a citizen and as the technician, those any
    offer to them or team row of theirs names: `private.requests_a_deletion_takes`, 0112, the set its trigger
    private.lock_requests_before_deletion locks too), in one statement by id (dispatch.py's lock order: one set in
    one order, never two sets one after the other); those they hold a waiting offer of with their college, to hand
    on once the account is gone."""
    rows = await (await owner.execute(
        """select r.id, r.college_id,
                  exists (select 1 from public.offers o where o.request_id = r.id and o.technician_id = %(me)s
                          and o.status = 'pending') as offered
           from public.repair_requests r
           where r.id in (select private.requests_a_deletion_takes(%(me)s))
           order by r.id for update of r""", {"me": user_id})).fetchall()
    return [(r["id"], r["college_id"]) for r in rows if r["offered"]]


async def _refuse_if_holding_jobs(owner: Conn, user_id: uuid.UUID) -> None:
    """A student's account is not deleted while a job is in their hands (leading it or on this round's team): the
    item may be at the workshop with a diagnosis made and parts approved, and only the student on a job steps it,
    so a deletion would leave it standing with nobody on it and nobody told. As for a switch-off, a move or a
    promotion (409 student_has_jobs), they finish it or their college's teacher reassigns it first; a suspension
    (which the operator may need at once) is the tool that cannot wait, and leaves the jobs for the teacher too.
    Their profile is locked first (FOR NO KEY UPDATE, the lock order of dispatch.py): an accept or an assign under
    way finishes before the jobs are counted, one that comes after waits and then finds the account gone. Offers
    still waiting go with the account; `delete` hands those jobs on at once (dispatch.hand_on)."""
    await _lock_active(owner, user_id)
    count = await jobs_in_hand(owner, user_id)
    if count:
        raise ApiError(409, "account_has_jobs", count=count)


async def delete_photos(store: PhotoStore, paths: list[str]) -> None:
    """Best effort right away; what fails stays queued in private.photo_uploads for the orphan sweep."""
    if paths:
        try:
            await store.delete(paths)
        except Exception as exc:  # the sweep retries; the account is gone either way
            log.warning("photos of a deleted account left for the sweep: %s", exc)


@dataclass(frozen=True)
class Suspended:
    sessions_ended: int
    offers_ended: int
    jobs_in_hand: int


async def _lock_active(owner: Conn, user_id: uuid.UUID) -> bool:
    # No key update, as the roster switch-off (college_admin.py): an accept's foreign-key check must not wait on it.
    row = await (await owner.execute(
        "select is_active from public.profiles where id = %s for no key update", [user_id])).fetchone()
    if row is None:
        raise ApiError(404, "person_not_found")
    return bool(row["is_active"])


# A suspended student's jobs in hand (shared.statuses.REASSIGNABLE) wait on their college: whoever can give them to
# another student or take them back now (migration 0071 `private.deciders`: the college's teachers, the admins when
# none is left) is told of each, naming the student (deleted with their account: about_id). The dedupe key is the
# one the SLA clock writes for the admins (backend/notifications/outbox.py): one message per job, wait, suspension
# (migration 0074: a student suspended again after a restore is told of again) and reader.
_TELL_HOLDER_SUSPENDED = """
    insert into public.notifications (recipient_id, kind, params, request_id, about_id, dedupe_key)
    select d.id, 'holder_suspended',
           jsonb_build_object('item', r.item, 'technician', coalesce(private.first_name(r.technician_id), ''),
                              'college_th', c.name_th, 'college_en', c.name_en, 'nobody_at_college', d.admin),
           r.id, r.technician_id,
           'held:' || private.wait_started(r.id, r.status) || ':' || r.technician_id || ':'
               || coalesce(private.switched_off_by(r.technician_id), 0) || ':' || d.id
    from public.repair_requests r
    left join public.colleges c on c.id = r.college_id
    cross join lateral private.deciders(r.college_id, r.citizen_id) d
    where r.technician_id = %s and r.status = any(private.reassignable())
    order by 6  -- by dedupe key, as the clock inserts them (race27 #3)
    on conflict (dedupe_key) do nothing"""


# The requests a suspension changes or must not race, locked after the person's profile and before their offers
# (dispatch.py's lock order), in one statement by id: every open request they asked for (a take back, an assign or a
# dispatch of one holding it finishes first and is then seen: `park_for_suspended_owner` ends what it offered) and
# those they hold a pending offer of (staff.end_open_offers, for a student), and the jobs in their hands that
# `_TELL_HOLDER_SUSPENDED` tells the deciders of (review27b #1: read unlocked, a teacher's take back or reassign
# holding one committed under that insert's foreign key check, closed nothing yet, and the message then asked about a
# job already moved on; held here, such a move finishes first and is seen, or comes after and closes the message).
_LOCK_REQUESTS = """
    select r.id from public.repair_requests r
    where (r.citizen_id = %(person)s and r.status = any(%(open)s::public.request_status[]))
       or r.id in (select o.request_id from public.offers o where o.technician_id = %(person)s and o.status = 'pending')
       or (r.technician_id = %(person)s and r.status = any(private.reassignable()))
    order by r.id for update"""


async def suspend(owner: Conn, user_id: uuid.UUID, role: AppRole, reason: str,
                  now: datetime, policy: DispatchPolicy) -> Suspended:
    """The operator's suspension, in the caller's (operator) transaction: the account is no longer usable
    (`is_active`, audited as `profile.active` by the trigger), every session of the local issuer ends (their refresh
    tokens stop working), a student's offers still waiting end (the SLA clock hands those jobs on), and the reason is
    in the audit trail (`account.suspend`). Jobs a student holds stay theirs and are counted for the operator: a
    suspension is not refused for them (a lost phone or an abuse cannot wait), and handing a job on is the college
    teacher's decision (their reassign or take back), as for a switch-off: the teachers (the admins when the
    college has none) are told of each job (`holder_suspended`), and their dashboard lists it until it moves on.
    Their own requests still looking for a student (any role may ask for a repair) go to no student any more
    (review18a #2: nobody may answer for them): their pending offers are withdrawn, the students told, and they
    wait as no_centre (dispatch.park_for_suspended_owner) until a restore lets the clock offer them again. A job
    of theirs already in a student's hands stays there (the teacher decides: a take back parks it too)."""
    problem = suspend_reason_problem(reason)
    if problem:
        raise ApiError(400, problem)
    admins = await lock_active_admins(owner) if role == AppRole.ADMIN else set()
    if not await _lock_active(owner, user_id):
        raise ApiError(409, "already_suspended")
    if role == AppRole.ADMIN and not admins - {user_id}:
        raise ApiError(409, "last_admin_suspend")
    await owner.execute(_LOCK_REQUESTS, {"person": user_id, "open": [s.value for s in OPEN_STATUSES]})
    parked = await park_for_suspended_owner(owner, user_id, now)
    offers = 0
    in_hand = 0
    if role == AppRole.TECHNICIAN:
        offers = await end_open_offers(owner, user_id, now, policy)
        in_hand = await jobs_in_hand(owner, user_id)
    await owner.execute("update public.profiles set is_active = false where id = %s", [user_id])
    if in_hand:
        await owner.execute(_TELL_HOLDER_SUSPENDED, [user_id])
    ended = await sessions.revoke_all(owner, user_id)
    await owner.execute("select private.audit('account.suspend', 'profiles', %s, null, %s)",
                        [user_id, Jsonb({"reason": reason.strip(), "sessions_ended": ended, "offers_ended": offers,
                                         "jobs_in_hand": in_hand, "requests_parked": parked})])
    return Suspended(ended, offers, in_hand)


async def restore(owner: Conn, user_id: uuid.UUID, now: datetime, policy: DispatchPolicy) -> Resumed:
    """The operator lifts a suspension (audited as `profile.active` by the operator). The college roster
    (`takes_jobs`) is the teacher's and stays as it was. Their own requests the suspension parked go on at once
    (dispatch.resume_for_restored_owner, after the profile: the lock order of dispatch.py), asking again the students
    whose offers it withdrew, their citizen told (reinstate21). `now`, `policy`: the caller's clock and the backend's
    dispatch policy (dispatch_ticks.policy_of), required as of every leaving path (offers28 #2). Returns how many
    requests were offered again, and how many still wait (nobody can take them now)."""
    if await _lock_active(owner, user_id):
        raise ApiError(409, "already_active")
    await owner.execute("update public.profiles set is_active = true where id = %s", [user_id])
    return await resume_for_restored_owner(owner, user_id, now, policy)
