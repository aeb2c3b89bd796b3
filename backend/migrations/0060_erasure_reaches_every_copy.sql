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
