"""review18b: a hostile review of session 18's newer code, through the real app and PostgreSQL. Each test is a
finding that fails today (xfail strict)."""
