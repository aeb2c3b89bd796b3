"""review15b: a hostile review of this session's privacy and resend code (migrations 0060, 0061; the 409 replay).

Each test is a finding that fails today, marked strict xfail so the branch stays green; the fix removes the mark.
Real PostgreSQL, the app's routes through httpx."""
