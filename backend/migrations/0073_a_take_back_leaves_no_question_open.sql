-- What a take back of a job under way leaves behind (takeback17).
--
-- A teacher or an admin takes back a job in `diagnosing` or `repairing` whose student cannot go on (0070): it is
-- offered again, and its citizen is told (`job_taken_back`). Two things were left behind:
--
-- * A part the former student proposed that waited for the citizen's answer stayed `proposed`: the citizen could
--   still approve (and pay for) a part proposed by someone who no longer has their item, for a repair that student
--   will not do. It is withdrawn by the move itself (as a cancelled or unrepairable job's, and a deleted citizen's,
--   0044); a part already answered keeps its answer (an approved one may be bought already: it stays with the job).
--   The citizen reads it in the take back's message (`params.parts_withdrawn`, its text in shared/notifications.py);
--   the next student proposes again what they find is needed.
-- * A take back that finds nobody else to offer it to ends, in the same transaction, as `no_centre` with the note
--   `no_taker` (backend dispatch), and the citizen got two messages at once: `job_taken_back`, then `no_taker`. The
--   take back's message now says both (`params.nobody_took`), and no second one is written. A `no_taker` in a later
--   transaction (the other students' offers lapsed afterwards) is news and is told as before. The take back marks
--   its transaction (the setting `fixit.taken_back`, local to it) with the request's id.
--
-- Lock order (backend/services/dispatch.py): the request is held (its status changes under `lock_status`); its
-- parts and the citizen's notification are rows of that request (step 3).
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
    if new.to_status = 'offered' and new.from_status in ('diagnosing', 'repairing') then
        update public.job_parts set status = 'withdrawn', decided_at = now()
        where request_id = r.id and status = 'proposed';
        get diagnostics withdrawn = row_count;
        perform private.notify(r.citizen_id, 'job_taken_back', jsonb_build_object(
            'item', r.item, 'college_th', r.college_th, 'college_en', r.college_en,
            'parts_withdrawn', withdrawn), r.id);
        perform set_config('fixit.taken_back', r.id::text, true);
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
