-- gaps26 #1 (audit26's leftover): a student moved to another college kept reading the old college's offer, the
-- citizen's before photos and the timeline's moves, until it ran out. `private.holds_offer_open_at` (0110, which the
-- Data API's policies ask through `holds_open_offer_of` and the photo route asks at the app's clock) asked only the
-- offer (the caller's, pending, not run out), where the accept asks its college too (backend/services/transitions.py
-- `_FACTS`: `o.college_id = private.my_college()`): an offer the student can never accept showed what only a student
-- deciding on it may see. The app's move ends the student's offers (staff.end_open_offers), but a move outside the
-- app (the SQL editor, Supabase's dashboard) does not, and a dispatch that read the student's college just before the
-- app's move committed writes one there after it. The offer now counts only while its student is at its college (a
-- student made staff, suspended or deleted has no college by `my_college`, so none counts either).
create or replace function private.holds_offer_open_at(req uuid, at timestamptz) returns boolean
language sql stable security definer
set search_path = ''
as $$
    select exists (select 1 from public.offers o
                   where o.request_id = req and o.technician_id = auth.uid() and o.status = 'pending'
                     and o.expires_at > at and o.college_id = private.my_college())
$$;
