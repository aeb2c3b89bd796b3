-- Fixit schema v1: who people are, the colleges and their skills, repair requests and what happens to them.
-- Applies unchanged to a Supabase project and to a plain Postgres after bootstrap/supabase_compat.sql.

create schema if not exists private;
revoke all on schema private from public;
-- Policies call security-definer helpers that live here; the schema is not exposed by the Supabase API.
grant usage on schema private to anon, authenticated, service_role;

create type public.app_role as enum ('citizen', 'technician', 'supervisor', 'admin');
create type public.request_status as enum (
    'submitted', 'no_centre', 'offered', 'accepted', 'diagnosing', 'repairing',
    'quality_check', 'unrepairable', 'done', 'handed_back', 'cancelled'
);
create type public.offer_status as enum ('pending', 'accepted', 'declined', 'withdrawn', 'expired');
create type public.service_place as enum ('centre', 'home');
create type public.event_actor as enum ('citizen', 'technician', 'supervisor', 'admin', 'system');

create function private.touch_updated_at() returns trigger
language plpgsql
set search_path = ''
as $$
begin
    new.updated_at := now();
    return new;
end
$$;

-- Colleges -------------------------------------------------------------------------------------------------
create table public.colleges (
    id uuid primary key default gen_random_uuid(),
    code text not null unique check (code ~ '^[A-Z0-9][A-Z0-9-]{1,39}$'),
    name_th text not null check (length(name_th) between 1 and 200),
    name_en text not null check (length(name_en) between 1 and 200),
    province_th text not null check (length(province_th) between 1 and 100),
    province_en text not null check (length(province_en) between 1 and 100),
    region text not null check (region in ('north', 'northeast', 'central', 'east', 'west', 'south')),
    lat double precision not null check (lat between 5.5 and 20.5),
    lon double precision not null check (lon between 97.3 and 105.7),
    service_radius_km numeric(5, 1) not null default 30 check (service_radius_km > 0 and service_radius_km <= 300),
    -- Demo and imported coordinates may be town-centre approximations: say so wherever they are shown.
    coordinates_approximate boolean not null default true,
    is_active boolean not null default true,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create trigger colleges_touch before update on public.colleges
    for each row execute function private.touch_updated_at();

-- Skills and categories ------------------------------------------------------------------------------------
create table public.skills (
    code text primary key check (code ~ '^[a-z][a-z0-9_]{1,39}$'),
    name_th text not null check (length(name_th) between 1 and 100),
    name_en text not null check (length(name_en) between 1 and 100)
);

create table public.categories (
    code text primary key check (code ~ '^[a-z][a-z0-9_]{1,39}$'),
    name_th text not null check (length(name_th) between 1 and 100),
    name_en text not null check (length(name_en) between 1 and 100),
    icon text not null default 'BUILD',
    sort_order integer not null default 0,
    is_active boolean not null default true
);

create table public.category_skills (
    category_code text not null references public.categories (code) on delete cascade,
    skill_code text not null references public.skills (code) on delete restrict,
    min_level smallint not null default 1 check (min_level between 1 and 5),
    primary key (category_code, skill_code)
);
create index category_skills_skill on public.category_skills (skill_code);

-- People ---------------------------------------------------------------------------------------------------
create table public.profiles (
    id uuid primary key references auth.users (id) on delete cascade,
    role public.app_role not null default 'citizen',
    display_name text not null default '' check (length(display_name) <= 80),
    phone text check (phone ~ '^\+66[0-9]{8,9}$'),
    college_id uuid references public.colleges (id) on delete set null,
    locale text not null default 'th' check (locale in ('th', 'en')),
    is_active boolean not null default true,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint staff_belong_to_a_college check (role in ('citizen', 'admin') or college_id is not null)
);
create index profiles_college on public.profiles (college_id) where college_id is not null;
create unique index profiles_phone on public.profiles (phone) where phone is not null;
create trigger profiles_touch before update on public.profiles
    for each row execute function private.touch_updated_at();

-- Every new auth user (Supabase Auth or the local issuer) gets a citizen profile.
create function private.create_profile_for_new_user() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    e164 text := case when new.phone is null or new.phone = '' then null
                      when new.phone like '+%' then new.phone
                      else '+' || new.phone end;
begin
    if e164 !~ '^\+66[0-9]{8,9}$' then
        e164 := null;  -- a foreign number still signs in; it is just not kept as a Thai contact number
    end if;
    insert into public.profiles (id, phone, display_name)
    values (new.id, e164, left(coalesce(new.raw_user_meta_data ->> 'display_name', ''), 80))
    on conflict (id) do nothing;
    return new;
end
$$;
create trigger on_auth_user_created after insert on auth.users
    for each row execute function private.create_profile_for_new_user();

create table public.technician_skills (
    technician_id uuid not null references public.profiles (id) on delete cascade,
    skill_code text not null references public.skills (code) on delete restrict,
    level smallint not null check (level between 1 and 5),
    primary key (technician_id, skill_code)
);
create index technician_skills_skill on public.technician_skills (skill_code, level);

-- Repair requests ------------------------------------------------------------------------------------------
create table public.repair_requests (
    id uuid primary key default gen_random_uuid(),
    citizen_id uuid not null references public.profiles (id) on delete restrict,
    -- Made by the app before the first send: a retry after a timeout finds the same row.
    idempotency_key uuid not null,
    category_code text not null references public.categories (code),
    item text not null check (length(item) between 1 and 120),
    brand text not null default '' check (length(brand) <= 80),
    description text not null check (length(description) between 1 and 2000),
    lat double precision not null check (lat between 5.5 and 20.5),
    lon double precision not null check (lon between 97.3 and 105.7),
    address text not null default '' check (length(address) <= 500),
    province text not null default '' check (length(province) <= 100),
    district text not null default '' check (length(district) <= 100),
    sub_district text not null default '' check (length(sub_district) <= 100),
    service_place public.service_place not null default 'centre',
    preferred_days text[] not null default '{}',
    contact_phone text not null check (contact_phone ~ '^\+66[0-9]{8,9}$'),
    pdpa_consent_at timestamptz not null,
    status public.request_status not null default 'submitted',
    college_id uuid references public.colleges (id),
    technician_id uuid references public.profiles (id),
    rating smallint check (rating between 1 and 5),
    rating_comment text check (length(rating_comment) <= 1000),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (citizen_id, idempotency_key)
);
create index repair_requests_citizen on public.repair_requests (citizen_id, created_at desc);
create index repair_requests_college on public.repair_requests (college_id, status);
create index repair_requests_technician on public.repair_requests (technician_id) where technician_id is not null;
create trigger repair_requests_touch before update on public.repair_requests
    for each row execute function private.touch_updated_at();

create table public.request_photos (
    id uuid primary key default gen_random_uuid(),
    request_id uuid not null references public.repair_requests (id) on delete cascade,
    kind text not null check (kind in ('before', 'after')),
    idx smallint not null check (idx between 0 and 4),
    storage_path text not null,
    thumb_path text not null,
    content_type text not null check (content_type in ('image/webp', 'image/jpeg')),
    width integer not null check (width > 0),
    height integer not null check (height > 0),
    bytes integer not null check (bytes > 0),
    uploaded_by uuid references public.profiles (id),
    created_at timestamptz not null default now(),
    unique (request_id, kind, idx)
);

create table public.status_events (
    id bigint generated always as identity primary key,
    request_id uuid not null references public.repair_requests (id) on delete cascade,
    actor public.event_actor not null,
    actor_id uuid references public.profiles (id),  -- null when the system moved it
    from_status public.request_status,  -- null for the first event
    to_status public.request_status not null,
    note text not null default '' check (length(note) <= 1000),
    created_at timestamptz not null default now()
);
create index status_events_request on public.status_events (request_id, id);

create table public.offers (
    id uuid primary key default gen_random_uuid(),
    request_id uuid not null references public.repair_requests (id) on delete cascade,
    technician_id uuid not null references public.profiles (id) on delete cascade,
    college_id uuid not null references public.colleges (id),
    status public.offer_status not null default 'pending',
    rank smallint not null check (rank >= 1),
    distance_km numeric(7, 2) not null check (distance_km >= 0),
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    responded_at timestamptz,
    unique (request_id, technician_id)
);
-- The first accept wins: the database, not the application, guarantees there is only one.
create unique index offers_one_accepted on public.offers (request_id) where status = 'accepted';
create index offers_technician on public.offers (technician_id, status);

-- The local sign-in issuer's codes (unused on Supabase, whose Auth keeps its own) --------------------------
create table private.otp_codes (
    phone text primary key,
    code_hash text not null,
    expires_at timestamptz not null,
    attempts smallint not null default 0,
    sends_in_window smallint not null default 1,
    window_started_at timestamptz not null default now()
);
