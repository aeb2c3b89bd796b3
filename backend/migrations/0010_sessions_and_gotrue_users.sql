-- Sessions that last (issue #11), and auth.users rows shaped the way GoTrue writes them.

-- The local issuer's sessions: one row per sign-in, and its rotating refresh tokens, kept only as SHA-256 hashes.
-- (Supabase Auth keeps its own in auth.sessions / auth.refresh_tokens; these stay empty there.) Only the backend's
-- owner role reads or writes them: RLS on without a policy, no grants, a schema the Data API does not expose.
create table private.auth_sessions (
    id uuid primary key,  -- the access token's `session_id` claim
    user_id uuid not null references auth.users (id) on delete cascade,
    created_at timestamptz not null default now(),
    refreshed_at timestamptz not null default now(),
    revoked_at timestamptz
);
create index auth_sessions_user on private.auth_sessions (user_id);

create table private.refresh_tokens (
    token_hash text primary key check (token_hash ~ '^[0-9a-f]{64}$'),
    session_id uuid not null references private.auth_sessions (id) on delete cascade,
    created_at timestamptz not null default now(),
    used_at timestamptz  -- rotated: presenting it again ends the session
);
create index refresh_tokens_session on private.refresh_tokens (session_id);

alter table private.auth_sessions enable row level security;
alter table private.refresh_tokens enable row level security;
revoke all on private.auth_sessions, private.refresh_tokens from public, anon, authenticated;

-- GoTrue reads these auth.users columns into non-nullable fields. A real Supabase project has them all (and
-- `postgres` may not alter auth.users there: nothing is done). The plain-PostgreSQL bootstrap's smaller table gets
-- the missing ones, with GoTrue's types, so the backend writes the same rows on both.
do $$
declare
    wanted text[][] := array[
        ['encrypted_password', 'varchar(255)'], ['email_confirmed_at', 'timestamptz'],
        ['invited_at', 'timestamptz'], ['confirmation_token', 'varchar(255)'],
        ['confirmation_sent_at', 'timestamptz'], ['recovery_token', 'varchar(255)'],
        ['recovery_sent_at', 'timestamptz'], ['email_change_token_new', 'varchar(255)'],
        ['email_change', 'varchar(255)'], ['email_change_sent_at', 'timestamptz'],
        ['is_super_admin', 'boolean'], ['phone_change', 'text default '''''],
        ['phone_change_token', 'varchar(255) default '''''], ['phone_change_sent_at', 'timestamptz'],
        ['email_change_token_current', 'varchar(255) default '''''],
        ['email_change_confirm_status', 'smallint default 0'], ['banned_until', 'timestamptz'],
        ['reauthentication_token', 'varchar(255) default '''''], ['reauthentication_sent_at', 'timestamptz'],
        ['is_sso_user', 'boolean not null default false'], ['deleted_at', 'timestamptz']];
    i int;
begin
    for i in 1 .. array_length(wanted, 1) loop
        if not exists (select 1 from information_schema.columns
                       where table_schema = 'auth' and table_name = 'users' and column_name = wanted[i][1]) then
            begin
                execute format('alter table auth.users add column %I %s', wanted[i][1], wanted[i][2]);
            exception when insufficient_privilege then
                raise notice 'auth.users.% is missing and % may not add it', wanted[i][1], current_user;
            end;
        end if;
    end loop;
end
$$;

-- Rows the backend wrote before with NULLs where GoTrue expects values (they could break those people's next
-- sign-in through Supabase Auth): filled in the way GoTrue fills them.
do $$
begin
    update auth.users set
        instance_id = coalesce(instance_id, '00000000-0000-0000-0000-000000000000'),
        aud = coalesce(aud, 'authenticated'), role = coalesce(role, 'authenticated'),
        confirmation_token = coalesce(confirmation_token, ''), recovery_token = coalesce(recovery_token, ''),
        email_change_token_new = coalesce(email_change_token_new, ''), email_change = coalesce(email_change, ''),
        encrypted_password = coalesce(encrypted_password, '')
    where instance_id is null or aud is null or role is null or confirmation_token is null
       or recovery_token is null or email_change_token_new is null or email_change is null;
exception when insufficient_privilege or undefined_column then
    raise notice 'auth.users rows left as they are: %', sqlerrm;
end
$$;

-- A GoTrue-shaped phone user, as GoTrue writes one after a verified sign-in: the zero instance id, audience and
-- role `authenticated`, empty strings (not NULL) in the token columns, the phone provider in app metadata.
-- Used by the local issuer, the seed and staff onboarding; a trigger on auth.users still creates the profile.
create function private.create_phone_user(user_phone text, confirmed boolean, display_name text default '')
returns uuid
language plpgsql
set search_path = ''
as $$
declare
    user_id uuid;
begin
    insert into auth.users (
        instance_id, id, aud, role, phone, phone_confirmed_at, last_sign_in_at,
        raw_app_meta_data, raw_user_meta_data, encrypted_password,
        confirmation_token, recovery_token, email_change_token_new, email_change,
        phone_change, phone_change_token, email_change_token_current, reauthentication_token,
        email_change_confirm_status, is_sso_user, is_anonymous, created_at, updated_at)
    values (
        '00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated', user_phone,
        case when confirmed then now() end, case when confirmed then now() end,
        '{"provider": "phone", "providers": ["phone"]}',
        case when display_name = '' then '{}'::jsonb else jsonb_build_object('display_name', display_name) end,
        '', '', '', '', '', '', '', '', '', 0, false, false, now(), now())
    on conflict (phone) do update
        set last_sign_in_at = case when confirmed then now() else auth.users.last_sign_in_at end,
            phone_confirmed_at = coalesce(auth.users.phone_confirmed_at, excluded.phone_confirmed_at),
            updated_at = now()
    returning id into user_id;
    return user_id;
end
$$;
revoke all on function private.create_phone_user(text, boolean, text) from public, anon, authenticated;
