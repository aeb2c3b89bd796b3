-- An invitation is open for a fixed time (shared/invitations.py INVITATION_OPEN_DAYS, restated here as the
-- column's default; tests/integration/test_schema_matches_shared.py keeps the two equal), and whoever may send one
-- may withdraw it while it waits. A mistyped phone no longer leaves a stranger a live place at a college.
--
-- `id`: the invitation's own name, for the withdraw route (the phone, its key since 0012, stays out of URLs and
-- logs). Sending an invitation again (backend/services/staff.py _write_invite) writes a fresh id, time and expiry,
-- so a withdraw aimed at the one a teacher saw cannot take back the one an admin sent in its place.
--
-- Open invitations that exist now get their full window counted from this migration, not from when they were
-- made: nobody (invitee, teacher or admin) was told invitations lapse, and counting from creation would end, on
-- deploy day and without notice, invitations a person may be about to answer; the same window from now gives
-- everyone the notice a new invitation gets, and after it the old ones lapse like any other.
alter table private.staff_invites
    add column id uuid not null default gen_random_uuid(),
    add column expires_at timestamptz not null default now() + interval '14 days';
alter table private.staff_invites add constraint staff_invites_id_key unique (id);
-- Declined rows keep their "no" (declined_at, DECLINED_WAIT_DAYS); their expiry is counted from when they were
-- made, which is already past for most and never read for them.
update private.staff_invites set expires_at = created_at + interval '14 days' where declined_at is not null;

-- A withdraw that comes after the invitation was accepted (the row is gone then) answers 409 "already answered",
-- not 404: the accept's audit event names the invitation (`after.invite_id`); this finds it without a scan.
create index audit_events_invite_accepted on public.audit_events ((after ->> 'invite_id'))
    where action = 'staff.invite_accept';

-- The first sign-in with an invited phone (0012) applies the invite only while it is open; an expired one is
-- dropped there (the person is a citizen like anyone else; the college may invite the account again).
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
begin
    if e164 !~ '^\+66[0-9]{8,9}$' then
        e164 := null;  -- a foreign number still signs in; it is just not kept as a Thai contact number
    end if;
    insert into public.profiles (id, phone, display_name)
    values (new.id, e164, left(coalesce(new.raw_user_meta_data ->> 'display_name', ''), 80))
    on conflict (id) do nothing;
    select * into invite from private.staff_invites where phone = e164;
    if not found then
        return new;
    end if;
    if invite.expires_at > now() then
        update public.profiles set role = invite.role, college_id = invite.college_id,
                                   display_name = coalesce(nullif(invite.display_name, ''), display_name)
        where id = new.id;
        insert into public.technician_skills (technician_id, skill_code, level)
        select new.id, s.key, s.value::smallint from jsonb_each_text(invite.skills) as s
        on conflict (technician_id, skill_code) do update set level = excluded.level;
    end if;
    delete from private.staff_invites where phone = e164;
    return new;
end
$$;
