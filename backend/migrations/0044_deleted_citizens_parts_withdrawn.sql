-- A citizen's account deletion cancels their jobs under way (private.forget_person, 0012), but a part waiting for
-- their answer (approve or decline its cost) stayed `proposed`: a question on the student's and the teacher's
-- screens that nobody may answer any more. It is withdrawn now, as the cancel route and an unrepairable job treat
-- theirs (backend/services/credit.py withdraw_waiting_parts); a part already answered keeps its answer. The
-- function is the same as 0012's otherwise. Lock order (dispatch.py): the person's requests are held already
-- (private.lock_requests_before_deletion, 0040), and their parts are rows of those requests.
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
    update public.status_events set note = '' where actor_id = old.id;
    delete from private.otp_codes where phone = old.phone;

    perform private.audit('account.delete', 'profiles', old.id,
                          jsonb_build_object('role', old.role, 'college_id', old.college_id,
                                             'requests_anonymised', request_count), null);
    return old;
end
$$;
revoke all on function private.forget_person() from public, anon, authenticated;
