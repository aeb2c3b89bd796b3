-- One spelling of a person's first name.
--
-- A person is named to those who may not read their whole name by its first word: the display name up to its first
-- space, or null when that is empty (no name, or one that starts with a space). That rule,
-- `nullif(split_part(p.display_name, ' ', 1), '')`, was typed in each function that names someone (0003, 0007, 0017
-- and 0061's `private.first_name`, 0064's `private.timeline_actor_names` and `private.technician_first_name`): a rule
-- typed again drifts. It is now `private.first_word`, which those functions (redefined here from their latest
-- definitions, 0061's and 0064's, nothing but the rule changed) call; shared/display_names.py's `first_word` is the
-- same rule for the backend's Python.
--
-- An IMMUTABLE SQL function of one expression, its argument used once, neither `security definer` nor given a
-- `set search_path` (as 0057's `private.request_round`): the planner inlines it where it is called, so each plan
-- computes the expression it replaces and no function call (tests/integration/test_first_word.py). Every name in it
-- carries its schema. Executable by `authenticated` and `service_role` (a function the caller may not execute is
-- not inlined), never by `anon`.
create function private.first_word(name text) returns text
language sql immutable parallel safe
as $$
    select nullif(pg_catalog.split_part(name, ' ', 1), '')
$$;
revoke all on function private.first_word(text) from public, anon;
grant execute on function private.first_word(text) to authenticated, service_role;

-- 0061's, the rule asked of the function.
create or replace function private.first_name(person uuid) returns text
language sql stable security definer
set search_path = ''
as $$
    select private.first_word(p.display_name)
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

-- 0064's, the same.
create or replace function private.timeline_actor_names(req uuid) returns table (event_id bigint, actor_name text)
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
                    then (select private.first_word(p.display_name) from public.profiles p
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

-- 0064's, the same.
create or replace function private.technician_first_name(req uuid) returns text
language sql stable security definer
set search_path = ''
as $$
    select private.first_word(p.display_name)
    from public.repair_requests r
    join public.profiles p on p.id = r.technician_id
    where r.id = req and private.can_see_request(req)
$$;
