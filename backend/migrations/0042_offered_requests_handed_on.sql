-- Offers nobody can answer any more are handed on (audit 12).
--
-- An account's deletion takes the person's offers with it (offers.technician_id on delete cascade), whichever path
-- deletes it (DELETE /me, the operator's delete-person, Supabase's dashboard): a request offered to that student
-- alone stays `offered` with no offer waiting, and the SLA clock, which finds its work through pending offers, never
-- sees it again. The tick now also looks for `offered` requests without a pending offer
-- (dispatch.hand_on_unanswerable); this index keeps that look to the requests offered right now.
create index repair_requests_offered on public.repair_requests (updated_at) where status = 'offered';

-- Closing a college ends the offers its students still hold (staff.end_college_offers): read by college here, the
-- few waiting ones, rather than every offer ever made.
create index offers_college_pending on public.offers (college_id) where status = 'pending';
