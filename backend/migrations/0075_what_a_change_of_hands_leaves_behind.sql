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
