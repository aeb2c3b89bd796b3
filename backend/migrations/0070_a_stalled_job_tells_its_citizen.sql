-- Audit 17a: a citizen hears that their repair stopped moving, and why, where nobody told them.
--
-- A job under way (diagnosing or repairing) that the college took back from its student, to offer it again
-- (shared.statuses: a teacher's or an admin's take back, when the student cannot go on): the item may be at the
-- workshop and the student had called them, so the citizen is told (`job_taken_back`): another student is being
-- found, and the work so far, its photos and parts stay with the job.
--
-- A request with no college left to try after students were offered it (their offers lapsed, they declined, or it
-- was taken back) waits as `no_centre` for an administrator, its timeline note `no_taker` (backend dispatch):
-- the move told the admins only, so a citizen who did not open the app never learnt that their request stopped
-- moving. They are told (`no_taker`): an administrator will send it on, or they may cancel it. A request no
-- college in range could ever take (note `no_centre`) is told at once on the submit screen, as before.
--
-- A trigger of its own on the timeline beside private.notify_status_event (0060), which is left as it is: its
-- other kinds are unchanged, and another change to it needs no merge with this one.
create function private.notify_citizen_of_a_stall() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    r record;
begin
    select q.id, q.citizen_id, q.item, c.name_th as college_th, c.name_en as college_en
    into r
    from public.repair_requests q left join public.colleges c on c.id = q.college_id
    where q.id = new.request_id;
    if new.to_status = 'offered' and new.from_status in ('diagnosing', 'repairing') then
        perform private.notify(r.citizen_id, 'job_taken_back', jsonb_build_object(
            'item', r.item, 'college_th', r.college_th, 'college_en', r.college_en), r.id);
    elsif new.to_status = 'no_centre' and new.note_code = 'no_taker' then
        perform private.notify(r.citizen_id, 'no_taker', jsonb_build_object('item', r.item), r.id);
    end if;
    return new;
end
$$;
revoke all on function private.notify_citizen_of_a_stall() from public, anon, authenticated;

create trigger status_events_notify_citizen_of_a_stall after insert on public.status_events
    for each row when (new.to_status is distinct from new.from_status
                       and new.to_status in ('offered', 'no_centre'))
    execute function private.notify_citizen_of_a_stall();
