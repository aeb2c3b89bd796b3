-- Invitations and Supabase Auth's phone changes (review 14, on 0052).
--
-- 1. An invitation addressed to an account (`profile_id`: it waits for that account's answer in the app, 0031) is
--    that account's, not the number's. 0052's open_phone_account found invitations by phone only: once the account
--    moved to another number (PUT /auth/v1/user), whoever signed up with its old number next took the invitation
--    (staff of the college, or an admin). A sign-up now applies only an invitation waiting for the number
--    (`profile_id is null`, sent when no account held it); one addressed to an account stays for that account.
-- Lock order (backend/services/dispatch.py): the profile, then the invitation, then the notifications.

-- As 0052, but only an invitation waiting for the number.
create or replace function private.open_phone_account(user_id uuid, auth_phone text) returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
    e164 text := private.thai_e164(auth_phone);
    invite private.staff_invites%rowtype;
    actor text;
begin
    if e164 is not null then
        perform private.release_phone(e164, user_id);
    end if;
    insert into public.profiles (id, phone) values (user_id, e164)
    on conflict (id) do update set phone = excluded.phone where public.profiles.phone is distinct from excluded.phone;
    select * into invite from private.staff_invites where phone = e164 and profile_id is null for update;
    if not found then
        return;
    end if;
    actor := current_setting('fixit.actor', true);
    perform set_config('fixit.actor', 'system', true);
    if invite.expires_at > now() then
        update public.profiles set role = invite.role, college_id = invite.college_id,
                                   display_name = coalesce(nullif(invite.display_name, ''), display_name)
        where id = user_id;
        insert into public.technician_skills (technician_id, skill_code, level)
        select user_id, s.key, s.value::smallint from jsonb_each_text(invite.skills) as s
        on conflict (technician_id, skill_code) do update set level = excluded.level;
    end if;
    perform private.audit(case when invite.expires_at > now() then 'staff.invite_accept' else 'staff.invite_lapse' end,
                          'profiles', user_id, null,
                          jsonb_build_object('role', invite.role, 'college_id', invite.college_id,
                                             'invite_id', invite.id, 'at_sign_in', true));
    perform set_config('fixit.actor', coalesce(actor, ''), true);
    delete from private.staff_invites where id = invite.id;
end
$$;
revoke all on function private.open_phone_account(uuid, text) from public, anon, authenticated;
