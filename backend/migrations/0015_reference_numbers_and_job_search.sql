-- Issue #12: a short human reference number per request (FX-690001), the college's phone for the citizen, and
-- what the teacher's job list needs to search by reference, item or student.

-- Reference numbers: one sequence; existing requests numbered oldest first, new ones take the next number.
create sequence public.repair_request_ref_seq as bigint start with 690001;
alter table public.repair_requests add column ref_no bigint;
-- Numbering is not a change of the request: no updated_at touch, audit entry or live event for it.
alter table public.repair_requests disable trigger user;
update public.repair_requests r set ref_no = numbered.n
from (select id, nextval('public.repair_request_ref_seq') as n
      from (select id from public.repair_requests order by created_at, id) ordered) numbered
where numbered.id = r.id;
alter table public.repair_requests enable trigger user;
alter table public.repair_requests
    alter column ref_no set default nextval('public.repair_request_ref_seq'),
    alter column ref_no set not null;
alter sequence public.repair_request_ref_seq owned by public.repair_requests.ref_no;
-- Unique, and the index staff search by (FX-690001 → ref_no = 690001).
create unique index repair_requests_ref_no on public.repair_requests (ref_no);
grant usage on sequence public.repair_request_ref_seq to service_role;

-- The college's phone (E.164, like every phone in Fixit): the citizen sees whom to call about their request.
alter table public.colleges add column phone text check (phone ~ '^\+66[0-9]{8,9}$');

-- Searching a college's jobs by what the item is ("หม้อหุงข้าว", "fan"): substring match on a trigram index.
-- On Supabase extensions live in the `extensions` schema (the compatibility bootstrap makes it locally).
create extension if not exists pg_trgm with schema extensions;
create index repair_requests_item_trgm on public.repair_requests using gin (item extensions.gin_trgm_ops);
-- By student: the college's students by name (a college has tens of them; profiles_college finds them), then
-- their jobs on repair_requests_technician. Newest first within a college: repair_requests_college_created.
