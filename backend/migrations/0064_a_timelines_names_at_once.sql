-- Issue 15: the request detail's timeline names, asked once for the request rather than once an event.
--
-- 0061 gave each timeline event's actor name through `private.event_actor_first_name(e.id)`: per event a security
-- definer call (never inlined), a look-up of the event, `private.can_see_request` again, and `private.first_name`,
-- whose clauses walk the person's other jobs and timeline entries (the caller's visibility of each) until one shows
-- them. On bench.api's data that put ~0.8 ms of PostgreSQL CPU on GET /requests/{id}.
--
-- `private.timeline_actor_names(req)` gives the same names for all of a request's events: the caller's right to
-- see the request is checked once, each distinct actor named once. An actor on the timeline of a request the caller
-- may see, and is not only offered (a pending offer of their own), is shown by `private.first_name`'s own rule (0061:
-- "named on the timeline of a request the caller may see, a pending offer excluded"), so their name is read straight
-- from the profile; for a caller only offered the request, `private.first_name` decides, as before. What anyone
-- reads is unchanged: the same name, or null, for each event as `private.event_actor_first_name` gives (kept: the
-- college's board still names one event's actor with it); a request the caller may not see gives no rows at all.
create function private.timeline_actor_names(req uuid) returns table (event_id bigint, actor_name text)
language sql stable security definer
set search_path = ''
rows 10
as $$
    with seen as (
        select not exists (select 1 from public.offers o
                           where o.request_id = req and o.technician_id = auth.uid() and o.status = 'pending')
                   as named_by_the_timeline
        where private.can_see_request(req)
    ),
    actors as (
        select a.actor_id,
               case when seen.named_by_the_timeline
                    then (select nullif(split_part(p.display_name, ' ', 1), '') from public.profiles p
                          where p.id = a.actor_id)
                    else private.first_name(a.actor_id) end as actor_name
        from (select distinct e.actor_id from public.status_events e
              where e.request_id = req and e.actor_id is not null) a
        cross join seen
    )
    select e.id, n.actor_name
    from seen
    cross join public.status_events e
    left join actors n on n.actor_id = e.actor_id
    where e.request_id = req
$$;
revoke all on function private.timeline_actor_names(uuid) from public, anon;
grant execute on function private.timeline_actor_names(uuid) to authenticated, service_role;

-- The detail's `technician_first_name`, `private.first_name(r.technician_id)`, walked the student's jobs until one
-- the caller may see: a student with many jobs cost the detail ~0.4 ms. The student on a request the caller may see
-- is always shown by `private.first_name`'s rule (its clause "the technician of a request the caller may see"), so
-- for that request their name is the profile's, asked after one visibility check: the same name, or null.
create function private.technician_first_name(req uuid) returns text
language sql stable security definer
set search_path = ''
as $$
    select nullif(split_part(p.display_name, ' ', 1), '')
    from public.repair_requests r
    join public.profiles p on p.id = r.technician_id
    where r.id = req and private.can_see_request(req)
$$;
revoke all on function private.technician_first_name(uuid) from public, anon;
grant execute on function private.technician_first_name(uuid) to authenticated, service_role;
