"""review14: a hostile review of session 14's new code. Each test is a finding, failing today (strict xfail) until
it is fixed. Real PostgreSQL."""
