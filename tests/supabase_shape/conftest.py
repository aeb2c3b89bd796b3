# Collecting this folder makes the session's database Supabase-shaped (unless FIXIT_TEST_DATABASE_URL names one):
# `pytest tests/supabase_shape` alone works, and `./fixit test` runs it with tests/integration in that mode.
import os

if not os.environ.get("FIXIT_TEST_DATABASE_URL", "").strip():
    os.environ["FIXIT_TEST_SUPABASE_SHAPE"] = "1"
