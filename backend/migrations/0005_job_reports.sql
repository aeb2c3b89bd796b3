-- What the student reports about a job: hours worked, parts used with their cost, notes. It is the evidence behind
-- the training-hours ledger a supervisor exports for the student's credit bank record.

create table public.job_reports (
    request_id uuid primary key references public.repair_requests (id) on delete cascade,
    technician_id uuid not null references public.profiles (id),
    hours numeric(6, 2) not null check (hours >= 0 and hours <= 200),
    notes text not null default '' check (length(notes) <= 2000),
    -- [{"name": text, "qty": int, "cost_baht": number}], checked by the backend (shared/work.py)
    parts jsonb not null default '[]'::jsonb check (jsonb_typeof(parts) = 'array'),
    updated_at timestamptz not null default now()
);
create index job_reports_technician on public.job_reports (technician_id);
create trigger job_reports_touch before update on public.job_reports
    for each row execute function private.touch_updated_at();

alter table public.job_reports enable row level security;
revoke all on public.job_reports from anon, authenticated;
grant select on public.job_reports to authenticated;
grant all on public.job_reports to service_role;
create policy job_reports_read on public.job_reports for select to authenticated
    using (private.can_see_request(request_id));
