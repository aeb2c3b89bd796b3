-- A person's data, whole (PDPA): what a deletion erases, and what is kept after it is needed (export15).
--
-- 1. A teacher's handover reason. When the owner cannot confirm they have the item back, the college's teacher
--    records who collected it and why (job_handovers.reason, method 'teacher_reason'): often a name. It survived the
--    owner's deletion; forget_person now erases it ('-', as 0060 the phone approval's note), and the check that a
--    teacher says why lets that mark stand. Otherwise forget_person is 0060's.
-- 2. Invitations that ended. A declined or expired invitation keeps the invitee's phone, the name and skills the
--    college registered; one withdrawn is deleted at once (backend/services/staff.py withdraw_invite). They served
--    their purpose once a "no" stopped holding off new asks (shared.invitations.DECLINED_WAIT_DAYS) and a lapsed one
--    left the inviter's list (EXPIRED_LISTED_DAYS): `private.erase_ended_invitations(kept_days)` deletes those that
--    ended `kept_days` ago (shared.invitations.ENDED_INVITATION_KEPT_DAYS, passed by the clock:
--    backend/dispatch_ticks.py), at most `batch` a call. The trail keeps, as for a withdrawal, the role, college and
--    invitation id, never the phone or the name. Rows being answered, withdrawn or re-sent (locked) are skipped and
--    taken at a later turn; no other lock is taken, so it waits on nobody.

-- 1. ------------------------------------------------------------------------------------------------------------
alter table public.job_handovers drop constraint teacher_says_why,
    add constraint teacher_says_why check (method <> 'teacher_reason' or length(btrim(reason)) >= 5 or reason = '-');

create or replace function private.forget_person() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    request_count int;
begin
    perform set_config('fixit.note', 'account deleted', true);
    update public.offers o set status = 'withdrawn', responded_at = now()
    from public.repair_requests r
    where o.request_id = r.id and r.citizen_id = old.id and o.status = 'pending';
    update public.repair_requests set status = 'cancelled'
    where citizen_id = old.id and status not in ('done', 'handed_back', 'cancelled', 'unrepairable');
    -- Nobody answers their parts' questions any more: withdrawn, as a cancelled job's are (0044).
    update public.job_parts jp set status = 'withdrawn', decided_at = now()
    from public.repair_requests r
    where jp.request_id = r.id and r.citizen_id = old.id and jp.status = 'proposed';
    -- A phone approval's note names them (who approved, and when): erased (2).
    update public.job_parts jp set approval_note = '-'
    from public.repair_requests r
    where jp.request_id = r.id and r.citizen_id = old.id and jp.approval = 'phone';
    -- A teacher's reason for handing the item back without the owner's confirmation names who collected it
    -- (often the owner, or a relative, by name): erased ('-', as the note above).
    update public.job_handovers h set reason = '-'
    from public.repair_requests r
    where h.request_id = r.id and r.citizen_id = old.id and h.reason <> '';

    insert into private.photo_uploads (path, request_id)
    select p.path, ph.request_id
    from public.request_photos ph
    join public.repair_requests r on r.id = ph.request_id and r.citizen_id = old.id
    cross join lateral (values (ph.storage_path), (ph.thumb_path)) as p (path)
    on conflict (path) do nothing;
    delete from public.request_photos ph using public.repair_requests r
    where r.id = ph.request_id and r.citizen_id = old.id;

    update public.repair_requests set
        contact_phone = null, address = '', sub_district = '',
        lat = round(lat::numeric, 1)::double precision, lon = round(lon::numeric, 1)::double precision,
        description = '-', rating_comment = null
    where citizen_id = old.id;
    get diagnostics request_count = row_count;
    -- The offers' distances, from the coarsened place (3): the great circle shared/geo.py measures, to 10 m as
    -- dispatch stores it; the "offer_new" notifications that repeat them follow.
    update public.offers o set distance_km = round((2 * 6371.009 * asin(sqrt(
            power(sin(radians(c.lat - r.lat) / 2), 2)
            + cos(radians(r.lat)) * cos(radians(c.lat)) * power(sin(radians(c.lon - r.lon) / 2), 2))))::numeric, 2)
    from public.repair_requests r, public.colleges c
    where o.request_id = r.id and r.citizen_id = old.id and c.id = o.college_id;
    update public.notifications n set params = n.params || jsonb_build_object('distance_km', o.distance_km)
    from public.offers o, public.repair_requests r
    where n.offer_id = o.id and o.request_id = r.id and r.citizen_id = old.id and n.params ? 'distance_km';
    update public.status_events set note = '' where actor_id = old.id;
    delete from private.otp_codes where phone = old.phone;

    perform private.audit('account.delete', 'profiles', old.id,
                          jsonb_build_object('role', old.role, 'college_id', old.college_id,
                                             'requests_anonymised', request_count), null);
    return old;
end
$$;
revoke all on function private.forget_person() from public, anon, authenticated;

-- 2. ------------------------------------------------------------------------------------------------------------
create function private.erase_ended_invitations(kept_days int, batch int default 500) returns int
language plpgsql
security definer
set search_path = ''
as $$
declare
    gone record;
    erased int := 0;
begin
    for gone in
        delete from private.staff_invites i
        where i.id in (select x.id from private.staff_invites x
                       where coalesce(x.declined_at, x.expires_at) <= now() - make_interval(days => kept_days)
                       order by x.id limit batch
                       for update skip locked)
        returning i.id, i.role, i.college_id, i.profile_id, i.declined_at is not null as declined
    loop
        perform private.audit('staff.invite_erase', case when gone.profile_id is not null then 'profiles'
                                                         else 'staff_invites' end,
                              coalesce(gone.profile_id, gone.college_id), null,
                              jsonb_build_object('role', gone.role, 'college_id', gone.college_id,
                                                 'invite_id', gone.id,
                                                 'ended', case when gone.declined then 'declined' else 'expired' end,
                                                 'kept_days', kept_days));
        erased := erased + 1;
    end loop;
    return erased;
end
$$;
revoke all on function private.erase_ended_invitations(int, int) from public, anon, authenticated;
