-- A student who had an offer of a job, and opens it once the offer is no longer theirs, is told why (team15).
--
-- A student offered a job (push, inbox) who did not open it at once, while another student took it, then opened it:
-- GET /requests/{id} answered 404 "not found", as for an id that never existed, since row-level security no longer
-- shows them the request. The backend now asks this function when the request was not found for a caller
-- (backend/services/request_detail.py), and answers 410 with its code (shared.statuses.OfferGone, the job screen's
-- words): `offer_taken` when another student has the job, `offer_ended` when nobody does (the offer was declined,
-- expired or withdrawn: taken back, cancelled by its owner, sent on to another college). Null, and the 404 stays,
-- for everyone else: only the student the offer was made to learns anything (ids cannot be probed), and only
-- whether someone holds the job, nothing of it or of its owner. Not for a student whose offer is still pending (the
-- offer card is theirs to read), who holds the job, or who is on its team in any round, handed off or not (a
-- helper's job screen says 0053's words). A former lead is told too: the offer they accepted is withdrawn when the
-- job leaves them (taken back, given to another student, reopened); a job screen they had open keeps 0056's words.
create function private.offer_gone(req uuid) returns text
language sql stable security definer
set search_path = ''
as $$
    select case when r.technician_id is not null then 'offer_taken' else 'offer_ended' end
    from public.offers o
    join public.repair_requests r on r.id = o.request_id
    where o.request_id = req and o.technician_id = auth.uid()
      and o.status in ('declined', 'expired', 'withdrawn')
      and r.technician_id is distinct from auth.uid()
      and not exists (select 1 from public.job_team t where t.request_id = req and t.technician_id = auth.uid())
$$;
revoke all on function private.offer_gone(uuid) from public, anon;
grant execute on function private.offer_gone(uuid) to authenticated, service_role;
