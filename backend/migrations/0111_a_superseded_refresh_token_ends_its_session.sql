-- audit26 F2: the local issuer's refresh reuse interval (resil25, backend/auth/sessions.py) answers a rotated token
-- presented again within `refresh_token_reuse_seconds` as the app asking again for an answer it lost, and the
-- session's unused token (the lost answer's) went: deleted. But a copy of the token replayed within the interval
-- (a proxy's log, a backup of the phone) is answered the same way, and then the token deleted was the one the app
-- holds: its next refresh found no row, signed the app out without ending the session, and the copy's token kept
-- the session for 30 days idle. A token so replaced is now kept, marked `superseded_at`: presenting it is a second
-- use of a used token (no app presents one of its own: the answer that named it never reached the app), which ends
-- the whole session as any other reuse does, the copy's token with it.
alter table private.refresh_tokens add column superseded_at timestamptz;
comment on column private.refresh_tokens.superseded_at is
    'replaced by an answer to its parent asked again within the reuse interval: presenting it ends the session';
