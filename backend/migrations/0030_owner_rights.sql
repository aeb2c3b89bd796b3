-- A part still waiting for the owner's answer when the job ends without a repair (found unrepairable, or cancelled)
-- is withdrawn: nobody may answer it any more, and it is not the owner's "no". The owner's answers themselves are
-- taken only while the students work on the job (backend/services/credit.py).
--
-- The owner's rights stay the owner's whatever their role: the read policies already decide by
-- `citizen_id = auth.uid()` (repair_requests_read, private.can_see_request), never by the role, so no policy
-- changes here.
alter table public.job_parts drop constraint job_parts_status_check;
alter table public.job_parts add constraint job_parts_status_check
    check (status in ('proposed', 'approved', 'declined', 'withdrawn'));
