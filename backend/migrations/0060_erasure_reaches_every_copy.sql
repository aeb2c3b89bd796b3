-- Review audit15a (PDPA): what an account's deletion promises to erase ("your name, phone number, addresses, home
-- location and photos", shared/text.py delete_account_text) had copies the deletion did not reach.
--
-- 1. A student's first name in other people's inboxes. The citizen's "accepted" and the teachers' "qc_waiting"
--    notifications name the student on the job (params.technician). They now say whom they name (`about_id`, as
--    the invitation answers have since 0032), so deleting that student's account deletes them, from any path
--    (DELETE /me, the operator's delete-person, Supabase's dashboard): the FK's cascade. Those already stored are
--    tied to the student they name (the request's student or one of its team with that first name).
--    Lock order (backend/services/dispatch.py): the notification is written under the request's lock, and its
--    foreign-key check (FOR KEY SHARE on the profile) conflicts with no profile lock but the deletion's own.
-- 2. The owner's name in a phone approval's note. "A phone approval needs a note of who approved it and when"
--    (part_phone_note_required): that note names the owner. A deletion now erases it on their requests ('-', as
--    the description's erased mark); the check that a phone approval is noted lets that mark stand.
-- 3. The home, found again from the offers. Each offer keeps its distance to its college (and the student's
--    "offer_new" notification repeats it), to 10 m: two of them place the home to metres however coarse the
--    request's own place is made (0.1°). A deletion now writes them again from the coarsened place: what the
--    dispatch read them for is over (the person's open requests are cancelled, an owner-less request is never
--    reopened: backend/services/aftercare.py), and no credit or ledger figure reads them.
-- 4. The owner's phone and exact address, kept by the student after the job. A student on a job (its lead or a
--    helper) read them on the request's row for ever: after the owner cancelled it, after it was handed back and
--    the reopen window closed. They are now given them while the job needs them, `private.contact_open()` (the
--    statuses of shared.statuses.CONTACT_OPEN: accepted until the item is back), in the one place both paths
--    read: the row's read policy (Supabase's Data API reads it as they are; the row is not theirs to read after)
--    and `private.request_as_read`, which the backend's detail and job record read the row through: the same
--    people see it as the policy shows it, and a student whose job is over sees it without the owner's phone and
--    address and with the place coarsened as an anonymised request's (0.1 degree): what their record of the work
--    needs (the job, its category and area, their report, hours and photos) stays.
-- Otherwise forget_person is 0044's.

-- 1. ------------------------------------------------------------------------------------------------------------
create or replace function private.notify_status_event() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    r record;
    base jsonb;
    named text;
begin
    select q.id, q.citizen_id, q.college_id, q.technician_id, q.item, q.service_place, q.province, q.district,
           c.name_th as college_th, c.name_en as college_en
    into r
    from public.repair_requests q left join public.colleges c on c.id = q.college_id
    where q.id = new.request_id;
    base := jsonb_build_object('item', r.item);
    if new.to_status is not distinct from new.from_status then
        return new;  -- a timeline note without a status change (escalation, reassignment)
    end if;
    named := coalesce(private.first_name(r.technician_id), '');
    case new.to_status
    when 'accepted' then
        -- Names the student: deleted with their account (about_id).
        insert into public.notifications (recipient_id, kind, params, request_id, about_id)
        select r.citizen_id, 'accepted', base || jsonb_build_object(
                   'technician', named, 'college_th', r.college_th, 'college_en', r.college_en),
               r.id, case when named <> '' then r.technician_id end
        where r.citizen_id is not null;
    when 'quality_check' then
        insert into public.notifications (recipient_id, kind, params, request_id, about_id)
        select p.id, 'qc_waiting', base || jsonb_build_object('technician', named), r.id,
               case when named <> '' then r.technician_id end
        from public.profiles p
        where p.role = 'supervisor' and p.is_active and p.college_id = r.college_id;
    when 'repairing' then
        if new.from_status = 'quality_check' then
            perform private.notify(r.technician_id, 'rework',
                                   base || jsonb_build_object('note', left(new.note, 200)), r.id);
        end if;
    when 'done' then
        perform private.notify(r.technician_id, 'approved', base, r.id);
        perform private.notify(r.citizen_id, 'ready', base || jsonb_build_object(
            'place', r.service_place, 'college_th', r.college_th, 'college_en', r.college_en), r.id);
    when 'unrepairable' then
        perform private.notify(r.citizen_id, 'unrepairable', base || jsonb_build_object(
            'reason', coalesce(new.note_params ->> 'reason', ''), 'college_th', r.college_th,
            'college_en', r.college_en), r.id);
    when 'handed_back' then
        if new.from_status = 'done' then
            perform private.notify(r.citizen_id, 'rate', base, r.id);
        end if;
    when 'no_centre' then
        perform private.notify_staff('admin', null, 'no_centre', base || jsonb_build_object(
            'province', r.province, 'district', r.district), r.id);
    when 'submitted' then
        if new.from_status is not null and r.college_id is not null then  -- reopened: "still broken"
            perform private.notify_staff('supervisor', r.college_id, 'reopened', base, r.id);
        end if;
    else
        null;
    end case;
    return new;
end
$$;
revoke all on function private.notify_status_event() from public, anon, authenticated;

-- Those already stored: the student they name, of the request's student and its team.
update public.notifications n set about_id = (
    select s.id from (
        select r.technician_id as id from public.repair_requests r where r.id = n.request_id
        union
        select t.technician_id from public.job_team t where t.request_id = n.request_id
    ) s
    where s.id is not null and private.first_name(s.id) = n.params ->> 'technician'
    order by s.id limit 1)
where n.kind in ('accepted', 'qc_waiting') and n.about_id is null and coalesce(n.params ->> 'technician', '') <> '';

-- 2. ------------------------------------------------------------------------------------------------------------
alter table public.job_parts drop constraint phone_approval_noted,
    add constraint phone_approval_noted
        check (approval is distinct from 'phone' or length(btrim(approval_note)) >= 5 or approval_note = '-');

-- The deletion (2, 3). ---------------------------------------------------------------------------------------
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

-- 4. ------------------------------------------------------------------------------------------------------------
-- shared.statuses.CONTACT_OPEN (tests/integration/test_contact_ends_with_the_job.py keeps the two equal).
create function private.contact_open() returns public.request_status[]
language sql immutable parallel safe
set search_path = ''
as $$
    select array['accepted', 'diagnosing', 'repairing', 'quality_check', 'done',
                 'unrepairable']::public.request_status[]
$$;
revoke all on function private.contact_open() from public, anon;
grant execute on function private.contact_open() to authenticated, service_role;

-- 0050's policy; the student on the job and its helpers only while it is open to them.
drop policy repair_requests_read on public.repair_requests;
create policy repair_requests_read on public.repair_requests for select to authenticated using (
    citizen_id = (select auth.uid())
    or (technician_id = (select auth.uid()) and status = any (private.contact_open()))
    or ((select private.my_role()) = 'supervisor' and college_id = (select private.my_college()))
    or (select private.my_role()) = 'admin'
    or ((select private.my_role()) = 'technician' and status = any (private.contact_open())
        and private.helps_on(id))
);

-- The row as the backend shows it to its reader: the people 0050's policy showed it to (the restrictive policy of
-- 0040 too: a suspended, deleted or unknown account reads nothing), the student on the job and its helpers whatever
-- its status, without the owner's contact once it is not open to them.
create function private.request_as_read(req uuid) returns setof public.repair_requests
language plpgsql stable security definer
set search_path = ''
as $$
declare
    r public.repair_requests;
    me uuid := auth.uid();
    reader public.app_role := private.my_role();
begin
    if reader is null then
        return;
    end if;
    select * into r from public.repair_requests x where x.id = req;
    if not found then
        return;
    end if;
    if r.citizen_id = me or (reader = 'supervisor' and r.college_id = private.my_college()) or reader = 'admin' then
        return next r;
    elsif r.technician_id = me or (reader = 'technician' and private.helps_on(r.id)) then
        if not (r.status = any (private.contact_open())) then
            r.contact_phone := null;
            r.address := '';
            r.lat := round(r.lat::numeric, 1)::double precision;
            r.lon := round(r.lon::numeric, 1)::double precision;
        end if;
        return next r;
    end if;
end
$$;
revoke all on function private.request_as_read(uuid) from public, anon;
grant execute on function private.request_as_read(uuid) to authenticated, service_role;
