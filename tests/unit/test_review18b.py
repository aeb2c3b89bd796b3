"""review18b: a hostile review of session 18's newer code. Each test is a finding that fails today (xfail strict)."""
