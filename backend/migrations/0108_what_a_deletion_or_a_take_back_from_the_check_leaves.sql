-- flow25: workflow leftovers (session 24's note, "Left from before"; tests/integration/test_flow25_findings.py):
-- what an account's or a college's deletion leaves in the trail and the inbox (2, 3), and an admin's take back
-- from the check (4). Item 1 (a revival after a restore) needed no SQL: backend/services/dispatch.py `_REVIVABLE`.
--
-- 2. An account deletion wrote a "skill.remove" audit row for each skill of the deleted student. The deletion of
--    auth.users cascades to the profile and from it to technician_skills (0001: on delete cascade), and
--    `technician_skills_audit` (0008/0023) took each cascaded delete for a person taking a skill away: the trail
--    said every skill was removed, in the deleting person's name, and repeated what the person could do after their
--    account was gone. The deletion is in the trail already, once (`account.delete`, written by
--    private.forget_person before the profile goes: role and college, no more); the skills go with the person, as
--    their level history does (0017 keep_skill_history: "the person is being deleted"), by the same test: their
--    profile is gone by the time the cascade deletes the skill. A skill taken away from a person who stays (a
--    teacher's edit, the roster's CSV, SQL) is audited as before.
--    The rows earlier deletions wrote are removed too: a `skill.remove` of a person whose profile is gone, written
--    in the same transaction as (at the same time as) that person's `account.delete` row.
create or replace function private.audit_skills() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
    if tg_op = 'DELETE' then
        if not exists (select 1 from public.profiles p where p.id = old.technician_id) then
            return old;  -- the person is being deleted: `account.delete` says so, once
        end if;
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
revoke all on function private.audit_skills() from public, anon, authenticated;

delete from public.audit_events s
where s.action = 'skill.remove'
  and not exists (select 1 from public.profiles p where p.id = s.target_id)
  and exists (select 1 from public.audit_events d
              where d.action = 'account.delete' and d.target_id = s.target_id and d.at = s.at);

-- 3. A college's deletion. No app path deletes one (an admin closes it: PATCH is_active=false ends its offers and
--    the clock sends the jobs on); by SQL (Supabase's dashboard) the schema refuses it while anything of the work
--    names it (repair_requests, offers and job_team, no cascade) or staff belong to it (`staff_belong_to_a_college`),
--    whole, so no request, offer or record is left pointing at a college that is gone. What a deletion does reach:
--    - its invitations (private.staff_invites, on delete cascade). The invited person's "invited" card kept asking
--      "accept or decline" about a college that no longer exists (an accept answered 404 invitation_none), a push
--      held for the quiet hours still went, and the trail said nothing of the invitation. Now, before the college
--      goes, each invitation of it addressed to an account ends as an admin's withdrawal does
--      (backend/services/staff.py withdraw_invite, backend/notifications/invitations.py close_invited): the card
--      closed as `withdrawn` and read, what was still to be pushed about it skipped, and `staff.invite_withdraw`
--      about the person in the trail (`college_deleted`), beside the `college.delete` row. An invitation to a phone
--      with no account yet goes with the college without a row of its own (`college.delete` holds the college).
--    - the citizens and admins who keep its id (`on delete set null`): the profile triggers record a
--      `profile.college` change and end their live stream once (the app reconnects). Those are true of the person
--      (their profile changed), so they stay as they are.
create function private.close_invitations_of_a_deleted_college() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    i record;
begin
    for i in select s.id, s.profile_id, s.role, s.expires_at <= now() as expired from private.staff_invites s
             where s.college_id = old.id and s.profile_id is not null and s.declined_at is null
             order by s.profile_id
    loop
        with closed as (
            update public.notifications n
            set read_at = coalesce(n.read_at, now()), planned_at = coalesce(n.planned_at, now()),
                params = n.params || jsonb_build_object('closed', 'withdrawn')
            where n.recipient_id = i.profile_id and n.kind = 'invited' and n.request_id is null
              and n.params ->> 'closed' is null
              and n.params ->> 'role' = i.role::text and n.params ->> 'college_id' = old.id::text
            returning n.id)
        update private.notification_deliveries d
        set status = 'skipped', last_error = 'invitation no longer open', updated_at = now()
        where d.notification_id in (select id from closed) and d.status = 'pending';
        perform private.audit('staff.invite_withdraw', 'profiles', i.profile_id, null,
                              jsonb_build_object('role', i.role, 'college_id', old.id, 'invite_id', i.id,
                                                 'expired', i.expired, 'college_deleted', true));
    end loop;
    return old;
end
$$;
revoke all on function private.close_invitations_of_a_deleted_college() from public, anon, authenticated;
create trigger colleges_close_invitations before delete on public.colleges
    for each row execute function private.close_invitations_of_a_deleted_college();

-- 4. An admin's take back from the check (shared.statuses: quality_check -> offered, an admin's move, where the
--    admins decide a check and a high-risk job's rework needs a teacher nobody can name). Its citizen is told as of
--    a take back from a student's hands (0073 `job_taken_back`, one message, `nobody_took` when it ends
--    `no_centre` in the same transaction); the student hears it as its lead (0056 `lead_left`, already on any move
--    that clears the lead). Parts: none can still wait for the owner in the check (a job goes to the check only
--    with every part answered), so withdraw_waiting_parts finds none. 0090's function and 0095's WHEN, with the
--    check among the statuses a take back leaves.
create or replace function private.notify_citizen_of_a_stall() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    r record;
    withdrawn integer := 0;
begin
    select q.id, q.citizen_id, q.item, c.name_th as college_th, c.name_en as college_en
    into r
    from public.repair_requests q left join public.colleges c on c.id = q.college_id
    where q.id = new.request_id;
    if new.to_status = 'offered' and (new.from_status = any(private.work_editable())
                                      or new.from_status = 'quality_check') then
        withdrawn := private.withdraw_waiting_parts(r.id);
        if new.from_status in ('diagnosing', 'repairing', 'quality_check') then
            perform private.notify(r.citizen_id, 'job_taken_back', jsonb_build_object(
                'item', r.item, 'college_th', r.college_th, 'college_en', r.college_en,
                'parts_withdrawn', withdrawn), r.id);
            perform set_config('fixit.taken_back', r.id::text, true);
        elsif withdrawn > 0 then
            perform private.notify(r.citizen_id, 'part_withdrawn', jsonb_build_object(
                'item', r.item, 'by', 'taken_back', 'count', withdrawn), r.id);
        end if;
    elsif new.to_status = 'no_centre' and new.note_code = 'no_taker' then
        if current_setting('fixit.taken_back', true) = r.id::text then
            -- Taken back and nobody took it, in this transaction: the one message says both.
            update public.notifications n set params = n.params || jsonb_build_object('nobody_took', true)
            where n.id = (select max(m.id) from public.notifications m
                          where m.request_id = r.id and m.recipient_id = r.citizen_id and m.kind = 'job_taken_back');
            if found then
                return new;
            end if;
        end if;
        perform private.notify(r.citizen_id, 'no_taker', jsonb_build_object('item', r.item), r.id);
    end if;
    return new;
end
$$;
revoke all on function private.notify_citizen_of_a_stall() from public, anon, authenticated;
drop trigger status_events_notify_citizen_of_a_stall on public.status_events;
create trigger status_events_notify_citizen_of_a_stall after insert on public.status_events
    for each row when (new.to_status is distinct from new.from_status
                       and (new.to_status = 'no_centre'
                            or (new.to_status = 'offered' and (new.from_status = any(private.work_editable())
                                                               or new.from_status = 'quality_check'))))
    execute function private.notify_citizen_of_a_stall();
