-- Issue 14: a reopened job that is repaired again is a new round of work. Its team (the lead and any helpers added
-- again) reports the new hours and the teacher approves them again; earlier rounds stay credited as approved.
-- The round of a job is 1 + the number of times its owner reopened it (handed_back -> submitted on the timeline),
-- worked out by backend/services/credit.py; this column keeps which round a member's hours belong to.
alter table public.job_team add column round smallint not null default 1 check (round between 1 and 100);
alter table public.job_team drop constraint job_team_pkey;
alter table public.job_team add primary key (request_id, round, technician_id);
drop index public.job_team_one_lead;
create unique index job_team_one_lead on public.job_team (request_id, round) where role = 'lead';
