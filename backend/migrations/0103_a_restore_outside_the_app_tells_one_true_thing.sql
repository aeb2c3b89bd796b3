-- audit24: session 23's leftovers and a fresh-eyes read of its code (tests/integration/test_audit24_findings.py).
--
-- R2: a citizen switched off and back on by SQL (an operator's, Supabase's dashboard) whose parked request a student
-- can take heard two things within a minute: "no student has taken it yet, an administrator will send it on"
-- (`no_taker`, the note 0102's commit-time trigger wrote for every request still parked) and, at the clock's next
-- turn, "offered again, your account is back" (the revival, `owner_restored`). Whether anyone can take it is
-- dispatch's rule (backend/services/dispatch.py), which a trigger does not run. So the switch's commit writes
-- nothing now, and the clock resumes those requests as the operator's restore does
-- (dispatch.resume_restored_elsewhere, within a turn): offered again where a student can take it, else the
-- `no_taker` / `no_centre` note, whose trigger (0101) tells the citizen and the administrators once. A parking that
-- commits across the switch back on (audit23 B3) is one of them too, so the trigger's row locks go with it.
drop trigger profiles_restored_announce_parked on public.profiles;
drop function private.announce_parked_requests_of_the_restored();
