"""Every way the service starts refuses production mode on a database holding the demo accounts (audit 12,
finding 7): `uvicorn backend.asgi:app` by hand as `fixit-backend serve` does, with one check (backend.production)."""

import os
import subprocess
import sys

from backend.settings import PROJECT_ROOT

SUPABASE = "https://abcdefgh.supabase.co"


def _production_env(database_url: str) -> dict[str, str]:
    """A production configuration that is fine in itself (Supabase Auth, https), on the test database (seeded with
    the demo accounts)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FIXIT_", "SUPABASE_"))}
    env.update({"DATABASE_URL": database_url, "FIXIT_AUTH_MODE": "supabase", "SUPABASE_URL": SUPABASE,
                "SUPABASE_ANON_KEY": "anon-key", "FIXIT_PUBLIC_URL": "https://api.fixit.example"})
    return env


def test_the_asgi_entry_refuses_the_demo_accounts_too(database_url: str) -> None:
    """README: "`serve` (and `uvicorn backend.asgi:app`) refuses to start" in production mode, and the demo
    accounts are a development convenience ("anyone knows their phone numbers": with Supabase Auth an SMS to
    084-444-4444 goes to whoever really holds that number, who then signs in as the demo admin). backend/asgi.py ran
    `production_problems()` only, the settings; the demo check lived in cli.serve. Here a production configuration
    on a database with the demo accounts imports backend.asgi: refused, naming them."""
    done = subprocess.run([sys.executable, "-c", "import backend.asgi"], cwd=PROJECT_ROOT,
                          env=_production_env(database_url), capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode != 0, "backend.asgi started on a database with the demo accounts"
    assert "Refusing to start in production mode" in done.stderr and "demo accounts" in done.stderr, done.stderr


def test_a_database_that_cannot_be_checked_is_refused(database_url: str) -> None:
    """The check cannot be skipped by starting while the database does not answer: the demo accounts would be
    served once it does. Refused, saying why."""
    env = _production_env(database_url)
    env["DATABASE_URL"] = "postgresql://nobody@127.0.0.1:1/nothing?connect_timeout=5"  # nothing listens on port 1
    done = subprocess.run([sys.executable, "-c", "import backend.asgi"], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode != 0, "backend.asgi started without checking for the demo accounts"
    assert "could not be checked for the demo accounts" in done.stderr, done.stderr
