-- The dashboard's weekly chart counts Thai weeks (Monday 00:00 in Bangkok), whatever the session's TimeZone.
-- `date_trunc('week', timestamptz)` cuts at the session's midnight: Supabase's sessions run in UTC, so a request made
-- on Monday between 00:00 and 07:00 Bangkok time was counted in the week before, and the same data drew two
-- different charts for two sessions with different TimeZones (found at Monday 00:00 in Bangkok by
-- tests/integration/test_json_reads.py, whose session runs in Bangkok). Same signature, same grants.
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
