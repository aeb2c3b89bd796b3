-- The first sign-in with an invited phone (0012, 0036) takes the invitation row `for update`, as an answer or a
-- withdraw does (backend/services/staff.py): a withdraw under way is waited for, and after it commits the sign-in
-- finds nothing, so a withdrawn invitation (204, audited) can no longer be applied by a sign-in at that moment.
--
-- What the sign-in does with the invitation is now in the trail, as the answers in the app are
-- (backend/services/staff.py): applied, it is `staff.invite_accept` (at_sign_in: the person said yes by signing
-- up), so a later withdraw answers 409 "already answered" (0036's index audit_events_invite_accepted) rather than
-- 404; dropped because it had expired, it is `staff.invite_lapse`, so the line that leaves the college's list has
-- a recorded reason. The actor is the system (nobody pressed anything); like every staff event no phone or name
-- is kept. The role, college and skill changes the trigger makes are recorded by 0008's triggers as before, now
-- with the same actor.
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
    insert into public.profiles (id, phone, display_name)
    values (new.id, e164, left(coalesce(new.raw_user_meta_data ->> 'display_name', ''), 80))
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

-- The clock closes the "invited" notifications of invitations that ran out (backend/notifications/invitations.py
-- close_expired). It starts from the notifications still open, never from the invitations: lapsed invitations to
-- an account stay (the college's list shows them, a re-invite replaces them), so a scan of those would grow
-- forever, while open "invited" notifications are few. This index holds only those.
create index notifications_invited_open on public.notifications (recipient_id)
    where kind = 'invited' and request_id is null and (params ->> 'closed') is null;
