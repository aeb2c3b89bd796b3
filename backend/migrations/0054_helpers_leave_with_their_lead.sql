-- Review 14: a helper reads the job they help on while its lead holds it.
--
-- A job the teacher took from its lead (taken back to offer again, or given to another student) went from the lead
-- only: 0048 marks the former lead's team row handed off (`handed_on_at`), but the helpers the lead had brought kept
-- theirs as they were, so they still read the job (0050's `private.helps_on`), the citizen's phone and address
-- included, while it was out on offer with no lead or in another student's hands, and still held it
-- (`private.jobs_in_hand`). The backend now hands them off with their lead (backend/services/credit.py
-- keep_former_student): each keeps their row and reported hours for the teacher to credit, reads the job no more,
-- and is on it again only when the next lead (or the teacher) adds them anew.
--
-- The helpers left on a job taken back that has no lead now (its current round, none of its hours approved) are
-- handed off here, as of the take back. (A job given straight to another student cannot be told apart from a team
-- the new lead chose afterwards: those rows are left as they are.)
update public.job_team t
set handed_on_at = back.at
from public.repair_requests r,
     lateral (select max(e.created_at) as at from public.status_events e
              where e.request_id = r.id and e.from_status = 'accepted' and e.to_status = 'offered') back
where r.id = t.request_id and r.technician_id is null and back.at is not null
  and t.role = 'helper' and t.handed_on_at is null and t.approved_at is null
  and t.round = (select 1 + count(*)::int from public.status_events e
                 where e.request_id = t.request_id and e.from_status = 'handed_back' and e.to_status = 'submitted')
  and back.at > coalesce((select max(e.created_at) from public.status_events e
                          where e.request_id = t.request_id and e.from_status = 'handed_back'
                            and e.to_status = 'submitted'), '-infinity');
