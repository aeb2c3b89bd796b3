-- A teacher's "switch off" takes a student off the college's roster; it no longer locks the person out.
-- It used to clear profiles.is_active, which is also what makes an account usable at all (load_profile answers 403
-- profile_missing, private.my_role() is null): a student switched off could not reach their own repair requests,
-- training record, portfolio, data export or notifications. is_active now means only "the account is usable" (an
-- operator's suspension); profiles.takes_jobs means "this college's student takes its jobs now": offers, being
-- assigned, being added to a team, counting among the college's students.
alter table public.profiles add column takes_jobs boolean not null default true;
comment on column public.profiles.takes_jobs is
    'A student on their college''s roster: offered its jobs, may be assigned or added to a team. Cleared by the '
    'teacher''s switch-off; is_active (the account itself) is untouched by it.';

-- The audit trail names the system, not an operator, for the move below.
select set_config('fixit.actor', 'system', true);

-- Students switched off before this migration: their account back, off the roster. An account whose last is_active
-- change came from outside the app (the SQL editor or the CLI: the audit trail's 'operator') was suspended on
-- purpose and stays so.
update public.profiles p set is_active = true, takes_jobs = false
where p.role = 'technician' and not p.is_active
  and coalesce((select a.actor from public.audit_events a
                where a.target_id = p.id and a.action = 'profile.active'
                order by a.at desc, a.id desc limit 1), '') <> 'operator';

-- Dispatch reads a college's students by technician_skills.dispatch_college_id (0023): set only while the student
-- may take jobs, i.e. a usable account on the roster.
create or replace function private.skill_dispatch_college() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
    new.dispatch_college_id := (select p.college_id from public.profiles p
                                where p.id = new.technician_id and p.role = 'technician' and p.is_active
                                  and p.takes_jobs);
    return new;
end
$$;

create or replace function private.profile_dispatch_college() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
    update public.technician_skills ts
    set dispatch_college_id = case when new.role = 'technician' and new.is_active and new.takes_jobs
                                   then new.college_id end
    where ts.technician_id = new.id;
    return null;
end
$$;
drop trigger profiles_dispatch_college on public.profiles;
create trigger profiles_dispatch_college after update of role, college_id, is_active, takes_jobs on public.profiles
    for each row when (old.role is distinct from new.role or old.college_id is distinct from new.college_id
                       or old.is_active is distinct from new.is_active or old.takes_jobs is distinct from new.takes_jobs)
    execute function private.profile_dispatch_college();

-- A switch-off is one college's roster: a student moved to another college, or made staff, starts on it again.
create function private.profile_roster_reset() returns trigger
language plpgsql set search_path = ''
as $$
begin
    if (new.role is distinct from old.role or new.college_id is distinct from old.college_id)
       and new.takes_jobs is not distinct from old.takes_jobs then
        new.takes_jobs := true;
    end if;
    return new;
end
$$;
revoke all on function private.profile_roster_reset() from public;
create trigger profiles_roster_reset before update of role, college_id on public.profiles
    for each row execute function private.profile_roster_reset();

update public.technician_skills ts set dispatch_college_id = null
from public.profiles p where p.id = ts.technician_id and not p.takes_jobs;

-- The switch-off and back stays in the audit trail, as its own action.
create or replace function private.audit_profiles() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
    if new.role is distinct from old.role then
        perform private.audit('profile.role', 'profiles', new.id,
                              jsonb_build_object('role', old.role), jsonb_build_object('role', new.role));
    end if;
    if new.college_id is distinct from old.college_id then
        perform private.audit('profile.college', 'profiles', new.id,
                              jsonb_build_object('college_id', old.college_id),
                              jsonb_build_object('college_id', new.college_id));
    end if;
    if new.is_active is distinct from old.is_active then
        perform private.audit('profile.active', 'profiles', new.id,
                              jsonb_build_object('is_active', old.is_active),
                              jsonb_build_object('is_active', new.is_active));
    end if;
    if new.takes_jobs is distinct from old.takes_jobs then
        perform private.audit('profile.takes_jobs', 'profiles', new.id,
                              jsonb_build_object('takes_jobs', old.takes_jobs),
                              jsonb_build_object('takes_jobs', new.takes_jobs));
    end if;
    return new;
end
$$;
drop trigger profiles_audit on public.profiles;
create trigger profiles_audit after update of role, college_id, is_active, takes_jobs on public.profiles
    for each row execute function private.audit_profiles();

-- The college's students taking jobs (counts, fitting students per category): 0011's covering index, on the roster.
create index profiles_college_rostered_technicians on public.profiles (college_id) include (id)
    where role = 'technician' and is_active and takes_jobs;
drop index public.profiles_college_active_technicians;
