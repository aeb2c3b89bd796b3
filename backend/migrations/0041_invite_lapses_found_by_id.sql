-- A withdraw of an invitation that is no longer there tells why (backend/services/staff.py withdraw_invite): the
-- person said yes (`staff.invite_accept`, 0036's index audit_events_invite_accepted), or their first sign-in found it
-- expired and dropped it (`staff.invite_lapse`, 0039), which answers 409 invitation_lapsed rather than 404. This
-- index finds a lapse by the invitation's id as 0036's finds a yes, so the lookup never scans the trail.
create index audit_events_invite_lapsed on public.audit_events ((after ->> 'invite_id'))
    where action = 'staff.invite_lapse';
