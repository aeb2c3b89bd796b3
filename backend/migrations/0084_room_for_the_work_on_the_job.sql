-- review18a: a record full of earlier work's after photos left the student now on the job no room for theirs.
--
-- 0075 let each student's work on a job add its after photos beside the earlier work's, never over them, at indices
-- 0..24 (shared.photos.AFTER_PHOTO_SLOTS, five sets). Once five earlier works (a job reopened, taken back or
-- reassigned back and forth) filled them, the student on the job could add none (409 photo_earlier_work at 0-24,
-- 400 beyond) and so never pass the teacher's check: a dead end. The record now grows past the 25 when earlier work
-- leaves fewer than a full set free (shared.photos.after_photo_span: 25, or the earlier work's photos plus five),
-- and no earlier photo is ever given up for the new work (each is its work's evidence: the timeline, the teacher's
-- approval of the round's hours, its student's portfolio). Which index the student on the job may write is the
-- backend's rule under the request's lock (backend/services/photo_intake.py require_own_work_slot, with
-- shared.photos.after_slot_refusal); the column only keeps an index within its type (shared.photos
-- AFTER_PHOTO_INDEX_MAX). Before photos (the citizen's) keep their five (request_photos_before_idx_check, 0075).
alter table public.request_photos drop constraint request_photos_idx_check,
    add constraint request_photos_idx_check check (idx between 0 and 32767);
