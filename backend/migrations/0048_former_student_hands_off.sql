-- Review 13: a student whose job the teacher gave to another (a reassign, or taken back and given again) no longer
-- holds it.
--
-- The former student stays on the round's team as a helper with the hours they reported (credit.keep_former_student,
-- session 13), so the teacher credits them. `private.jobs_in_hand` (0045) counted that team row as a job in their
-- hands: their move to another college and their account's deletion were refused ("their college's teacher
-- reassigns them first") although the teacher had just done so, until another student finished the job. A team row
-- now says when the job was taken from its member (`handed_on_at`, set by keep_former_student; cleared when they
-- are on the job again: made its lead, or added as a helper anew); such a row credits hours and holds nothing.
alter table public.job_team add column handed_on_at timestamptz;

create or replace function private.jobs_in_hand(person uuid) returns integer
language sql stable
set search_path = ''
as $$
    select count(*)::int from public.repair_requests r
    where r.status = any(private.work_in_hand())
      and r.id in (select x.id from public.repair_requests x where x.technician_id = person
                   union all
                   select t.request_id from public.job_team t
                   where t.technician_id = person and t.handed_on_at is null
                     and t.round = (select 1 + count(*)::int from public.status_events e
                                    where e.request_id = t.request_id and e.from_status = 'handed_back'
                                      and e.to_status = 'submitted'))
$$;
revoke all on function private.jobs_in_hand(uuid) from public, anon, authenticated;
