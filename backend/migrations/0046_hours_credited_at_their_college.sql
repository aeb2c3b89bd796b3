-- Audit 13 (findings 2 and 4): approved training hours belong to the college whose teacher approved them.
--
-- The ledger (GET /supervisor/ledger, ledger.csv, ledger/{student}.pdf) counted approved hours by the request's
-- *current* college: a reopened job that moved on to another college took its approved rounds off the first
-- college's ledger. Each team row now keeps the college its round of work was done for (`college_id`): set for a
-- round's rows when its owner reopens the job (the round ends there, still waiting for the approval maybe) and when
-- its hours are approved (backend/services/credit.py). The ledgers key on it.
alter table public.job_team add column college_id uuid references public.colleges (id);

-- The rows there are: the request's college, the only college they can have been done for until now (were it ever
-- empty: the approving teacher's college, else the student's).
update public.job_team t set college_id = coalesce(
    (select r.college_id from public.repair_requests r where r.id = t.request_id),
    (select p.college_id from public.profiles p where p.id = t.approved_by),
    (select p.college_id from public.profiles p where p.id = t.technician_id))
where t.college_id is null;

-- Approved hours always name their college (what the ledgers count them by).
alter table public.job_team add constraint job_team_credited_college
    check (approved_at is null or college_id is not null);

-- The ledger's read: a college's approved rows, per student.
create index job_team_credited_at on public.job_team (college_id, technician_id) where approved_at is not null;
