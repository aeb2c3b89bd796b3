-- review28b #2: 0127's holder-change trigger closed the deciders' `holder_suspended` ask as 'left' when the job's
-- holder was set to nobody with its status kept (the SQL editor, Supabase's dashboard, seed.remove_demo_accounts;
-- no app path does it: a take back changes the status too). Such a job is still in hand with no student on it, and
-- listed nowhere (`private.undecided_jobs` and the college's queue look for a suspended holder): the closed ask,
-- "the job has moved on, nothing left to do", was the last pointer to a decision that still waits. Only a job given
-- to another student ends the ask (`reassigned`); one left with nobody keeps asking until a reassign or a take back
-- (their own close, 0120/0127) ends it.
drop trigger repair_requests_close_on_a_new_holder on public.repair_requests;

create or replace function private.close_on_a_new_holder() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    perform private.close_decision_messages(array[new.id], '{holder_suspended}', 'reassigned');
    return null;
end
$$;
revoke all on function private.close_on_a_new_holder() from public, anon, authenticated;

create trigger repair_requests_close_on_a_new_holder after update of technician_id on public.repair_requests
    for each row when (new.technician_id is not null and old.technician_id is distinct from new.technician_id
                       and old.status = new.status and old.status in ('accepted', 'diagnosing', 'repairing'))
    execute function private.close_on_a_new_holder();
