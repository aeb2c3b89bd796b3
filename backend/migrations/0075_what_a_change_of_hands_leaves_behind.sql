-- What a change of hands leaves behind, and a part proposed by mistake (known18be).
--
-- * A part a student proposed by mistake may be withdrawn while it still waits for the citizen's answer, by that
--   student (while the job is theirs) or the job's teacher (backend credit.withdraw_part, POST
--   /requests/{id}/parts/{part_id}/withdraw); the citizen is told (`part_withdrawn`). Such a part is `withdrawn` as
--   a part of a job that ended or changed hands is (0044, 0073), and says which: `withdrawn_by_hand`, so the record
--   reads "withdrawn (proposed by mistake)" rather than "the job could not be repaired". A column of its own, as
--   `decided_by` (who withdrew it) is not readable through the Data API (0061): this one is granted.
alter table public.job_parts add column withdrawn_by_hand boolean not null default false;
grant select (withdrawn_by_hand) on public.job_parts to authenticated;

-- * After photos go beside the earlier work's, never over them (shared.photos.AFTER_PHOTO_SLOTS, backend
--   photo_intake.require_own_work_slot). The key stays (request, kind, idx): a photo's one address, which every
--   reader (the detail, GET /requests/{id}/photos/{kind}/{idx}, the portfolio, the app's thumbnails) uses as it
--   did. What changes is who may write an index: the student on the job writes only indices free or holding their
--   own work's photos (taken since the work began: credit.WORK_BEGAN_SQL, the one rule the teacher's check and the
--   detail use: a take back, a reassign or a reopen starts new work), at most five of them. An after photo's index
--   so runs past the five of one student's set: each student's work on a job has room beside the earlier work's.
--   Before photos (the citizen's) keep their five.
alter table public.request_photos drop constraint request_photos_idx_check,
    add constraint request_photos_idx_check check (idx between 0 and 24),
    add constraint request_photos_before_idx_check check (kind = 'after' or idx <= 4);
