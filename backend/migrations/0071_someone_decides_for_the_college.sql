-- Review audit17a (liveness), findings 2, 3, 4 and 6: decisions only a college's teacher (or an admin) may make
-- reached nobody when the college had no (other) active teacher, and some waiting states were told to nobody.
--
-- One rule, `private.deciders(college, concerning)`: who can make this college's decision now. The college's
-- active teachers, but not the person the decision concerns (a teacher's own repair is another teacher's to check
-- or hand back: shared.statuses own_request_check / own_request_staff); when none is left, the active admins
-- (who may do what a teacher may). Every notification of such a decision goes to them, and the admins' list of
-- jobs waiting on a college with nobody to decide (`public.admin_undecided_jobs`, GET /admin/undecided) and the
-- teachers' dashboard queue (`public.college_decision_queue`) show what waits, so a missed message still leaves
-- the job findable.
--
-- The decisions (the statuses of shared.statuses.COLLEGE_DECIDES, `private.college_decides()`, kept equal by a
-- test): a job in the check (approve or send back: `qc_waiting`), a job found unrepairable (hand the item back:
-- `handback_waiting`, new), and a job held by a student the operator suspended (give it to another student or take
-- it back: `holder_suspended`, new, written by backend/services/account.py `suspend`).
-- A teacher who leaves (deleted, suspended, moved, demoted) after the message went out: the SLA clock
-- (backend/notifications/outbox.py `notify_undecided`) tells the admins of every job so left, once per job and
-- state: each such message carries the dedupe key `decide:<the status event that started the wait>:<recipient>`
-- (`held:` for a suspended holder), the same whether the status trigger or the clock wrote it.
-- Lock order (backend/services/dispatch.py): the messages are written under the request's lock (trigger) or under
-- none (clock); they read profiles without locking them, and their foreign keys take FOR KEY SHARE as before.

create function private.college_decides() returns public.request_status[]
language sql immutable
set search_path = ''
as $$ select '{quality_check,unrepairable}'::public.request_status[] $$;
revoke all on function private.college_decides() from public, anon, authenticated;

-- A job held by a student who can no longer act waits on the college too (the teacher's reassign or take back):
-- shared.statuses.REASSIGNABLE.
create function private.reassignable() returns public.request_status[]
language sql immutable
set search_path = ''
as $$ select '{accepted,diagnosing,repairing}'::public.request_status[] $$;
revoke all on function private.reassignable() from public, anon, authenticated;

create function private.deciders(college uuid, concerning uuid)
returns table (id uuid, admin boolean)
language sql stable security definer
set search_path = ''
as $$
    with teachers as (
        select p.id from public.profiles p
        where p.college_id = college and p.role = 'supervisor' and p.is_active and p.id is distinct from concerning)
    select t.id, false from teachers t
    union all
    select p.id, true from public.profiles p
    where p.role = 'admin' and p.is_active and p.id is distinct from concerning
      and not exists (select 1 from teachers)
$$;
revoke all on function private.deciders(uuid, uuid) from public, anon, authenticated;

-- The status event that started a request's present wait (not a note written since, such as a reassignment).
create function private.wait_started(request uuid, status public.request_status) returns bigint
language sql stable
set search_path = ''
as $$
    select max(e.id) from public.status_events e
    where e.request_id = request and e.to_status = status and e.from_status is distinct from e.to_status
$$;
revoke all on function private.wait_started(uuid, public.request_status) from public, anon, authenticated;

-- Suspended accounts, by college: a college's few, without reading its whole roster (dashboard, clock).
create index profiles_college_suspended on public.profiles (college_id) where not is_active;
-- Colleges' teachers, for the clock's "which colleges have nobody" (one probe per college).
create index profiles_college_active_supervisors on public.profiles (college_id)
    where role = 'supervisor' and is_active;

-- The jobs waiting on a college that has nobody to decide, oldest wait first, with why: `no_teacher` (no active
-- teacher at the college) or `own_request` (its only teacher asked for the repair), and whether the student
-- holding it is suspended. Read by the clock (as the owner) and by the admins' list.
create function private.undecided_jobs()
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
    )
    select w.id, w.why, w.held, private.wait_started(w.id, r.status)
    from waiting w join public.repair_requests r on r.id = w.id
    order by r.updated_at, r.id
$$;
revoke all on function private.undecided_jobs() from public, anon, authenticated;

-- The admins' list (GET /admin/undecided): only an admin reads it.
create function public.admin_undecided_jobs()
returns table (
    id uuid, ref_no bigint, category_code text, category_name_th text, category_name_en text, category_icon text,
    item text, status public.request_status, created_at timestamptz, updated_at timestamptz,
    college_id uuid, college_name_th text, college_name_en text, why text, holder_suspended boolean
)
language sql stable security definer
set search_path = ''
as $$
    select r.id, r.ref_no, r.category_code, cat.name_th, cat.name_en, cat.icon, r.item, r.status, r.created_at,
           r.updated_at, col.id, col.name_th, col.name_en, u.why, u.holder_suspended
    from private.undecided_jobs() u
    join public.repair_requests r on r.id = u.request_id
    join public.categories cat on cat.code = r.category_code
    left join public.colleges col on col.id = r.college_id
    where (select private.my_role()) = 'admin'
    order by r.updated_at, r.id
$$;
revoke all on function public.admin_undecided_jobs() from public, anon;
grant execute on function public.admin_undecided_jobs() to authenticated, service_role;

-- The teachers' dashboard queue: what waits for the college's decision (the check, the hand-backs, the jobs held
-- by a suspended student), oldest change first; gated and read as 0026's check queue (which old copies still read
-- during a rolling upgrade): index walks of repair_requests_college_status_updated over the waiting statuses, and
-- of the college's suspended students (profiles_college_suspended) and their jobs.
create function public.college_decision_queue(college uuid)
returns table (
    id uuid, ref_no bigint, category_code text, category_name_th text, category_name_en text, category_icon text,
    item text, status public.request_status, created_at timestamptz, updated_at timestamptz,
    college_name_th text, college_name_en text, holder_suspended boolean
)
language sql stable security definer
set search_path = ''
as $$
    select r.id, r.ref_no, r.category_code, cat.name_th, cat.name_en, cat.icon, r.item, r.status, r.created_at,
           r.updated_at, col.name_th, col.name_en, w.held
    from (
        select q.id, false as held from public.repair_requests q
        where q.college_id = college and q.status = any(private.college_decides())
        union all
        select q.id, true from public.profiles s
        join public.repair_requests q on q.technician_id = s.id and q.status = any(private.reassignable())
        where s.college_id = college and not s.is_active and q.college_id = college
    ) w
    join public.repair_requests r on r.id = w.id
    join public.categories cat on cat.code = r.category_code
    left join public.colleges col on col.id = r.college_id
    where (select private.sees_whole_college(college))
    order by r.updated_at, r.id
$$;
revoke all on function public.college_decision_queue(uuid) from public, anon;
grant execute on function public.college_decision_queue(uuid) to authenticated, service_role;

-- The status trigger (0060's), with the decisions sent to the deciders. -----------------------------------------
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
        -- Whoever may check it: the college's teachers but the owner; the admins when none is left.
        insert into public.notifications (recipient_id, kind, params, request_id, about_id, dedupe_key)
        select d.id, 'qc_waiting', base || jsonb_build_object(
                   'technician', named, 'college_th', r.college_th, 'college_en', r.college_en,
                   'nobody_at_college', d.admin),
               r.id, case when named <> '' then r.technician_id end, 'decide:' || new.id || ':' || d.id
        from private.deciders(r.college_id, r.citizen_id) d
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
