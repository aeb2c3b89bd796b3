-- A live-events stream is scoped when it opens: the viewer's role and college decide what it carries
-- (backend/live.py, the same rule as RLS). A change of either (an admin moving a teacher to another college or
-- making them a citizen, a student taken off a roster, a college deleted from under its staff) changes what RLS
-- lets the person read at once; their open streams must follow. The change is announced on `fixit_events` as
-- `access_changed`, which every backend copy hears: each ends that person's streams, and the app reconnects at
-- once (mobile/live.py), scoped anew. Nothing of it goes over the wire. The suspension and the deletion of an
-- account keep their own `account_closed` (0040).
create function private.announce_access_changed() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    perform pg_notify('fixit_events', json_build_object('kind', 'access_changed', 'user_id', new.id)::text);
    return null;
end
$$;
revoke all on function private.announce_access_changed() from public, anon, authenticated;
create trigger profiles_announce_access_changed after update of role, college_id on public.profiles
    for each row when (old.role is distinct from new.role or old.college_id is distinct from new.college_id)
    execute function private.announce_access_changed();
