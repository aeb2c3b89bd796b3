-- A deleted owner's coarsened point says it is approximate (review17a, finding 1).
--
-- An account deletion (`private.forget_person`, 0012/0044/0060/0062) rounds each of the owner's requests to 0.1
-- degree (some 11 km) and writes its offers' distances again from that point. 0068 made a request say when its pin is
-- an area's middle rather than the house (`location_approximate`, on the request and on the offer card's copy), and
-- a read of a point coarsened for a finished job says so (`private.request_as_read`), but the deletion left the flag
-- as the pin was sent: the teacher's detail, with its route button, and the offer cards called the rounded point the
-- house. forget_person now sets the flag on the request and on its offers in the statements that already coarsen
-- them (no new statement, no new lock, the same order). Otherwise it is 0062's.
--
-- Requests anonymised before this migration (their citizen is gone: `citizen_id` is set null only by a deletion,
-- 0012, and every version of forget_person rounded the point) are marked too, with their offers.

create or replace function private.forget_person() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    request_count int;
begin
    perform set_config('fixit.note', 'account deleted', true);
    update public.offers o set status = 'withdrawn', responded_at = now()
    from public.repair_requests r
    where o.request_id = r.id and r.citizen_id = old.id and o.status = 'pending';
    update public.repair_requests set status = 'cancelled'
    where citizen_id = old.id and status not in ('done', 'handed_back', 'cancelled', 'unrepairable');
    -- Nobody answers their parts' questions any more: withdrawn, as a cancelled job's are (0044).
    update public.job_parts jp set status = 'withdrawn', decided_at = now()
    from public.repair_requests r
    where jp.request_id = r.id and r.citizen_id = old.id and jp.status = 'proposed';
    -- A phone approval's note names them (who approved, and when): erased (2).
    update public.job_parts jp set approval_note = '-'
    from public.repair_requests r
    where jp.request_id = r.id and r.citizen_id = old.id and jp.approval = 'phone';
    -- A teacher's reason for handing the item back without the owner's confirmation names who collected it
    -- (often the owner, or a relative, by name): erased ('-', as the note above).
    update public.job_handovers h set reason = '-'
    from public.repair_requests r
    where h.request_id = r.id and r.citizen_id = old.id and h.reason <> '';

    insert into private.photo_uploads (path, request_id)
    select p.path, ph.request_id
    from public.request_photos ph
    join public.repair_requests r on r.id = ph.request_id and r.citizen_id = old.id
    cross join lateral (values (ph.storage_path), (ph.thumb_path)) as p (path)
    on conflict (path) do nothing;
    delete from public.request_photos ph using public.repair_requests r
    where r.id = ph.request_id and r.citizen_id = old.id;

    update public.repair_requests set
        contact_phone = null, address = '', sub_district = '',
        lat = round(lat::numeric, 1)::double precision, lon = round(lon::numeric, 1)::double precision,
        description = '-', rating_comment = null, location_approximate = true
    where citizen_id = old.id;
    get diagnostics request_count = row_count;
    -- The offers' distances, from the coarsened place (3): the great circle shared/geo.py measures, to 10 m as
    -- dispatch stores it; the "offer_new" notifications that repeat them follow. The offer card's copy of the flag
    -- (0068) says the point is an area's, as the request now does.
    update public.offers o set location_approximate = true, distance_km = round((2 * 6371.009 * asin(sqrt(
            power(sin(radians(c.lat - r.lat) / 2), 2)
            + cos(radians(r.lat)) * cos(radians(c.lat)) * power(sin(radians(c.lon - r.lon) / 2), 2))))::numeric, 2)
    from public.repair_requests r, public.colleges c
    where o.request_id = r.id and r.citizen_id = old.id and c.id = o.college_id;
    update public.notifications n set params = n.params || jsonb_build_object('distance_km', o.distance_km)
    from public.offers o, public.repair_requests r
    where n.offer_id = o.id and o.request_id = r.id and r.citizen_id = old.id and n.params ? 'distance_km';
    update public.status_events set note = '' where actor_id = old.id;
    delete from private.otp_codes where phone = old.phone;

    perform private.audit('account.delete', 'profiles', old.id,
                          jsonb_build_object('role', old.role, 'college_id', old.college_id,
                                             'requests_anonymised', request_count), null);
    return old;
end
$$;
revoke all on function private.forget_person() from public, anon, authenticated;

-- The requests of owners deleted before (each was coarsened by forget_person), and their offer cards.
update public.repair_requests set location_approximate = true
where citizen_id is null and not location_approximate;
update public.offers o set location_approximate = true
from public.repair_requests r
where o.request_id = r.id and r.citizen_id is null and not o.location_approximate;
