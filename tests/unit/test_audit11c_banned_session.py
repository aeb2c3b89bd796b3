"""Audit 11c: suspended11 renamed GoTrue's `user_banned` to `account_banned` (403), which the app does not count
as a session that cannot go on (`ApiError.is_auth_lost`: 401, token_invalid/not_authenticated/session_expired, or
account_suspended). A person banned in Supabase Auth whose access token runs out gets 403 account_banned from
POST /auth/refresh on every call: the app stays on its home showing errors instead of the login, and the outbox
marks their drafts FAILED (a 4xx "no") instead of holding them for when they are signed in. Right behaviour: a
banned session is lost (back to the login, with account_banned's text saying whom to ask)."""

from mobile.api_client import ApiError


def test_a_banned_session_is_a_lost_session() -> None:
    banned = ApiError.from_catalog(403, "account_banned")
    assert banned.is_auth_lost
