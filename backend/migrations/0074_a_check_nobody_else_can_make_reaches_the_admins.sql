-- Review review17b, finding 2: a check only the job's own lead (or a helper) could make reached nobody. A student
-- who worked on a job and was named teacher while it waited for its check may not approve it (shared.statuses
-- own_work_check); when the college's other teachers left, that person was still counted as the college's
-- decider, so no admin was told and GET /admin/undecided stayed empty: the job waited for ever.
--
-- `private.deciders(college, concerning, checked)`: as 0071's two-argument rule (kept for copies still running it),
-- and for a check (`checked`, the request whose work is checked) not the job's lead nor anyone on its team
-- (public.job_team, any round, as backend/services/transitions.py reads `on_team`). The status trigger's
-- `qc_waiting` and the clock's notify_undecided use it for a check; `private.undecided_jobs` lists such a check
-- with why `own_work` (its college's only active teachers worked on it). 0071's definitions are restated whole.
-- Lock order (backend/services/dispatch.py): unchanged; these read profiles and job_team without locking.

create function private.deciders(college uuid, concerning uuid, checked uuid)
returns table (id uuid, admin boolean)
language sql stable security definer
set search_path = ''
as $$
    with workers as (
        select q.technician_id as id from public.repair_requests q where q.id = checked and q.technician_id is not null
        union
        select tm.technician_id from public.job_team tm where tm.request_id = checked
    ), teachers as (
        select p.id from public.profiles p
        where p.college_id = college and p.role = 'supervisor' and p.is_active and p.id is distinct from concerning
          and not exists (select 1 from workers w where w.id = p.id))
    select t.id, false from teachers t
    union all
    select p.id, true from public.profiles p
    where p.role = 'admin' and p.is_active and p.id is distinct from concerning
      and not exists (select 1 from workers w where w.id = p.id)
      and not exists (select 1 from teachers)
$$;
revoke all on function private.deciders(uuid, uuid, uuid) from public, anon, authenticated;

create or replace function private.undecided_jobs()
returns table (request_id uuid, why text, holder_suspended boolean, started bigint)
language sql stable
set search_path = ''
as $$
    with empty_colleges as (
        select c.id from public.colleges c
        where not exists (select 1 from public.profiles p
                          where p.college_id = c.id and p.role = 'supervisor' and p.is_active)
    ), waiting as (
        -- at a college with no teacher: its checks, hand-backs and jobs held by a suspended student
        select r.id, 'no_teacher' as why, false as held
        from empty_colleges c
        join public.repair_requests r on r.college_id = c.id and r.status = any(private.college_decides())
        union all
        select r.id, 'no_teacher', true
        from empty_colleges c
        join public.repair_requests r on r.college_id = c.id and r.status = any(private.reassignable())
        join public.profiles s on s.id = r.technician_id and not s.is_active
        union all
        -- a teacher's own repair at their college, where no other active teacher is left
        select r.id, 'own_request', r.status = any(private.reassignable())
        from public.profiles t
        join public.repair_requests r on r.citizen_id = t.id and r.college_id = t.college_id
        where t.role = 'supervisor' and t.is_active
          and (r.status = any(private.college_decides())
               or (r.status = any(private.reassignable())
                   and exists (select 1 from public.profiles s where s.id = r.technician_id and not s.is_active)))
          and not exists (select 1 from public.profiles o
                          where o.college_id = t.college_id and o.role = 'supervisor' and o.is_active
                            and o.id <> t.id)
        union all
        -- a check at a college whose active teachers all worked on the job (own_work_check) or asked for it, one at
        -- least having worked on it (own_request above cannot hold then): found from those teachers
        select distinct r.id, 'own_work', false
        from public.profiles t
        join public.repair_requests r on r.college_id = t.college_id and r.status = 'quality_check'
             and r.citizen_id is distinct from t.id
             and (r.technician_id = t.id
                  or exists (select 1 from public.job_team tm where tm.request_id = r.id and tm.technician_id = t.id))
        where t.role = 'supervisor' and t.is_active
          and not exists (select 1 from private.deciders(r.college_id, r.citizen_id, r.id) d where not d.admin)
    )
    select w.id, w.why, w.held, private.wait_started(w.id, r.status)
    from waiting w join public.repair_requests r on r.id = w.id
    order by r.updated_at, r.id
$$;
revoke all on function private.undecided_jobs() from public, anon, authenticated;

-- The status trigger (0071's), the check sent to those who may make it. ------------------------------------------
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
        -- Whoever may check it: the college's teachers but the owner and those who worked on
        -- it (own_work_check); the admins when none is left.
        insert into public.notifications (recipient_id, kind, params, request_id, about_id, dedupe_key)
        select d.id, 'qc_waiting', base || jsonb_build_object(
                   'technician', named, 'college_th', r.college_th, 'college_en', r.college_en,
                   'nobody_at_college', d.admin),
               r.id, case when named <> '' then r.technician_id end, 'decide:' || new.id || ':' || d.id
        from private.deciders(r.college_id, r.citizen_id, r.id) d
        on conflict (dedupe_key) do nothing;
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
        -- The hand back is the college's (a teacher's, or an admin's): whoever may make it hears of it.
        insert into public.notifications (recipient_id, kind, params, request_id, dedupe_key)
        select d.id, 'handback_waiting', base || jsonb_build_object(
                   'reason', coalesce(new.note_params ->> 'reason', ''), 'college_th', r.college_th,
                   'college_en', r.college_en, 'nobody_at_college', d.admin),
               r.id, 'decide:' || new.id || ':' || d.id
        from private.deciders(r.college_id, r.citizen_id) d
        where r.college_id is not null
        on conflict (dedupe_key) do nothing;
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

-- Review review17b, finding 6: a student suspended again (after a restore) while holding the same job told the
-- teacher nothing, as the message's dedupe key `held:<wait>:<student>:<reader>` was the first suspension's. The
-- key now names the suspension too, the audit event that switched the account off (the latest `profile.active`
-- of an inactive account: the suspension's, or a switch-off's), in backend/services/account.py `suspend` and the
-- clock's backend/notifications/outbox.py alike: `held:<wait>:<student>:<suspension>:<reader>`. One index probe
-- (audit_events_target).
create function private.switched_off_by(person uuid) returns bigint
language sql stable
set search_path = ''
as $$
    select max(a.id) from public.audit_events a where a.target_id = person and a.action = 'profile.active'
$$;
revoke all on function private.switched_off_by(uuid) from public, anon, authenticated;
