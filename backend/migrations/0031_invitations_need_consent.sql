-- Nobody's account changes role without their consent. A teacher's or an admin's registration of a phone that
-- already has a citizen account used to change `profiles.role` at once; it is now an invitation that waits here,
-- tied to that profile, until the person accepts (the role changes then) or declines (the row stays, marked, so the
-- same person is not asked again straight away: shared/invitations.py). A phone without an account keeps the
-- invite of 0012, applied at the first sign-in. Deleting the account deletes its invitation.
alter table private.staff_invites
    add column profile_id uuid unique references public.profiles (id) on delete cascade,
    add column declined_at timestamptz,
    add constraint staff_invites_declined_needs_profile check (declined_at is null or profile_id is not null);
