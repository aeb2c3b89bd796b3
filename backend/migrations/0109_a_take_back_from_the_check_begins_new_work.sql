-- review25 F2: an admin's take back from the check (0108 part 4, shared.statuses QC -> offered) hands the job to
-- another student as a take back from a student's hands does, but `private.work_began` (0092/0102) counted as a
-- change of hands only a move to `offered` from `private.reassignable()` (accepted, diagnosing, repairing). So the
-- former student's after photos and report stayed "this work's": the next student passed honest QC
-- (backend/routes/work.py `_require_complete_record`) on evidence they never made, and the detail told them nothing
-- was missing. A move to `offered` from the check now begins new work too. `private.reassignable()` keeps its
-- meaning (the jobs a teacher may reassign, kept equal to shared.statuses.REASSIGNABLE by a test).
create or replace function private.work_began(request_id uuid) returns table (event bigint)
language sql stable
as $$
    select max(e.id) from public.status_events e
    where e.request_id = work_began.request_id
      and ((e.from_status = 'handed_back' and e.to_status = 'submitted')
           or (e.to_status = 'offered' and (e.from_status = any(private.reassignable())
                                            or e.from_status = 'quality_check'))
           or e.changed_hands)
$$;
