-- Review review15b: what a student keeps of a job that is over.
--
-- 0060 gave the student on a job (its lead or a helper) the owner's phone and exact address while the job needs
-- them, and after that the request "with the place coarsened as an anonymised request's": `private.request_as_read`
-- blanked the phone and the address and rounded the point to 0.1 degree, but kept the sub-district (ตำบล), which an
-- anonymised request (`private.forget_person`, 0044/0060/0062) erases. With the 0.1 degree point, a sub-district
-- places the owner's home far closer than the coarsened place promises. The sub-district is now blanked in the same
-- branch; the province and district stay (the job's area, as an anonymised request keeps them), and so does the
-- description: the student's record of the work needs what was asked. Otherwise the function is 0060's (its grants
-- stay: `create or replace` keeps them).
create or replace function private.request_as_read(req uuid) returns setof public.repair_requests
language plpgsql stable security definer
set search_path = ''
as $$
declare
    r public.repair_requests;
    me uuid := auth.uid();
    reader public.app_role := private.my_role();
begin
    if reader is null then
        return;
    end if;
    select * into r from public.repair_requests x where x.id = req;
    if not found then
        return;
    end if;
    if r.citizen_id = me or (reader = 'supervisor' and r.college_id = private.my_college()) or reader = 'admin' then
        return next r;
    elsif r.technician_id = me or (reader = 'technician' and private.helps_on(r.id)) then
        if not (r.status = any (private.contact_open())) then
            r.contact_phone := null;
            r.address := '';
            r.sub_district := '';
            r.lat := round(r.lat::numeric, 1)::double precision;
            r.lon := round(r.lon::numeric, 1)::double precision;
        end if;
        return next r;
    end if;
end
$$;
