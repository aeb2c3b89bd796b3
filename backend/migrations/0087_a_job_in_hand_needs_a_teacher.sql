-- stranded19: a high-risk job already in a student's hands (accepted, diagnosing, repairing) when its college's last
-- teacher leaves (a role change, a suspension, a move, a deletion: by any path). Its next hands-on steps need a
-- teacher of the college named present (shared.credit.needs_teacher_present), so its student cannot go on, and
-- nothing moved it or told anyone.
--
-- `private.college_has_teacher(college)`: whether the college has an active teacher now, readable by anyone signed in
-- (a student's job screen asks it of the college of a job it shows: `teacher_needed` on GET /requests/{id},
-- backend/services/request_detail.py) without reading the teachers' profiles themselves (their RLS shows a student
-- only what it shows). One probe of 0071's partial index profiles_college_active_supervisors. Locks nothing: a
-- screen's answer, not a check a write relies on (the step's own check, under the request's lock, is
-- backend/services/transitions.py `_record_facts`).
--
-- Who is told, and once (backend/notifications/outbox.py `notify_stranded`, the clock's): the college's deciders
-- (0071 `private.deciders`: its active teachers, else the admins) that the job needs a teacher or another college,
-- and its student why their next step is blocked; each message's dedupe key names the status event that began the
-- job's present step and its reader, as the reminders' do (0071, 0076).
create function private.college_has_teacher(college uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
    select exists (select 1 from public.profiles p
                   where p.college_id = college and p.role = 'supervisor' and p.is_active)
$$;
revoke all on function private.college_has_teacher(uuid) from public, anon, authenticated;
grant execute on function private.college_has_teacher(uuid) to authenticated, service_role;
