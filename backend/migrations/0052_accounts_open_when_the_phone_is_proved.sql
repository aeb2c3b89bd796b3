-- Supabase Auth's boundary and the API roles' grants (review 14a).
--
-- 1. The sequences made before 0014 kept Supabase's default grants: anon and authenticated could nextval/setval
--    status_events_id_seq and audit_events_id_seq (setval onto an old id would make every audited write fail).
--    Identity columns need no grant on their sequence to insert.
-- 2. The profile's name is no longer taken from the user metadata (`data` of GoTrue's /otp or /signup: whatever
--    the person signing up sent, never checked by the app's rule, shared/display_names.py). Nothing in Fixit
--    sends it; the person names themselves in the app (PATCH /me), a staff invitation brings the name its college
--    gave (checked by the staff routes), the seed writes its names itself.

-- 1. No API role moves a sequence; what later migrations create stays ungranted (0014's default privileges, said
-- again here so this file states the whole rule).
revoke all on all sequences in schema public from anon, authenticated;
alter default privileges in schema public revoke all on sequences from anon, authenticated;

-- 2. The trigger of 0039 as it was, but the profile starts without a name.
create or replace function private.create_profile_for_new_user() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    e164 text := case when new.phone is null or new.phone = '' then null
                      when new.phone like '+%' then new.phone
                      else '+' || new.phone end;
    invite private.staff_invites%rowtype;
    actor text;
begin
    if e164 !~ '^\+66[0-9]{8,9}$' then
        e164 := null;  -- a foreign number still signs in; it is just not kept as a Thai contact number
    end if;
    insert into public.profiles (id, phone) values (new.id, e164)
    on conflict (id) do nothing;
    select * into invite from private.staff_invites where phone = e164 for update;
    if not found then
        return new;
    end if;
    actor := current_setting('fixit.actor', true);
    perform set_config('fixit.actor', 'system', true);
    if invite.expires_at > now() then
        update public.profiles set role = invite.role, college_id = invite.college_id,
                                   display_name = coalesce(nullif(invite.display_name, ''), display_name)
        where id = new.id;
        insert into public.technician_skills (technician_id, skill_code, level)
        select new.id, s.key, s.value::smallint from jsonb_each_text(invite.skills) as s
        on conflict (technician_id, skill_code) do update set level = excluded.level;
    end if;
    perform private.audit(case when invite.expires_at > now() then 'staff.invite_accept' else 'staff.invite_lapse' end,
                          'profiles', new.id, null,
                          jsonb_build_object('role', invite.role, 'college_id', invite.college_id,
                                             'invite_id', invite.id, 'at_sign_in', true));
    perform set_config('fixit.actor', coalesce(actor, ''), true);
    delete from private.staff_invites where phone = e164;
    return new;
end
$$;
