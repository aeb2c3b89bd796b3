"""review14: a hostile review of session 14's new code, where only Supabase's shape shows it (GoTrue's writes to
auth.users, migration 0052). Each test is a finding, failing today (strict xfail) until it is fixed."""
