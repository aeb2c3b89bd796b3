-- audit20 #5: whose work an after photo or the work report is, stamped under the request's lock, not judged by the
-- start times of two transactions.
--
-- The work the job's record must now evidence begins with the round (a reopen) or with the job's last change of
-- hands since: a take back (a move to `offered` from a student's hands, shared.statuses.REASSIGNABLE) or a
-- reassign (a timeline event with the note `reassigned`, backend/services/dispatch.py REASSIGN_NOTE). Only the after
-- photos and the report of that work pass its check, show as the work's on the detail, and count as the holder's
-- hours (backend/services/credit.py WORK_BEGAN_SQL, ROUND_BEGAN_SQL). They were told apart by `created_at` and
-- `updated_at` against the timeline event's `created_at`: all three `now()`, the *start* of their transactions, not
-- the order in which the transactions took the request's lock. A reassign that began, then waited for a lock (the
-- lock order's step 1, the new student's profile), wrote its event dated before a photo the former student uploaded
-- and committed meanwhile: the former student's photo counted as the next student's work, who could pass the check
-- on it and replace it (destroying the former student's evidence, which 0075 says never happens).
--
-- Now each after photo and the report carry the work they belong to, `work_event`: the id of the latest "work
-- began" timeline event (`private.work_began`, the one definition; null: the first work of the first round),
-- stamped by a trigger when the photo is stored (or replaced: a new file) and whenever the report is saved. Every
-- writer holds the request's lock first (backend/services/photo_intake.py `require_work_in_progress`, the lock
-- order's request step), and every timeline event is written under it, so the stamp is the work in which the row was
-- written, whatever the transactions' start times: a photo committed before the reassign took the lock is stamped
-- with the former work, and the reassign's event, written after, begins a newer one. The events' ids (an identity)
-- are handed out under that lock too, so a later event of the same request always has a greater id: the round's own
-- rows (the hours of a report saved since the round began, an approval of the round) are told by ids, not times.
-- Not `clock_timestamp()` after the lock: the times would still be compared with times written by other paths, and
-- the tests move the application's clock (`now`) where time matters to a rule; the ids hold no time at all.
--
-- Existing rows keep their meaning: each is stamped with the latest such event dated before it (as the comparison by
-- time judged it until now). The backfill does not move a report's `updated_at` (its touch trigger is held off).
-- Lock order (backend/services/dispatch.py): the stamp reads the request's timeline under the request's lock, held by
-- the writer; it locks nothing.

-- Read by the caller's transaction too (the detail, RLS): the set is a constant.
grant execute on function private.reassignable() to authenticated, service_role;

-- As private.request_round (0057): a table function of one SQL statement, which the planner inlines in FROM.
create function private.work_began(request_id uuid) returns table (event bigint)
language sql stable
as $$
    select max(e.id) from public.status_events e
    where e.request_id = work_began.request_id
      and ((e.from_status = 'handed_back' and e.to_status = 'submitted')
           or (e.to_status = 'offered' and e.from_status = any(private.reassignable()))
           or (e.note_code = 'reassigned' and e.from_status = e.to_status))
$$;
revoke all on function private.work_began(uuid) from public, anon;
grant execute on function private.work_began(uuid) to authenticated, service_role;

alter table public.request_photos add column work_event bigint;
alter table public.job_reports add column work_event bigint;
-- The detail reads it as the caller (RLS decides the rows): an id of the request's own timeline, which they read
-- already; request_photos' columns are granted one by one (0061).
grant select (work_event) on public.request_photos to authenticated;
comment on column public.request_photos.work_event is
    'an after photo: the work it belongs to (private.work_began when it was stored; null: the first work)';
comment on column public.job_reports.work_event is
    'the work the report was last saved in (private.work_began then; null: the first work)';

update public.request_photos p set work_event = (
    select max(e.id) from public.status_events e
    where e.request_id = p.request_id and e.created_at < p.created_at
      and ((e.from_status = 'handed_back' and e.to_status = 'submitted')
           or (e.to_status = 'offered' and e.from_status = any(private.reassignable()))
           or (e.note_code = 'reassigned' and e.from_status = e.to_status)))
where p.kind = 'after';

alter table public.job_reports disable trigger job_reports_touch;
update public.job_reports j set work_event = (
    select max(e.id) from public.status_events e
    where e.request_id = j.request_id and e.created_at < j.updated_at
      and ((e.from_status = 'handed_back' and e.to_status = 'submitted')
           or (e.to_status = 'offered' and e.from_status = any(private.reassignable()))
           or (e.note_code = 'reassigned' and e.from_status = e.to_status)));
alter table public.job_reports enable trigger job_reports_touch;

create function private.stamp_the_work() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    new.work_event := (select w.event from private.work_began(new.request_id) w);
    return new;
end
$$;
revoke all on function private.stamp_the_work() from public, anon, authenticated;

-- A photo's work is where its file was taken: stored, or replaced by a new file (not another column's change).
create trigger request_photos_stamp_the_work before insert or update of storage_path on public.request_photos
    for each row when (new.kind = 'after') execute function private.stamp_the_work();
-- A report's is where it was last saved: any change of it, as its `updated_at` (job_reports_touch).
create trigger job_reports_stamp_the_work before insert or update on public.job_reports
    for each row execute function private.stamp_the_work();
