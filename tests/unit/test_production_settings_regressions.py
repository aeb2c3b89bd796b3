"""Production mode refuses, at start, settings it cannot serve people with (audit 16b, findings 2, 3, 11 and 14):
each refusal names the variable and what to set, and every problem is listed at once."""

from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from backend.notifications.channels.registry import make_channels
from backend.notifications.worker import WorkerConfig
from backend.settings import AuthMode, Settings


def _production(**changes: Any) -> Settings:
    """Settings production accepts: Supabase Auth on https, the public address, the database and the photo store
    set, not development mode (each test changes one thing)."""
    values: dict[str, Any] = {
        "dev_mode": False, "auth_mode": AuthMode.SUPABASE, "supabase_url": "https://abcdefgh.supabase.co",
        "supabase_anon_key": SecretStr("anon-key"), "supabase_service_role_key": SecretStr("service-role-key"),
        "public_url": "https://api.fixit.example",
        "database_url": "postgresql://postgres.abcdefgh@aws-0-ap-southeast-1.pooler.supabase.com:5432/postgres",
    }
    return Settings(_env_file=None, **{**values, **changes})  # type: ignore[call-arg]


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
    assert any("FIXIT_NOTIFY_LINK_BASE" in p for p in settings.production_problems())
    assert settings.model_copy(update={"notify_link_base": "https://app.fixit.example"}).production_problems() == []
    assert _production().production_problems() == []  # no channel delivers: no link is ever sent


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
    text = "\n".join(settings.production_problems())
    for variable in ("FIXIT_LINE_CHANNEL_ACCESS_TOKEN", "FIXIT_LINE_CHANNEL_SECRET", "FIXIT_SMS_API_KEY",
                     "FIXIT_SMS_API_SECRET"):
        assert variable in text, text


def test_production_refuses_unknown_and_development_channels(tmp_path: Path) -> None:
    """A misspelt channel delivers nothing either; `console` only writes people's messages to the log."""
    problems = _production(notify_channels=["lnie", "console"], notify_link_base="https://app.fixit.example",
                           ).production_problems()
    assert any("'lnie'" in p and "not a channel" in p for p in problems), problems
    assert any("'console'" in p for p in problems), problems
    missing_file = _production(notify_channels=["fcm"], notify_link_base="https://app.fixit.example",
                               fcm_service_account_file=tmp_path / "firebase.json").production_problems()
    assert any("FIXIT_FCM_SERVICE_ACCOUNT_FILE" in p for p in missing_file), missing_file


def test_every_channel_configured_as_the_readme_says_is_accepted(tmp_path: Path) -> None:
    account = tmp_path / "firebase.json"
    account.write_text("{}", encoding="utf-8")
    settings = _production(
        notify_channels=["fcm", "webpush", "line", "sms", "onesignal"], notify_link_base="https://app.fixit.example",
        fcm_service_account_file=account, vapid_private_key=SecretStr("private"), vapid_public_key="public",
        line_channel_access_token=SecretStr("token"), line_channel_secret=SecretStr("secret"),
        sms_api_key=SecretStr("key"), sms_api_secret=SecretStr("secret"), onesignal_app_id="app",
        onesignal_api_key=SecretStr("key"))
    assert settings.production_problems() == []


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


def test_every_problem_is_named_at_once() -> None:
    """The operator fixes them in one go: each variable named in the one refusal."""
    text = "\n".join(_production(database_url="", supabase_service_role_key=SecretStr(""), public_url="",
                                 notify_channels=["line"]).production_problems())
    for variable in ("DATABASE_URL", "SUPABASE_SERVICE_ROLE_KEY", "FIXIT_PUBLIC_URL", "FIXIT_LINE_CHANNEL_ACCESS_TOKEN",
                     "FIXIT_NOTIFY_LINK_BASE"):
        assert variable in text, text


class _Touched(BaseException):
    """The clock asked the pool for a connection (a BaseException: the clock's `except Exception` lets it out)."""


class _UntouchablePool:
    def connection(self, *_: object, **__: object) -> Any:
        raise _Touched


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


@pytest.mark.parametrize("seconds", ["0", "-5", "0.2"])
def test_a_refused_setting_is_named_as_it_is_set(monkeypatch: pytest.MonkeyPatch, seconds: str) -> None:
    """`serve` and backend.asgi refuse a value the settings refuse naming the variable (not pydantic's field name),
    every such variable at once."""
    from backend.production import invalid_settings

    monkeypatch.setenv("FIXIT_DISPATCH_TICK_SECONDS", seconds)
    monkeypatch.setenv("FIXIT_OTP_LENGTH", "4")
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None)  # type: ignore[call-arg]
    problems = invalid_settings(refused.value)
    english = [p.split("\n")[-1].strip() for p in problems]  # Thai first, English on the next line
    assert any(e.startswith(f"FIXIT_DISPATCH_TICK_SECONDS={seconds}:") for e in english), problems
    assert any(e.startswith("FIXIT_OTP_LENGTH=4:") for e in english), problems


def test_serve_refuses_a_refused_setting_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """`fixit-backend serve` says which variable and why, as its other refusals do (exit 2, no traceback)."""
    from typer.testing import CliRunner

    from backend.cli import app
    from backend.settings import get_settings

    monkeypatch.setenv("FIXIT_DISPATCH_TICK_SECONDS", "0")
    get_settings.cache_clear()
    try:
        done = CliRunner().invoke(app, ["serve", "--port", "9"])
    finally:
        get_settings.cache_clear()
    assert done.exit_code == 2, (done.output, done.exception)
    assert "FIXIT_DISPATCH_TICK_SECONDS=0" in done.output, done.output
