"""audit15a: privacy findings provable without a database. Each test fails today (a strict xfail until fixed)."""
