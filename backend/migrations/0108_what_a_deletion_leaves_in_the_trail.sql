-- flow25: workflow leftovers (session 24's note, "Left from before"; tests/integration/test_flow25_findings.py).
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
