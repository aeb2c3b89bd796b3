-- audit20 #3: a take back of a job its student accepted but did not start leaves no part open either.
--
-- A student may propose parts from the moment they hold the job (shared.statuses.WORK_EDITABLE: accepted,
-- diagnosing, repairing; backend/services/credit.py `propose_part`), and a teacher or an admin may take it back from
-- any of those statuses (shared.statuses: accepted -> offered as well as diagnosing/repairing -> offered). 0073
-- withdrew the former student's waiting parts only on a take back from `diagnosing` or `repairing`: taken back from
-- `accepted`, their part stayed `proposed`, and once another student held the job the citizen could approve, and pay
-- for, a part proposed by someone who no longer had their item (and nobody on the job could withdraw it).
--
-- One rule now: a take back from any status in which a part can be proposed withdraws the parts that wait for the
-- citizen's answer (`private.work_editable()`, the database's copy of shared.statuses.WORK_EDITABLE, kept equal by
-- a test as `private.college_decides()` is). A part already answered keeps its answer.
-- What the citizen is told:
-- * from a job under way (diagnosing, repairing) as before (0073): `job_taken_back`, its `parts_withdrawn` saying
--   how many were withdrawn;
-- * from `accepted` (nothing done yet: no `job_taken_back`, as before) only when a part was withdrawn: one
--   `part_withdrawn` naming how many, as a reassign's (0083 `withdraw_parts_on_reassign`), with `params.by` =
--   'taken_back' (shared.notifications.PartWithdrawnBy.TAKEN_BACK, its Thai and English text there).
-- Lock order (backend/services/dispatch.py): the request is held by the move; its parts and the citizen's
-- notification are rows of that request (step 3).
create function private.work_editable() returns public.request_status[]
language sql immutable
set search_path = ''
as $$ select '{accepted,diagnosing,repairing}'::public.request_status[] $$;
revoke all on function private.work_editable() from public, anon, authenticated;

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
    if new.to_status = 'offered' and new.from_status = any(private.work_editable()) then
        withdrawn := private.withdraw_waiting_parts(r.id);
        if new.from_status in ('diagnosing', 'repairing') then
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
