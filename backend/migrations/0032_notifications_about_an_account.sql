-- Notifications not about a repair request (shared/notifications.py ACCOUNT_KINDS): a college's invitation to the
-- invited person, and the person's answer to the teacher or admin who invited them. They have no request
-- (request_id stays null, as 0016 allows) and are written by backend/notifications/invitations.py in the same
-- transaction as the invitation or the answer.
-- An answer names the invited person to the inviter; `about_id` ties such a row to that person so that deleting
-- their account (PDPA) deletes what names them in someone else's inbox too, not only their own notifications.
alter table public.notifications
    add column about_id uuid references public.profiles (id) on delete cascade;
create index notifications_about on public.notifications (about_id) where about_id is not null;
