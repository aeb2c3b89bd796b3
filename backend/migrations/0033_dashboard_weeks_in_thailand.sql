-- The teacher's weekly chart put a request in the week of the database session's TimeZone (`date_trunc` on a
-- timestamptz): the app's connections run in UTC, so from Monday 00:00 in Bangkok until Monday 00:00 UTC (seven
-- hours every week) a new request counted in the week before. Colleges work in Thai time: the week is Bangkok's,
-- whatever the session says (the same function otherwise as 0027; the index-only scan reads the same columns).
create or replace function public.college_figures(college uuid, since timestamptz)
returns table (counts jsonb, weekly jsonb)
language sql stable security definer
set search_path = ''
as $$
    select
      private.college_status_totals(college),
      (select coalesce(jsonb_agg(w order by w.week_start, w.category_code), '[]'::jsonb)
       from (select date_trunc('week', r.created_at at time zone 'Asia/Bangkok')::date as week_start,
                    r.category_code, count(*)::int as n
             from public.repair_requests r
             where r.college_id = college and r.created_at >= since
             group by 1, 2) w)
    where (select private.sees_whole_college(college))
$$;
