-- college27 #2: the student's open offers (`my_offer_cards(true, ..)`, the app's offers feed, GET /technician/offers)
-- asked the roster (an active student taking jobs) and the offer (pending, not run out), not the offer's college:
-- a student moved to another college outside the app (the SQL editor, Supabase's dashboard), or past a dispatch that
-- read their college just before the app's move committed, kept the old college's offer listed until the clock's
-- turn (`end_offers_moved_away`), and its accept answered 409. The list now asks the rule the accept and the
-- photos ask, one definition: `private.offer_open` (pending, not run out, at the caller's college), which
-- `private.holds_offer_open_at` (0115's rule: the photos, the Data API's policies and the accept,
-- backend/services/transitions.py `_FACTS`) asks too. A plain SQL expression of its arguments, so the planner
-- inlines it: the list asks it of up to 200 offers with the caller's college read once (`my_college`, an InitPlan),
-- where calling `holds_offer_open_at` per offer (a security definer, never inlined, itself calling `my_college`)
-- tripled the list's PostgreSQL time in bench.api (#15's figure). The index conditions stay beside it so the list is
-- still read from the student's own offers, newest first up to `max_rows` by 0011's offers_technician_pending, and the
-- rule asked of those rows: asked inside, its `college_id =` made the planner read every pending offer of the
-- college (offers_college_pending) or of the student and sort them, twice the list's PostgreSQL time in bench.api
-- (a student with thousands of pending offers). An offer at a college the student left is rare and short-lived
-- (the clock withdraws it), so the list may hold fewer than `max_rows` for a turn; it never lists one it should not. No `set search_path` on it, on purpose: one would stop the inlining; it
-- names no table and its operators are pg_catalog's, which is searched first whatever the path.
create function private.offer_open(status public.offer_status, expires_at timestamptz, offer_college uuid,
                                   at timestamptz, my_college uuid) returns boolean
language sql immutable
as $$
    select status = 'pending' and expires_at > at and offer_college = my_college
$$;
revoke all on function private.offer_open(public.offer_status, timestamptz, uuid, timestamptz, uuid)
    from public, anon, authenticated;
grant execute on function private.offer_open(public.offer_status, timestamptz, uuid, timestamptz, uuid)
    to authenticated, service_role;

create or replace function private.holds_offer_open_at(req uuid, at timestamptz) returns boolean
language sql stable security definer
set search_path = ''
as $$
    select exists (select 1 from public.offers o
                   where o.request_id = req and o.technician_id = auth.uid()
                     and private.offer_open(o.status, o.expires_at, o.college_id, at, private.my_college()))
$$;

create or replace function public.my_offer_cards(open_only boolean default false, max_rows integer default 200)
returns table (
    offer_id uuid, request_id uuid, offer_status public.offer_status, category_code text, item text,
    province text, district text, distance_km numeric, created_at timestamptz, expires_at timestamptz,
    photo_count integer, description text, location_approximate boolean
)
language sql stable security definer
set search_path = ''
as $$
    select o.id, o.request_id, o.status, o.category_code, o.item, o.province, o.district, o.distance_km,
           o.created_at, o.expires_at, o.photo_count::int, o.description, o.location_approximate
    from (
        (select o.* from (select o.* from public.offers o
                          where open_only and o.technician_id = auth.uid() and o.status = 'pending'
                            and o.expires_at > now()
                            and exists (select 1 from public.profiles p
                                        where p.id = auth.uid() and p.is_active and p.takes_jobs)
                          order by o.created_at desc limit least(greatest(max_rows, 0), 500)) o
         where private.offer_open(o.status, o.expires_at, o.college_id, now(), (select private.my_college())))
        union all
        (select o.* from public.offers o
         where not open_only and o.technician_id = auth.uid()
           and exists (select 1 from public.profiles p where p.id = auth.uid() and p.is_active)
         order by o.created_at desc limit least(greatest(max_rows, 0), 500))
    ) o
    order by o.created_at desc
$$;

-- college27 #3 (session 26's final read): "an active teacher of the college" (a supervisor of it whose account is
-- active; a deleted account has no profile, a teacher moved away or made a citizen is not of it) was typed in SQL
-- in each place that asks it: dispatch (`college_has_teacher`, which `_teacher_ok` and the job screen ask;
-- `roster_teacher_and_owner`), the step's check of a teacher named present (backend/services/transitions.py
-- `_RECORD_FACTS`), the deciders of a college's decisions (0071, 0074) and the list of those nobody can make
-- (`undecided_jobs`), the clock's "offers expiring" messages (backend/notifications/outbox.py) and the admin's
-- teachers read (GET /admin/requests/{id}/teachers). One definition now, every place asking it:
-- `private.active_teachers(college)`, their ids (one probe of 0071's partial index
-- profiles_college_active_supervisors). Invoker's rights (no security definer: the functions that read profiles a
-- caller may not are definers themselves, and the admin's read runs under its RLS, which shows an admin every
-- profile); granted as `college_has_teacher`. Locks nothing: a path that must hold the teachers locks the rows it
-- found (dispatch.roster_teacher_and_owner) and checks them as locked. tests/integration/test_college27_findings.py
-- holds that every place counts the same people on the edge cases.
create function private.active_teachers(college uuid) returns setof uuid
language sql stable
set search_path = ''
as $$
    select p.id from public.profiles p where p.college_id = college and p.role = 'supervisor' and p.is_active
$$;
revoke all on function private.active_teachers(uuid) from public, anon, authenticated;
grant execute on function private.active_teachers(uuid) to authenticated, service_role;

create or replace function private.college_has_teacher(college uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
    select exists (select 1 from private.active_teachers(college))
$$;

-- 0071's and 0074's deciders, their teachers read from the one rule (otherwise restated whole).
create or replace function private.deciders(college uuid, concerning uuid)
returns table (id uuid, admin boolean)
language sql stable security definer
set search_path = ''
as $$
    with teachers as (
        select t.id from private.active_teachers(college) t(id) where t.id is distinct from concerning)
    select t.id, false from teachers t
    union all
    select p.id, true from public.profiles p
    where p.role = 'admin' and p.is_active and p.id is distinct from concerning
      and not exists (select 1 from teachers)
$$;

create or replace function private.deciders(college uuid, concerning uuid, checked uuid)
returns table (id uuid, admin boolean)
language sql stable security definer
set search_path = ''
as $$
    with workers as (
        select q.technician_id as id from public.repair_requests q where q.id = checked and q.technician_id is not null
        union
        select tm.technician_id from public.job_team tm where tm.request_id = checked
    ), teachers as (
        select t.id from private.active_teachers(college) t(id)
        where t.id is distinct from concerning and not exists (select 1 from workers w where w.id = t.id))
    select t.id, false from teachers t
    union all
    select p.id, true from public.profiles p
    where p.role = 'admin' and p.is_active and p.id is distinct from concerning
      and not exists (select 1 from workers w where w.id = p.id)
      and not exists (select 1 from teachers)
$$;

-- 0074's list, its colleges without a teacher and a teacher's "no other teacher left" read from the one rule.
-- Its `own_request` and `own_work` rows start from the teachers themselves: every college's, by the rule (one
-- probe of the partial index per college, as its colleges without a teacher already were).
create or replace function private.undecided_jobs()
returns table (request_id uuid, why text, holder_suspended boolean, started bigint)
language sql stable
set search_path = ''
as $$
    with empty_colleges as (
        select c.id from public.colleges c
        where not private.college_has_teacher(c.id)
    ), teachers as (
        select t.id, c.id as college_id from public.colleges c cross join lateral private.active_teachers(c.id) t(id)
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
        from teachers t
        join public.repair_requests r on r.citizen_id = t.id and r.college_id = t.college_id
        where (r.status = any(private.college_decides())
               or (r.status = any(private.reassignable())
                   and exists (select 1 from public.profiles s where s.id = r.technician_id and not s.is_active)))
          and not exists (select 1 from private.active_teachers(t.college_id) o(id) where o.id <> t.id)
        union all
        -- a check at a college whose active teachers all worked on the job (own_work_check) or asked for it, one at
        -- least having worked on it (own_request above cannot hold then): found from those teachers
        select distinct r.id, 'own_work', false
        from teachers t
        join public.repair_requests r on r.college_id = t.college_id and r.status = 'quality_check'
             and r.citizen_id is distinct from t.id
             and (r.technician_id = t.id
                  or exists (select 1 from public.job_team tm where tm.request_id = r.id and tm.technician_id = t.id))
        where not exists (select 1 from private.deciders(r.college_id, r.citizen_id, r.id) d where not d.admin)
    )
    select w.id, w.why, w.held, private.wait_started(w.id, r.status)
    from waiting w join public.repair_requests r on r.id = w.id
    order by r.updated_at, r.id
$$;
