"""Audit 16b, the findings no database is needed for: production mode starting on settings it should refuse.

Each test fails today and is marked `xfail(strict=True)` until its fix lands (then the mark goes)."""

from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from backend.notifications.channels.registry import make_channels
from backend.notifications.worker import WorkerConfig
from backend.settings import AuthMode, Settings


def _production(**changes: Any) -> Settings:
    """Settings `serve` accepts today: Supabase Auth on https, the public address and the database set, not
    development mode (each test changes one thing)."""
    values: dict[str, Any] = {
        "dev_mode": False, "auth_mode": AuthMode.SUPABASE, "supabase_url": "https://abcdefgh.supabase.co",
        "supabase_anon_key": SecretStr("anon-key"), "supabase_service_role_key": SecretStr("service-role-key"),
        "public_url": "https://api.fixit.example",
        "database_url": "postgresql://postgres.abcdefgh@aws-0-ap-southeast-1.pooler.supabase.com:5432/postgres",
    }
    return Settings(_env_file=None, **{**values, **changes})  # type: ignore[call-arg]


def test_the_base_production_settings_are_accepted() -> None:
    """The tests below change one thing each from settings production accepts."""
    assert _production().production_problems() == []


@pytest.mark.xfail(strict=True, reason="audit16b: production starts with notification links to http://127.0.0.1:8550")
def test_production_refuses_notification_links_to_this_machine() -> None:
    """FIXIT_NOTIFY_LINK_BASE defaults to the development app's address and production never checks it: with LINE
    (or SMS, push) delivering, every message people get links to http://127.0.0.1:8550/… (a dead link on their
    phone; in an SMS, a paid one). FIXIT_PUBLIC_URL, the same kind of setting, is refused at start when it is not
    https://; this one should be too while any channel delivers."""
    settings = _production(notify_channels=["line"], line_channel_access_token=SecretStr("line-token"),
                           line_channel_secret=SecretStr("line-secret"),
                           notify_link_base=Settings.model_fields["notify_link_base"].default)
    link = WorkerConfig.of(settings).link_base
    assert link.startswith("https://") or settings.production_problems(), (
        f"production starts and every message links to {link}")


@pytest.mark.xfail(strict=True, reason="audit16b: a channel named in FIXIT_NOTIFY_CHANNELS without its credentials "
                                       "is dropped with a log line, production starts")
def test_production_refuses_a_named_channel_it_cannot_deliver_through() -> None:
    """FIXIT_NOTIFY_CHANNELS='["line","sms"]' with the LINE token or the SMS key missing (a typo in the variable's
    name, a secret not mounted): registry.make_channels drops each with one warning in the log and the service starts
    delivering through nothing, so nobody learns of a job, an offer or a ready repair outside the app: not even the
    SMS fallback of people with no app and no LINE. The operator asked for these channels: production should refuse
    to start naming what is missing, as it does for SUPABASE_ANON_KEY."""
    settings = _production(notify_channels=["line", "sms"], notify_link_base="https://app.fixit.example")
    dropped = set(settings.notify_channels) - set(make_channels(settings))
    assert dropped == {"line", "sms"}
    assert settings.production_problems(), f"production starts without the channels {sorted(dropped)}"


@pytest.mark.xfail(strict=True, reason="audit16b: production without DATABASE_URL starts an embedded PostgreSQL and "
                                       "refuses with a misleading reason")
def test_production_names_a_missing_database_url() -> None:
    """An empty DATABASE_URL means "start the embedded PostgreSQL under the data folder", a development convenience.
    `fixit-backend serve` in production mode with DATABASE_URL missing (a secret not mounted, `DATABSE_URL`) starts
    that server on the machine, creates `.data/pg`, then refuses with "the database could not be checked for the
    demo accounts: relation "auth.users" does not exist" (seen running it), which sends the operator after the
    demo accounts and migrations instead of the missing variable; the app itself (backend.asgi) would connect to
    libpq's defaults (PGHOST…, a local socket), not to the database `serve` checked. Production should refuse an
    empty DATABASE_URL first, naming it."""
    settings = _production(database_url="")
    assert any("DATABASE_URL" in problem for problem in settings.production_problems())


class _Touched(BaseException):
    """The clock asked the pool for a connection (a BaseException: the clock's `except Exception` lets it out)."""


class _UntouchablePool:
    def connection(self, *_: object, **__: object) -> Any:
        raise _Touched


@pytest.mark.xfail(strict=True, reason="audit16b: FIXIT_DISPATCH_TICK_SECONDS=0 runs the SLA clock in a tight loop")
async def test_a_dispatch_tick_of_zero_seconds_is_refused_or_off() -> None:
    """FIXIT_NOTIFY_WORKER_SECONDS=0 turns a copy's delivery worker off (README); the clock's own
    FIXIT_DISPATCH_TICK_SECONDS has no bound at all, and 0 (or a negative number) makes `dispatch_ticks` sleep 0 s
    between turns: every copy runs the whole tick (about ten transactions) back to back for ever, on the database
    every copy shares and on the event loop the live streams and requests share. 0 should be refused at start, or
    mean off as the worker's does; it must not mean "as fast as possible". Here the clock meets a pool it may not
    use: today it uses it at once."""
    from backend.dispatch_ticks import dispatch_ticks

    try:
        settings = _production(dispatch_tick_seconds=0)
    except ValidationError:
        return  # refused: fine
    if settings.production_problems():
        return  # refused at start: fine
    await dispatch_ticks(_UntouchablePool(), settings)  # type: ignore[arg-type]
