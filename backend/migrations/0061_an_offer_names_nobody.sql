-- An offer says what and roughly where, never whose (audit15a).
--
-- A student offered a request may look at its photos and timeline before deciding (0006: `private.can_see_request`
-- lets a pending offer read them), and through the Data API those rows carried account ids: the timeline's
-- `actor_id` (the owner submitted it), the photos' `uploaded_by` (the owner took them), and, on a reopened job
-- offered again, the parts' `decided_by` and the handover's `confirmed_by` (the owner approved, the owner received).
-- A student who had done an earlier job for the same person (and so was given their phone and home address, the
-- product's rule after accepting) could tell it was them before accepting.
--
-- Those four columns name a person on the job: no reader of the Data API needs the raw id. Column privileges, not
-- a policy, because a policy shows or hides rows, never a column of a row: `authenticated` may now read every
-- other column of these tables (RLS still decides which rows), and the owner's id only through the backend. The
-- app shows the timeline's actors by first name, which `private.event_actor_first_name` gives from the event's id
-- (`private.first_name`'s rule: the backend read `actor_id` under RLS for it). A column added to one of these
-- tables later is not readable by `authenticated` until a migration grants it.
do $$
declare
    hidden record;
    readable text;
begin
    for hidden in select * from (values ('status_events', 'actor_id'), ('request_photos', 'uploaded_by'),
                                        ('job_parts', 'decided_by'), ('job_handovers', 'confirmed_by')) h(tab, col)
    loop
        select string_agg(quote_ident(a.attname), ', ' order by a.attnum) into readable
        from pg_catalog.pg_attribute a
        where a.attrelid = format('public.%I', hidden.tab)::regclass and a.attnum > 0 and not a.attisdropped
          and a.attname <> hidden.col;
        execute format('revoke select on public.%I from anon, authenticated', hidden.tab);
        execute format('grant select (%s) on public.%I to authenticated', readable, hidden.tab);
    end loop;
end
$$;

-- The first name of a timeline event's actor, for a reader who may see the event's request and that person's name
-- (`private.first_name`, which asks who the caller is). Security definer: it reads `actor_id` as the owner.
create function private.event_actor_first_name(event_id bigint) returns text
language sql stable security definer
set search_path = ''
as $$
    select private.first_name(e.actor_id)
    from public.status_events e
    where e.id = event_id and private.can_see_request(e.request_id)
$$;
revoke all on function private.event_actor_first_name(bigint) from public, anon;
grant execute on function private.event_actor_first_name(bigint) to authenticated, service_role;

-- `private.first_name` named anyone on the timeline of a request the caller may see, a pending offer included: a
-- student offered a request asked the name behind an id they knew from an earlier job, and an answer told them that
-- person was on this one. A request the caller is only offered (a pending offer, not yet theirs) no longer counts;
-- the rest is 0017's rule unchanged. Someone who holds the job is never also only offered it: a reopened job offered
-- again has no student on it until one accepts.
create or replace function private.first_name(person uuid) returns text
language sql stable security definer
set search_path = ''
as $$
    select nullif(split_part(p.display_name, ' ', 1), '')
    from public.profiles p
    where p.id = person
      and (auth.uid() is null
           or person = auth.uid()
           or private.my_role() = 'admin'
           or (private.my_role() = 'supervisor' and p.college_id = private.my_college())
           or exists (select 1 from public.repair_requests r
                      where r.technician_id = person and private.can_see_request(r.id))
           or exists (select 1 from public.status_events e
                      where (e.actor_id = person or e.teacher_present_id = person)
                        and private.can_see_request(e.request_id)
                        and not exists (select 1 from public.offers o
                                        where o.request_id = e.request_id and o.technician_id = auth.uid()
                                          and o.status = 'pending')))
$$;
