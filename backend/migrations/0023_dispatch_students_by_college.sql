-- Dispatch reads a college's fitting students in one index range scan per skill the category needs, instead of one
-- probe into technician_skills per student of the college (~111 at national scale; issue 15). Each skill row
-- carries the college it is offered for: its student's college while they are an active technician, else null
-- (a citizen, a supervisor, a deactivated student). Triggers keep it, whatever path changes a skill or a profile.
alter table public.technician_skills add column dispatch_college_id uuid;
comment on column public.technician_skills.dispatch_college_id is
    'The college whose jobs this skill is offered for: the student''s while they are an active technician, else '
    'null. Kept by triggers (migration 0023); read by dispatch.';

create function private.skill_dispatch_college() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
    new.dispatch_college_id := (select p.college_id from public.profiles p
                                where p.id = new.technician_id and p.role = 'technician' and p.is_active);
    return new;
end
$$;
create trigger technician_skills_dispatch_college before insert or update of technician_id
    on public.technician_skills
    for each row execute function private.skill_dispatch_college();

create function private.profile_dispatch_college() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
    update public.technician_skills ts
    set dispatch_college_id = case when new.role = 'technician' and new.is_active then new.college_id end
    where ts.technician_id = new.id;
    return null;
end
$$;
create trigger profiles_dispatch_college after update of role, college_id, is_active on public.profiles
    for each row when (old.role is distinct from new.role or old.college_id is distinct from new.college_id
                       or old.is_active is distinct from new.is_active)
    execute function private.profile_dispatch_college();
revoke all on function private.skill_dispatch_college(), private.profile_dispatch_college() from public;

-- Keeping that column is no change of a skill: the audit trail (0008) records only what a person changed.
drop trigger technician_skills_audit on public.technician_skills;
create trigger technician_skills_audit after insert or delete or update of technician_id, skill_code, level
    on public.technician_skills
    for each row execute function private.audit_skills();

update public.technician_skills ts set dispatch_college_id = p.college_id
from public.profiles p where p.id = ts.technician_id and p.role = 'technician' and p.is_active;

-- A college's students holding a skill at a level or above: one range scan, index-only (the student is included).
create index technician_skills_dispatch on public.technician_skills (dispatch_college_id, skill_code, level)
    include (technician_id) where dispatch_college_id is not null;

-- The colleges in range (0020's latitude band): with the longitude, radius and id in the index, the band is read
-- from the index alone instead of visiting a heap page per college of the band.
create index colleges_active_band on public.colleges (lat, lon) include (service_radius_km, id) where is_active;
drop index public.colleges_active_lat;
