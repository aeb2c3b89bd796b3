"""The production-mode start check, in one place for every way the service starts: `fixit-backend serve`, and
`uvicorn backend.asgi:app` (or gunicorn, granian) started by hand."""

from collections.abc import Callable

import psycopg

from backend.seed import demo_accounts_present
from backend.settings import Settings

DEMO_ACCOUNTS = ("the database holds the demo accounts (anyone knows their phone numbers): remove them with "
                 "`fixit-backend remove-demo`, or set FIXIT_DEV_MODE=true on a development machine")


def start_refusals(settings: Settings, database_url: Callable[[], str]) -> list[str]:
    """Why this process must not serve in production mode (empty: it may). Development mode refuses nothing and
    does not look at the database. Otherwise: the settings' problems, and a database that holds the demo accounts
    (with Supabase Auth an SMS to a demo number goes to whoever really holds it, who then signs in as that demo
    person, the demo admin too). `database_url` is asked only when the database is looked at (`serve` may start
    the embedded one). A database that cannot be looked at is refused too, naming why: a start with the demo
    accounts unchecked would serve them once the database answers."""
    if settings.dev_mode:
        return []
    problems = settings.production_problems()
    try:
        if demo_accounts_present(database_url(), settings.seed_dir):
            problems.append(DEMO_ACCOUNTS)
    except psycopg.Error as exc:
        problems.append(f"the database could not be checked for the demo accounts: {str(exc).strip()}")
    return problems
