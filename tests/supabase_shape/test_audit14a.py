"""Review 14a on a database built the way Supabase builds one: what the API roles hold in `public` beyond what the
migrations grant. Each finding is a strict xfail until it is fixed (its reason names what is wrong).

Its four findings are fixed (migration 0052); their tests live on in tests/supabase_shape/test_sequence_grants.py
and tests/supabase_shape/test_gotrue_boundary.py (GoTrue's writes: tests/supabase_shape/gotrue.py)."""
