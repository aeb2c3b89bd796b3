-- The audit trail: who changed a person's role or college, a college, a job's status or assignment — when, and
-- from which address. Written by the database itself (triggers), so no code path, CLI or SQL editor can change
-- these without a trace. Who comes from the JWT claims (auth.uid()) and `fixit.actor`; where from
-- `fixit.client_ip`, both set by the backend for the transaction (empty: a database operator or the system).
-- Only ids and the changed fields are kept: no names, phones or addresses.

create table public.audit_events (
    id bigint generated always as identity primary key,
    at timestamptz not null default now(),
    actor_id uuid,  -- no FK: the trail outlives a deleted account
    actor text not null,  -- citizen | technician | supervisor | admin | system | operator
    client_ip inet,
    action text not null,  -- e.g. profile.role, college.update, request.status, request.assignment
    target_table text not null,
    target_id uuid,
    before jsonb,
    after jsonb
);
create index audit_events_at on public.audit_events (at desc);
create index audit_events_target on public.audit_events (target_id, at desc);

alter table public.audit_events enable row level security;
grant select on public.audit_events to authenticated;
grant all on public.audit_events to service_role;
create policy audit_events_admin_read on public.audit_events for select to authenticated
    using ((select private.my_role()) = 'admin');

create function private.audit(action text, target_table text, target_id uuid, before jsonb, after jsonb)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
    ip text := nullif(current_setting('fixit.client_ip', true), '');
begin
    insert into public.audit_events (actor_id, actor, client_ip, action, target_table, target_id, before, after)
    values (
        auth.uid(),
        coalesce(nullif(current_setting('fixit.actor', true), ''),
                 case when auth.uid() is null then 'operator' else 'user' end),
        case when ip ~ '^[0-9a-fA-F:.]+$' then ip::inet end,
        action, target_table, target_id, before, after
    );
end
$$;
revoke all on function private.audit(text, text, uuid, jsonb, jsonb) from public;

create function private.audit_profiles() returns trigger
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
    return new;
end
$$;
create trigger profiles_audit after update of role, college_id, is_active on public.profiles
    for each row execute function private.audit_profiles();

create function private.audit_colleges() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
    if tg_op = 'INSERT' then
        perform private.audit('college.insert', 'colleges', new.id, null,
                              to_jsonb(new) - 'created_at' - 'updated_at');
    elsif tg_op = 'UPDATE' then
        if (to_jsonb(old) - 'updated_at') is distinct from (to_jsonb(new) - 'updated_at') then
            perform private.audit('college.update', 'colleges', new.id,
                                  to_jsonb(old) - 'created_at' - 'updated_at',
                                  to_jsonb(new) - 'created_at' - 'updated_at');
        end if;
    else
        perform private.audit('college.delete', 'colleges', old.id, to_jsonb(old) - 'created_at' - 'updated_at',
                              null);
        return old;
    end if;
    return new;
end
$$;
create trigger colleges_audit after insert or update or delete on public.colleges
    for each row execute function private.audit_colleges();

create function private.audit_requests() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
    if new.status is distinct from old.status then
        perform private.audit('request.status', 'repair_requests', new.id,
                              jsonb_build_object('status', old.status), jsonb_build_object('status', new.status));
    end if;
    if new.technician_id is distinct from old.technician_id or new.college_id is distinct from old.college_id then
        perform private.audit('request.assignment', 'repair_requests', new.id,
                              jsonb_build_object('technician_id', old.technician_id, 'college_id', old.college_id),
                              jsonb_build_object('technician_id', new.technician_id, 'college_id', new.college_id));
    end if;
    return new;
end
$$;
create trigger repair_requests_audit after update of status, technician_id, college_id on public.repair_requests
    for each row execute function private.audit_requests();

create function private.audit_skills() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
    if tg_op = 'DELETE' then
        perform private.audit('skill.remove', 'technician_skills', old.technician_id,
                              jsonb_build_object('skill', old.skill_code, 'level', old.level), null);
        return old;
    end if;
    perform private.audit(case when tg_op = 'INSERT' then 'skill.add' else 'skill.level' end, 'technician_skills',
                          new.technician_id,
                          case when tg_op = 'UPDATE' then jsonb_build_object('skill', old.skill_code,
                                                                             'level', old.level) end,
                          jsonb_build_object('skill', new.skill_code, 'level', new.level));
    return new;
end
$$;
create trigger technician_skills_audit after insert or update or delete on public.technician_skills
    for each row execute function private.audit_skills();
