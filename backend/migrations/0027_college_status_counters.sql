-- The dashboard's counts by status without reading a college's whole history (issue 15: each dashboard query grows
-- no faster than what it returns). Counted from the requests themselves, the counts are an index-only scan over
-- every request the college ever had: 4 -> 12 buffers from 20,000 to 200,000 requests (bench/scale.py), and on
-- without bound as a college's years of work pile up.
--
-- Kept as running totals instead, written in two steps so that no status change ever waits on another: each change
-- appends its +1 / -1 to college_status_deltas (an insert takes no lock another insert waits on; an UPDATE of a
-- per-college counter row would queue every change of that college behind the one before, and two transactions
-- moving jobs in opposite directions would deadlock on two counter rows). The dispatch tick folds the deltas into
-- college_status_counts (private.fold_college_status_deltas). A read adds both, so it is exact at every moment,
-- folded or not: folding only keeps the deltas few.

create table private.college_status_counts (
    college_id uuid not null references public.colleges (id) on delete cascade,
    status public.request_status not null,
    n bigint not null,
    primary key (college_id, status)
);

create table private.college_status_deltas (
    id bigint generated always as identity primary key,
    college_id uuid not null,
    status public.request_status not null,
    delta integer not null
);
create index college_status_deltas_college on private.college_status_deltas (college_id) include (status, delta);

alter table private.college_status_counts enable row level security;  -- no policy: read through college_figures()
alter table private.college_status_deltas enable row level security;  -- no policy: written by triggers, as the owner
revoke all on private.college_status_counts, private.college_status_deltas from anon, authenticated, public;

-- A request counts for its college once it has one (dispatch sets it) and in its current status.
create function private.count_request_rows() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
    if tg_op = 'INSERT' then
        insert into private.college_status_deltas (college_id, status, delta)
        select n.college_id, n.status, 1 from new_rows n where n.college_id is not null;
    elsif tg_op = 'DELETE' then
        insert into private.college_status_deltas (college_id, status, delta)
        select o.college_id, o.status, -1 from old_rows o where o.college_id is not null;
    end if;
    return null;
end
$$;

create function private.count_request_move() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
    insert into private.college_status_deltas (college_id, status, delta)
    select c, s, d from (values (old.college_id, old.status, -1), (new.college_id, new.status, 1)) v (c, s, d)
    where c is not null;
    return null;
end
$$;

revoke all on function private.count_request_rows() from public, anon, authenticated;
revoke all on function private.count_request_move() from public, anon, authenticated;

create trigger repair_requests_count_insert after insert on public.repair_requests
    referencing new table as new_rows for each statement execute function private.count_request_rows();
create trigger repair_requests_count_delete after delete on public.repair_requests
    referencing old table as old_rows for each statement execute function private.count_request_rows();
-- TRUNCATE fires no row or statement trigger of its own kind above: emptied requests leave no count behind.
create function private.count_requests_truncated() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
    delete from private.college_status_deltas;
    delete from private.college_status_counts;
    return null;
end
$$;
revoke all on function private.count_requests_truncated() from public, anon, authenticated;
create trigger repair_requests_count_truncate after truncate on public.repair_requests
    for each statement execute function private.count_requests_truncated();
-- Per row with a WHEN: most updates of a request change neither (notes, photos, times), and then nothing runs.
create trigger repair_requests_count_move after update of status, college_id on public.repair_requests
    for each row when (old.status is distinct from new.status or old.college_id is distinct from new.college_id)
    execute function private.count_request_move();

-- Folds every delta into the totals. In ascending key order, so two folds at once (two backend copies' ticks) take
-- the counter rows' locks in the same order and one waits for the other instead of deadlocking.
create function private.fold_college_status_deltas() returns integer
language sql security definer
set search_path = ''
as $$
    with moved as (delete from private.college_status_deltas returning college_id, status, delta),
    folded as (
        insert into private.college_status_counts as c (college_id, status, n)
        select m.college_id, m.status, sum(m.delta) from moved m
        where exists (select 1 from public.colleges col where col.id = m.college_id)  -- a college deleted since
        group by m.college_id, m.status
        order by m.college_id, m.status
        on conflict (college_id, status) do update set n = c.n + excluded.n
        returning 1
    )
    select count(*)::int from folded
$$;
revoke all on function private.fold_college_status_deltas() from public, anon, authenticated;

-- What the requests say now (this migration's transaction sees them all; the triggers count from here on).
insert into private.college_status_counts (college_id, status, n)
select r.college_id, r.status, count(*) from public.repair_requests r
where r.college_id is not null
group by r.college_id, r.status;

-- A college's requests by status: its totals plus the changes not folded in yet. Ungated: only the two gated
-- functions below call it (as their owner), so the dashboard checks who is asking once, not once per piece.
create function private.college_status_totals(college uuid)
returns jsonb
language sql stable
set search_path = ''
as $$
    select coalesce(jsonb_object_agg(c.status, c.n), '{}'::jsonb)
    from (select x.status, sum(x.n)::int as n
          from (select t.status, t.n from private.college_status_counts t where t.college_id = college
                union all
                select d.status, d.delta from private.college_status_deltas d where d.college_id = college) x
          group by x.status
          having sum(x.n) <> 0) c
$$;
revoke all on function private.college_status_totals(uuid) from public, anon, authenticated;

-- The same, for whom the read policy lets see the whole college (its supervisors, admins); null for anyone else:
-- the teacher's job list's chips and the college queue (they counted the college's whole history under RLS, a
-- heap fetch per request).
create function public.college_status_counts(college uuid)
returns jsonb
language sql stable security definer
set search_path = ''
as $$
    select private.college_status_totals(college) where (select private.sees_whole_college(college))
$$;
revoke all on function public.college_status_counts(uuid) from public, anon;
grant execute on function public.college_status_counts(uuid) to authenticated, service_role;

-- The figures' counts now come from the totals, and they no longer hand over the quality-check queue's ids (0026
-- reads the queue itself; the ids cost a heap page per waiting job).
drop function public.college_figures(uuid, timestamptz);
create function public.college_figures(college uuid, since timestamptz)
returns table (counts jsonb, weekly jsonb)
language sql stable security definer
set search_path = ''
as $$
    select
      private.college_status_totals(college),
      (select coalesce(jsonb_agg(w order by w.week_start, w.category_code), '[]'::jsonb)
       from (select date_trunc('week', r.created_at)::date as week_start, r.category_code, count(*)::int as n
             from public.repair_requests r
             where r.college_id = college and r.created_at >= since
             group by 1, 2) w)
    where (select private.sees_whole_college(college))
$$;
revoke all on function public.college_figures(uuid, timestamptz) from public, anon;
grant execute on function public.college_figures(uuid, timestamptz) to authenticated, service_role;
