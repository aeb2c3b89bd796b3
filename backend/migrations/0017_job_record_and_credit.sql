-- Issue 14: the job record (outcome, parts with the owner's approval, handover confirmed by the owner, a teacher
-- named present at high-risk steps) and the student's credit (team members with their own hours, approved by the
-- teacher; skill level history and progression proposals; portfolio verification codes). The rules are in
-- shared/credit.py; the constraints here make the important ones hold even for a path that forgets them.
-- Grants follow 0014: nothing for anon/authenticated unless written here; RLS on every table.

-- Outcome and reason, with the fault found ------------------------------------------------------------------------
create table public.job_outcomes (
    request_id uuid primary key references public.repair_requests (id) on delete cascade,
    outcome text not null check (outcome in ('fixed', 'repaired_partly', 'unrepairable', 'not_repaired')),
    reason text check (reason ~ '^[a-z][a-z_]{1,39}$'),
    fault_found text not null default '' check (length(fault_found) <= 500),
    recorded_by uuid references public.profiles (id) on delete set null,
    recorded_at timestamptz not null default now(),
    constraint not_repaired_says_why check (outcome in ('fixed', 'repaired_partly') or reason is not null)
);

-- Parts: proposed by the student, approved or declined by the owner (or a phone approval noted as such) -------------
create table public.job_parts (
    id uuid primary key default gen_random_uuid(),
    request_id uuid not null references public.repair_requests (id) on delete cascade,
    name text not null check (length(name) between 1 and 120),
    qty integer not null check (qty between 1 and 100),
    price_baht numeric(10, 2) not null check (price_baht >= 0 and price_baht <= 100000),
    status text not null default 'proposed' check (status in ('proposed', 'approved', 'declined')),
    approval text check (approval in ('owner_app', 'phone')),
    approval_note text not null default '' check (length(approval_note) <= 300),
    proposed_by uuid references public.profiles (id) on delete set null,
    decided_by uuid references public.profiles (id) on delete set null,
    proposed_at timestamptz not null default now(),
    decided_at timestamptz,
    -- Approved means approved by someone, one way or the other; a phone approval says who and when.
    constraint approval_recorded check ((status = 'approved') = (approval is not null)),
    constraint phone_approval_noted check (approval is distinct from 'phone' or length(btrim(approval_note)) >= 5),
    constraint decided_when check ((status = 'proposed') = (decided_at is null))
);
create index job_parts_request on public.job_parts (request_id, proposed_at);

-- Handover: the owner confirmed receipt (in the app or by the code their app shows), or the teacher said why not ---
create table public.job_handovers (
    request_id uuid primary key references public.repair_requests (id) on delete cascade,
    method text not null check (method in ('owner_app', 'owner_code', 'teacher_reason')),
    reason text not null default '' check (length(reason) <= 1000),
    confirmed_by uuid references public.profiles (id) on delete set null,
    confirmed_at timestamptz not null default now(),
    constraint teacher_says_why check (method <> 'teacher_reason' or length(btrim(reason)) >= 5)
);
-- The one-time code the owner's app shows; only its hash is kept, and only the backend's owner role reads it.
create table private.handover_codes (
    request_id uuid primary key references public.repair_requests (id) on delete cascade,
    code_hash text not null,
    attempts smallint not null default 0,
    created_at timestamptz not null default now()
);

-- A teacher named present at a high-risk work step, stored with the step's timeline event.
alter table public.status_events add column teacher_present_id uuid references public.profiles (id) on delete set null;

-- Team members: the lead (the student on the job) and helpers of the same college, each with hours and role ----------
create table public.job_team (
    request_id uuid not null references public.repair_requests (id) on delete cascade,
    technician_id uuid not null references public.profiles (id) on delete cascade,
    role text not null check (role in ('lead', 'helper')),
    task text not null default '' check (length(task) <= 200),
    hours numeric(6, 2) check (hours >= 0 and hours <= 200),
    -- Set by the teacher's approval only: nothing is credited before.
    approved_hours numeric(6, 2) check (approved_hours > 0 and approved_hours <= 200),
    approved_by uuid references public.profiles (id) on delete set null,
    approved_at timestamptz,
    -- What the job counts for in the member's skill progression, fixed at approval.
    skill_code text references public.skills (code) on delete set null,
    skill_level smallint check (skill_level between 1 and 5),
    added_at timestamptz not null default now(),
    primary key (request_id, technician_id),
    constraint approval_complete check ((approved_hours is null) = (approved_at is null))
);
create unique index job_team_one_lead on public.job_team (request_id) where role = 'lead';
create index job_team_technician on public.job_team (technician_id, approved_at);

-- Skill levels: every change kept; proposals for the next level after N approved jobs ------------------------------
create table public.skill_level_history (
    id bigint generated always as identity primary key,
    technician_id uuid not null references public.profiles (id) on delete cascade,
    skill_code text not null references public.skills (code) on delete cascade,
    level smallint check (level between 1 and 5),  -- null: the skill was removed
    changed_by uuid,
    changed_at timestamptz not null default now()
);
create index skill_level_history_person on public.skill_level_history (technician_id, skill_code, id);

create table public.skill_proposals (
    id uuid primary key default gen_random_uuid(),
    technician_id uuid not null references public.profiles (id) on delete cascade,
    skill_code text not null references public.skills (code) on delete cascade,
    from_level smallint not null check (from_level between 1 and 4),
    to_level smallint not null check (to_level = from_level + 1),
    jobs smallint not null check (jobs >= 1),
    status text not null default 'proposed' check (status in ('proposed', 'confirmed', 'declined')),
    decided_by uuid references public.profiles (id) on delete set null,
    decided_at timestamptz,
    created_at timestamptz not null default now()
);
-- One proposal per student, skill and level: a declined one is not proposed again at the same level.
create unique index skill_proposals_once on public.skill_proposals (technician_id, skill_code, from_level);

-- Per college: jobs per level before a proposal, hours target per term (null: shared/credit.py defaults).
create table public.college_credit_settings (
    college_id uuid primary key references public.colleges (id) on delete cascade,
    progression_jobs smallint check (progression_jobs between 1 and 50),
    hours_target numeric(6, 1) check (hours_target > 0 and hours_target <= 2000),
    updated_at timestamptz not null default now()
);

-- Portfolio verification codes: what was printed, without any citizen's data --------------------------------------
create table public.portfolio_codes (
    code text primary key check (code ~ '^[A-HJ-NP-Z2-9]{10}$'),
    technician_id uuid not null references public.profiles (id) on delete cascade,
    term text not null check (term ~ '^2[5-6][0-9]{2}-[12]$'),
    -- {first_name, college_th, college_en, term, jobs, hours, outcomes: {outcome: count}}
    summary jsonb not null,
    issued_at timestamptz not null default now()
);
create index portfolio_codes_person on public.portfolio_codes (technician_id, term);

-- Row level security and grants ---------------------------------------------------------------------------------
alter table public.job_outcomes enable row level security;
alter table public.job_parts enable row level security;
alter table public.job_handovers enable row level security;
alter table private.handover_codes enable row level security;
alter table public.job_team enable row level security;
alter table public.skill_level_history enable row level security;
alter table public.skill_proposals enable row level security;
alter table public.college_credit_settings enable row level security;
alter table public.portfolio_codes enable row level security;

revoke all on public.job_outcomes, public.job_parts, public.job_handovers, public.job_team,
    public.skill_level_history, public.skill_proposals, public.college_credit_settings, public.portfolio_codes
    from anon, authenticated;
revoke all on private.handover_codes from anon, authenticated, public;
grant select on public.job_outcomes, public.job_parts, public.job_handovers, public.job_team,
    public.skill_level_history, public.skill_proposals, public.college_credit_settings, public.portfolio_codes
    to authenticated;
grant all on public.job_outcomes, public.job_parts, public.job_handovers, public.job_team,
    public.skill_level_history, public.skill_proposals, public.college_credit_settings, public.portfolio_codes
    to service_role;
grant usage on all sequences in schema public to service_role;

-- The job's record: whoever may see the request (a helper reads their own team row).
create policy job_outcomes_read on public.job_outcomes for select to authenticated
    using (private.can_see_request(request_id));
create policy job_parts_read on public.job_parts for select to authenticated
    using (private.can_see_request(request_id));
create policy job_handovers_read on public.job_handovers for select to authenticated
    using (private.can_see_request(request_id));
create policy job_team_read on public.job_team for select to authenticated
    using (technician_id = (select auth.uid()) or private.can_see_request(request_id));

-- A student's levels and proposals: themselves, their college's teachers, admins (asking profiles, as 0007 does).
create policy skill_level_history_read on public.skill_level_history for select to authenticated using (
    technician_id = (select auth.uid())
    or ((select private.my_role()) = 'supervisor'
        and exists (select 1 from public.profiles p
                    where p.id = technician_id and p.college_id = (select private.my_college())))
    or (select private.my_role()) = 'admin'
);
create policy skill_proposals_read on public.skill_proposals for select to authenticated using (
    technician_id = (select auth.uid())
    or ((select private.my_role()) = 'supervisor'
        and exists (select 1 from public.profiles p
                    where p.id = technician_id and p.college_id = (select private.my_college())))
    or (select private.my_role()) = 'admin'
);
create policy college_credit_settings_read on public.college_credit_settings for select to authenticated using (
    college_id = (select private.my_college()) or (select private.my_role()) = 'admin'
);
create policy portfolio_codes_read on public.portfolio_codes for select to authenticated using (
    technician_id = (select auth.uid())
    or ((select private.my_role()) = 'supervisor'
        and exists (select 1 from public.profiles p
                    where p.id = technician_id and p.college_id = (select private.my_college())))
    or (select private.my_role()) = 'admin'
);

-- The public verify page: one code, its summary only (first name, college, term, counts), for anyone.
create function public.verify_portfolio(code text)
returns table (term text, summary jsonb, issued_at timestamptz)
language sql stable security definer
set search_path = ''
as $$
    select p.term, p.summary, p.issued_at from public.portfolio_codes p where p.code = verify_portfolio.code
$$;
revoke all on function public.verify_portfolio(text) from public, anon, authenticated;
grant execute on function public.verify_portfolio(text) to anon, authenticated, service_role;

-- Level history: written by the database on every change of a student's skills, whatever path changed them.
create function private.keep_skill_history() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
    if tg_op = 'DELETE' then
        if not exists (select 1 from public.profiles p where p.id = old.technician_id) then
            return old;  -- the person is being deleted: their history goes with them
        end if;
        insert into public.skill_level_history (technician_id, skill_code, level, changed_by)
        values (old.technician_id, old.skill_code, null, auth.uid());
        return old;
    end if;
    if tg_op = 'UPDATE' and new.level = old.level then
        return new;
    end if;
    insert into public.skill_level_history (technician_id, skill_code, level, changed_by)
    values (new.technician_id, new.skill_code, new.level, auth.uid());
    return new;
end
$$;
create trigger technician_skills_history after insert or update or delete on public.technician_skills
    for each row execute function private.keep_skill_history();
-- Today's levels as the first entry of every history.
insert into public.skill_level_history (technician_id, skill_code, level)
select technician_id, skill_code, level from public.technician_skills;

-- Audit (0008's trail): part decisions, handovers, hours approvals and level decisions, with who and from where.
create function private.audit_credit() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
    if tg_table_name = 'job_parts' then
        if new.status is distinct from old.status then
            perform private.audit('part.decision', 'job_parts', new.request_id,
                                  jsonb_build_object('part', new.id, 'status', old.status),
                                  jsonb_build_object('part', new.id, 'status', new.status,
                                                     'approval', new.approval));
        end if;
    elsif tg_table_name = 'job_handovers' then
        perform private.audit('request.handover', 'job_handovers', new.request_id, null,
                              jsonb_build_object('method', new.method));
    elsif tg_table_name = 'job_team' then
        if new.approved_hours is distinct from old.approved_hours then
            perform private.audit('credit.hours', 'job_team', new.request_id,
                                  jsonb_build_object('technician_id', old.technician_id,
                                                     'approved_hours', old.approved_hours),
                                  jsonb_build_object('technician_id', new.technician_id,
                                                     'approved_hours', new.approved_hours));
        end if;
    elsif tg_table_name = 'skill_proposals' then
        if new.status is distinct from old.status then
            perform private.audit('skill.proposal', 'skill_proposals', new.technician_id,
                                  jsonb_build_object('skill', old.skill_code, 'status', old.status),
                                  jsonb_build_object('skill', new.skill_code, 'status', new.status,
                                                     'to_level', new.to_level));
        end if;
    end if;
    return new;
end
$$;
create trigger job_parts_audit after update of status on public.job_parts
    for each row execute function private.audit_credit();
create trigger job_handovers_audit after insert or update on public.job_handovers
    for each row execute function private.audit_credit();
create trigger job_team_audit after update of approved_hours on public.job_team
    for each row execute function private.audit_credit();
create trigger skill_proposals_audit after update of status on public.skill_proposals
    for each row execute function private.audit_credit();
revoke all on function private.audit_credit(), private.keep_skill_history() from public;

-- The owner hears of a part waiting for their approval (0016's outbox, in the same transaction as the proposal).
create function private.notify_part_proposed() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
    r record;
begin
    select q.citizen_id, q.item into r from public.repair_requests q where q.id = new.request_id;
    perform private.notify(r.citizen_id, 'part_proposed', jsonb_build_object(
        'item', r.item, 'part', new.name, 'price', trim(to_char(new.qty * new.price_baht, 'FM999999990.00'))),
        new.request_id);
    return new;
end
$$;
create trigger job_parts_notify after insert on public.job_parts
    for each row execute function private.notify_part_proposed();
revoke all on function private.notify_part_proposed() from public;

-- The teacher named present at a step is on the timeline like its actor: whoever may see the request may read their
-- first name (0007's rule, plus this one clause).
create or replace function private.first_name(person uuid) returns text
language sql stable security definer
set search_path = ''
as $$
    select nullif(split_part(p.display_name, ' ', 1), '')
    from public.profiles p
    where p.id = person
      and (auth.uid() is null
           or person = auth.uid()
           or private.my_role() = 'admin'
           or (private.my_role() = 'supervisor' and p.college_id = private.my_college())
           or exists (select 1 from public.repair_requests r
                      where r.technician_id = person and private.can_see_request(r.id))
           or exists (select 1 from public.status_events e
                      where (e.actor_id = person or e.teacher_present_id = person)
                        and private.can_see_request(e.request_id)))
$$;
