-- Supabase Auth's boundary and the API roles' grants (review 14a).
--
-- 1. The sequences made before 0014 kept Supabase's default grants: anon and authenticated could nextval/setval
--    status_events_id_seq and audit_events_id_seq (setval onto an old id would make every audited write fail).
--    Identity columns need no grant on their sequence to insert.
-- 2. The profile's name is no longer taken from the user metadata (`data` of GoTrue's /otp or /signup: whatever
--    the person signing up sent, never checked by the app's rule, shared/display_names.py). Nothing in Fixit
--    sends it; the person names themselves in the app (PATCH /me), a staff invitation brings the name its college
--    gave (checked by the staff routes), the seed writes its names itself.
-- 3. A profile, and a staff invitation waiting for the number, only once the phone is proved. On Supabase,
--    POST /auth/otp/request passes `create_user: true` to GoTrue, whose /otp inserts the user *unconfirmed* before
--    any code is entered (supabase/auth internal/api/otp.go SmsOtp -> Signup); GoTrue's /verify then sets
--    `phone_confirmed_at` (models.User.ConfirmPhone, again at every later sign-in). The trigger on that insert made
--    the profile and applied the invitation then: anyone who typed an invited number accepted it for its owner.
--    Now the insert opens the account only when the row comes confirmed (the local issuer, the seed, an admin's
--    "add user" with the phone confirmed); otherwise the first confirmation does (`phone_confirmed_at` going from
--    null to a time). A number that never answers a code leaves nothing in `public` (GoTrue keeps its own row).
-- 4. A phone changed in Supabase Auth (PUT /auth/v1/user, then the code sent to the new number:
--    models.User.ConfirmPhoneChange sets `phone`) is followed by profiles.phone. A profile still holding a number
--    its account no longer has (auth.users.phone is unique, so any other holder is stale) gives it up, so the
--    number's next owner can sign up (the unique index profiles_phone undid GoTrue's insert).

-- 1. No API role moves a sequence; what later migrations create stays ungranted (0014's default privileges, said
-- again here so this file states the whole rule).
revoke all on all sequences in schema public from anon, authenticated;
alter default privileges in schema public revoke all on sequences from anon, authenticated;

-- The profile's phone: E.164 with a `+`, Thai numbers only (a foreign number still signs in, it is just not kept
-- as a Thai contact number).
create function private.thai_e164(auth_phone text) returns text
language sql immutable
set search_path = ''
as $$
    select case when e164 ~ '^\+66[0-9]{8,9}$' then e164 end
    from (select case when auth_phone is null or auth_phone = '' then null
                      when auth_phone like '+%' then auth_phone
                      else '+' || auth_phone end as e164) as p
$$;
revoke all on function private.thai_e164(text) from public, anon, authenticated;

-- 4. The number is this account's: any other profile holding it is stale and gives it up.
create function private.release_phone(e164 text, user_id uuid) returns void
language sql
security definer
set search_path = ''
as $$
    update public.profiles set phone = null where phone = e164 and id <> user_id
$$;
revoke all on function private.release_phone(text, uuid) from public, anon, authenticated;

-- 2, 3. A proved phone's account: the citizen profile, without a name, then the staff invitation waiting for the
-- number (0039: taken `for update`, applied or lapsed, traced as at_sign_in, the actor the system).
create function private.open_phone_account(user_id uuid, auth_phone text) returns void
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
    select * into invite from private.staff_invites where phone = e164 for update;
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
    delete from private.staff_invites where phone = e164;
end
$$;
revoke all on function private.open_phone_account(uuid, text) from public, anon, authenticated;

-- 3. The insert (still the trigger on_auth_user_created of 0001): an account only for a row that comes confirmed.
create or replace function private.create_profile_for_new_user() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    if new.phone_confirmed_at is not null then
        perform private.open_phone_account(new.id, new.phone);
    end if;
    return new;
end
$$;

-- 3. The first confirmation opens the account (GoTrue's ConfirmPhone at every later sign-in does nothing more);
-- 4. a later change of number is followed.
create function private.follow_auth_phone() returns trigger
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
    end if;
    return new;
end
$$;
revoke all on function private.follow_auth_phone() from public, anon, authenticated;
create trigger on_auth_user_phone after update of phone, phone_confirmed_at on auth.users
    for each row
    when (old.phone is distinct from new.phone
          or (old.phone_confirmed_at is null and new.phone_confirmed_at is not null))
    execute function private.follow_auth_phone();

-- 4. Numbers changed before this migration: each profile takes its account's current number (stale holders give
-- theirs up first, so no two ever hold one at once).
do $$
begin
    update public.profiles p set phone = null
    from auth.users u
    where u.id = p.id and p.phone is not null and p.phone is distinct from private.thai_e164(u.phone);
    update public.profiles p set phone = private.thai_e164(u.phone)
    from auth.users u
    where u.id = p.id and p.phone is null and private.thai_e164(u.phone) is not null
      and u.phone_confirmed_at is not null;
exception when insufficient_privilege then
    raise notice 'profiles.phone left as they are: %', sqlerrm;
end
$$;
