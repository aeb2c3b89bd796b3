-- Invitations and Supabase Auth's phone changes (review 14, on 0052).
--
-- 1. An invitation addressed to an account (`profile_id`: it waits for that account's answer in the app, 0031) is
--    that account's, not the number's. 0052's open_phone_account found invitations by phone only: once the account
--    moved to another number (PUT /auth/v1/user), whoever signed up with its old number next took the invitation
--    (staff of the college, or an admin). A sign-up now applies only an invitation waiting for the number
--    (`profile_id is null`, sent when no account held it); one addressed to an account stays for that account.
-- 2. An account that moves to a number a college invited (an invitation waiting for the number's first sign-up,
--    which cannot come while this account holds it: auth.users.phone is unique) gets it as staff._invite_account
--    gives an account one: addressed to it (same id: a withdraw of the one the college sees still reaches it),
--    answered in the app, the person told (the "invited" notification of notify_invited,
--    backend/notifications/invitations.py), traced `staff.invite_addressed`. Only a citizen account, as
--    register_staff invites (staff are changed by whoever may change them; accept refuses them); only an open one
--    (a lapsed one is dropped at a sign-up, as before); and only when the account has none of its own already
--    (`profile_id` is unique: the one it has stays, and the number's waits until it lapses or is withdrawn).
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

-- 2. The invitation waiting for the number an account moved to, addressed to that account (its profile locked
-- first, by the caller's update or here).
create function private.address_phone_invite(user_id uuid, e164 text) returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
    invite record;
    actor text;
begin
    perform 1 from public.profiles where id = user_id and role = 'citizen' for no key update;
    if not found then
        return;
    end if;
    update private.staff_invites i set profile_id = user_id
    where i.phone = e164 and i.profile_id is null and i.declined_at is null and i.expires_at > now()
      and not exists (select 1 from private.staff_invites o where o.profile_id = user_id)
    returning i.id, i.role, i.college_id into invite;
    if not found then
        return;
    end if;
    -- Traced as the sign-up's acceptance is (the actor the system, no phone in the trail), about the account.
    actor := current_setting('fixit.actor', true);
    perform set_config('fixit.actor', 'system', true);
    perform private.audit('staff.invite_addressed', 'profiles', user_id, null,
                          jsonb_build_object('role', invite.role, 'college_id', invite.college_id,
                                             'invite_id', invite.id, 'at_phone_change', true));
    perform set_config('fixit.actor', coalesce(actor, ''), true);
    insert into public.notifications (recipient_id, kind, params)
    select user_id, 'invited', jsonb_build_object('role', invite.role::text, 'college_id', invite.college_id,
                                                  'college_th', c.name_th, 'college_en', c.name_en)
    from (select 1) as one left join public.colleges c on c.id = invite.college_id;
end
$$;
revoke all on function private.address_phone_invite(uuid, text) from public, anon, authenticated;

-- As 0052, and 2. at a change of number.
create or replace function private.follow_auth_phone() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    e164 text := private.thai_e164(new.phone);
begin
    if old.phone_confirmed_at is null and new.phone_confirmed_at is not null then
        perform private.open_phone_account(new.id, new.phone);
    elsif new.phone_confirmed_at is not null then
        if e164 is not null then
            perform private.release_phone(e164, new.id);
        end if;
        update public.profiles set phone = e164 where id = new.id and phone is distinct from e164;
        if e164 is not null then
            perform private.address_phone_invite(new.id, e164);
        end if;
    end if;
    return new;
end
$$;
revoke all on function private.follow_auth_phone() from public, anon, authenticated;
