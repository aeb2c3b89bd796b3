-- gaps26 #1 (audit26's leftover): a student moved to another college kept reading the old college's offer, the
-- citizen's before photos and the timeline's moves, until it ran out. `private.holds_offer_open_at` (0110, which the
-- Data API's policies ask through `holds_open_offer_of` and the photo route asks at the app's clock) asked only the
-- offer (the caller's, pending, not run out), where the accept asks its college too (backend/services/transitions.py
-- `_FACTS`: `o.college_id = private.my_college()`): an offer the student can never accept showed what only a student
-- deciding on it may see. The app's move ends the student's offers (staff.end_open_offers), but a move outside the
-- app (the SQL editor, Supabase's dashboard) does not, and a dispatch that read the student's college just before the
-- app's move committed writes one there after it. The offer now counts only while its student is at its college (a
-- student made staff, suspended or deleted has no college by `my_college`, so none counts either).
create or replace function private.holds_offer_open_at(req uuid, at timestamptz) returns boolean
language sql stable security definer
set search_path = ''
as $$
    select exists (select 1 from public.offers o
                   where o.request_id = req and o.technician_id = auth.uid() and o.status = 'pending'
                     and o.expires_at > at and o.college_id = private.my_college())
$$;

-- gaps26 #3 (audit26's observation): the job's outcome (`job_outcomes`, one a job) recorded by a former lead stayed
-- the job's after a take back or a reassign: the approval's `fixed` is written `on conflict do nothing`
-- (backend/services/credit.py `outcome_after_move`), so a job the next student repaired and the teacher approved said
-- the former's "repaired partly" and the fault they found. An outcome is a finding of the work the job's record
-- evidences, as the after photos and the report are (0092, 0109): it now carries the work it was recorded in,
-- `work_event` (`private.work_began` then, stamped by `private.stamp_the_work` under the request's lock, which every
-- writer holds), and at done (or unrepairable) an outcome of an earlier work gives way to the step's own (`fixed`, or
-- the hand back's reason), as if none had been recorded: what the next student records themselves stays theirs. The
-- former's finding is not kept elsewhere (one row a job, no history; their report, hours and photos stay with the
-- job's record as before). Existing rows are stamped with the latest work that began before they were recorded, as
-- 0092 stamped the reports.
alter table public.job_outcomes add column work_event bigint;
comment on column public.job_outcomes.work_event is
    'the work the outcome was recorded in (private.work_began then; null: the first work)';

update public.job_outcomes o set work_event = (
    select max(e.id) from public.status_events e
    where e.request_id = o.request_id and e.created_at < o.recorded_at
      and ((e.from_status = 'handed_back' and e.to_status = 'submitted')
           or (e.to_status = 'offered' and (e.from_status = any(private.reassignable())
                                            or e.from_status = 'quality_check'))
           or e.changed_hands));

-- What the outcome says, not who it names: a deletion's `recorded_by` set null (a cascade) is no new finding (0096).
create trigger job_outcomes_stamp_the_work before insert or update of outcome, reason, fault_found
    on public.job_outcomes
    for each row execute function private.stamp_the_work();
