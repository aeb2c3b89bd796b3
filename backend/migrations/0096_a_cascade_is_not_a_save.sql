-- audit21 #1: a cascade is not a save. A foreign key's ON DELETE SET NULL (0012: an account's deletion keeps what
-- the person left behind, without them) is carried out by PostgreSQL as an ordinary UPDATE of the referencing rows,
-- and their row triggers fire on it. Triggers written for a person's act took the deletion for one:
--
-- - job_reports: `job_reports_stamp_the_work` (0092) fired on any update, so a former student's deletion (its
--   `set technician_id = null`) restamped their report with the work now on the job: it became the new student's
--   work, passed their check and counted as their hours. `job_reports_touch` (0005) moved `updated_at` the same way.
--   A report is saved by its student (backend/services/job_reports.py `save`: hours, notes and parts, always all
--   three); only that stamps its work ("the work it was last saved in") and moves `updated_at` ("last saved").
--   `technician_id` is written by the save too, but it is the column the cascade nulls: not in the lists.
-- - request_photos: stamped only `on update of storage_path` (0092); the cascade of `uploaded_by` leaves the stamp
--   alone (tests/integration/test_a_cascade_is_not_a_save.py holds it).
-- - job_handovers: `job_handovers_audit` (0017) fired on any update, so a deletion of the person who confirmed a
--   hand back (`confirmed_by`) wrote a second "request.handover" audit row, as if the deleting person had
--   confirmed it. It now fires on the hand back's own columns (credit.py `_record_handover` writes them all).
-- - repair_requests: a student's deletion nulls `technician_id` on their finished jobs (a job in hand refuses the
--   deletion, 0045), a citizen's nulls `citizen_id`. The cascade moved each job's `updated_at` (the lists' order
--   and cursors: the deleted student's old jobs jumped to the top of the college's and their owners' lists), wrote
--   a "request.assignment" audit row per job in the deleting person's name, and announced each as taken back from
--   its lead (0056, `lead_left`). An update that only takes a person off the request is the deletion's (every
--   person's act that clears the lead moves the status too: a take back; the citizen is never cleared otherwise):
--   `private.takes_a_person_off_only` says so, and the three triggers leave it alone. The deletion itself is in
--   the trail already (`account.delete`, 0012 forget_person); its explicit anonymisation of a citizen's requests
--   is a write of its own and still touches them.
--
-- The other row triggers fired by an UPDATE were checked against the SET NULL foreign keys to profiles (actor_id
-- and teacher_present_id of status_events, uploaded_by, recorded_by, proposed_by, decided_by, approved_by): each
-- fires on named columns the cascade does not write (job_parts_audit `of status`, job_team_audit `of
-- approved_hours`, skill_proposals_audit `of status`, job_team_announce_changed), or its table has none.

-- One definition of "this update only takes a person off the request": a lead or citizen cleared and nothing else
-- of the row changed (`updated_at` aside: the touch may have set it). Cheap first (most updates clear nobody), then
-- the row compared without those columns. SQL-standard body without SET: PostgreSQL inlines it into the WHEN.
create function private.takes_a_person_off_only(o public.repair_requests, n public.repair_requests) returns boolean
language sql stable
return ((o.technician_id is not null and n.technician_id is null)
        or (o.citizen_id is not null and n.citizen_id is null))
   and (to_jsonb(o) - array['technician_id', 'citizen_id', 'updated_at'])
       = (to_jsonb(n) - array['technician_id', 'citizen_id', 'updated_at']);
-- A trigger's WHEN runs as whoever updates the row: the service role may (0002: Supabase's dashboard, PostgREST
-- with the service key); it reveals nothing beyond the two rows it is given.
revoke all on function private.takes_a_person_off_only(public.repair_requests, public.repair_requests)
    from public, anon, authenticated;
grant execute on function private.takes_a_person_off_only(public.repair_requests, public.repair_requests)
    to service_role;

-- The report: stamped and touched when its student saves it, never by a cascade.
drop trigger job_reports_stamp_the_work on public.job_reports;
create trigger job_reports_stamp_the_work before insert or update of hours, notes, parts on public.job_reports
    for each row execute function private.stamp_the_work();
drop trigger job_reports_touch on public.job_reports;
create trigger job_reports_touch before update of hours, notes, parts on public.job_reports
    for each row execute function private.touch_updated_at();
comment on column public.job_reports.work_event is
    'the work the report was last saved in by its student (private.work_began then; null: the first work); '
    'a cascade (the student''s account deleted) is not a save';

-- A hand back is audited when it is recorded (or recorded again), not when its confirmer's account goes.
drop trigger job_handovers_audit on public.job_handovers;
create trigger job_handovers_audit after insert or update of method, reason, confirmed_at on public.job_handovers
    for each row execute function private.audit_credit();

-- The request: a deletion that takes its lead or citizen off it is not a change of the request's own.
drop trigger repair_requests_touch on public.repair_requests;
create trigger repair_requests_touch before update on public.repair_requests
    for each row when (not private.takes_a_person_off_only(old, new))
    execute function private.touch_updated_at();
drop trigger repair_requests_audit on public.repair_requests;
create trigger repair_requests_audit after update of status, technician_id, college_id on public.repair_requests
    for each row when (not private.takes_a_person_off_only(old, new))
    execute function private.audit_requests();
drop trigger repair_requests_announce_lead_left on public.repair_requests;
create constraint trigger repair_requests_announce_lead_left
    after update of technician_id on public.repair_requests
    deferrable initially deferred
    for each row when (old.technician_id is not null and old.technician_id is distinct from new.technician_id
                       and old.status <> 'handed_back' and not private.takes_a_person_off_only(old, new))
    execute function private.announce_lead_left();
