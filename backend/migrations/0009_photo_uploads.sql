-- Photo objects that may sit in storage with no committed row pointing at them: an upload's new objects, recorded
-- and committed before they are written, and a replaced photo's old objects, recorded in the transaction that
-- switches the row away from them. The switch removes its upload's records; the backend deletes the old objects
-- right after commit; a periodic sweep (backend/services/photo_intake.py) deletes whatever a crash left behind.

create table private.photo_uploads (
    path text primary key,
    -- No foreign key: the record must outlive a deleted request, or its objects would never be swept.
    request_id uuid not null,
    created_at timestamptz not null default now()
);
create index photo_uploads_created on private.photo_uploads (created_at);

alter table private.photo_uploads enable row level security;  -- no policy: only the backend's owner role uses it
revoke all on private.photo_uploads from anon, authenticated, public;
