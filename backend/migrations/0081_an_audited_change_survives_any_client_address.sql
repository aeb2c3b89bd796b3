-- Review audit18a, finding 1: behind a proxy uvicorn trusts, the caller's address is X-Forwarded-For as written.
-- `private.audit` (0008) cast `fixit.client_ip` to inet when it matched '^[0-9a-fA-F:.]+$': "dead", "1.2.3" and
-- "::::" match, the cast failed, and every audited change of that caller (a status, an assignment, a role) was a
-- 500. The backend now sets only an address Python's ipaddress accepts (backend/deps.py checked_address); here the
-- setting is cast only inside a block that catches a malformed one: no address rather than no change.
-- 0008's definition is restated whole with that one difference. Lock order (backend/services/dispatch.py): unchanged
-- (it inserts one audit row and locks nothing).

create or replace function private.audit(action text, target_table text, target_id uuid, before jsonb, after jsonb)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
    ip text := nullif(current_setting('fixit.client_ip', true), '');
    address inet;
begin
    if ip is not null then
        begin
            address := ip::inet;
        exception when invalid_text_representation or invalid_parameter_value then
            address := null;
        end;
    end if;
    insert into public.audit_events (actor_id, actor, client_ip, action, target_table, target_id, before, after)
    values (
        auth.uid(),
        coalesce(nullif(current_setting('fixit.actor', true), ''),
                 case when auth.uid() is null then 'operator' else 'user' end),
        address,
        action, target_table, target_id, before, after
    );
end
$$;
revoke all on function private.audit(text, text, uuid, jsonb, jsonb) from public;
