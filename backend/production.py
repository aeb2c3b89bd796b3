"""The production-mode start check, in one place for every way the service starts: `fixit-backend serve`, and
`uvicorn backend.asgi:app` (or gunicorn, granian) started by hand."""

import re
from collections.abc import Callable, Mapping
from urllib.parse import quote

import psycopg
from psycopg.conninfo import conninfo_to_dict
from pydantic import AliasChoices, SecretStr, ValidationError

from backend.db import connect
from backend.logs import redact
from backend.migrate import discover
from backend.seed import demo_accounts_present
from backend.settings import Settings
from shared.text import Bilingual, error_text, refusal_line, start_refusal

DEMO_ACCOUNTS = start_refusal("start_demo_accounts")


def start_refusals(settings: Settings, database_url: Callable[[], str]) -> list[str]:
    """Why this process must not serve in production mode (empty: it may), every reason at once. Development mode
    refuses nothing and does not look at the database. Otherwise: the settings' problems, then the database: one
    that lacks a migration this code has, or holds the demo accounts (with Supabase Auth an SMS to a demo number goes
    to whoever really holds it, who then signs in as that demo person, the demo admin too). `database_url` is asked
    only when the database is looked at (`serve` may start the embedded one), never without DATABASE_URL (that is
    refused, and production starts no embedded database). A database that cannot be looked at is refused too, naming
    why: a start with the demo accounts unchecked would serve them once the database answers."""
    if settings.dev_mode:
        return []
    problems = settings.production_problems()
    if not settings.database_url:
        return problems
    url = database_url()
    if not database_url_readable(url):
        return [*problems, refusal_line(error_text("database_url_unreadable"))]
    try:
        behind, migrated = _migrations_missing(url)
        problems += behind
        if migrated and demo_accounts_present(url, settings.seed_dir):  # unmigrated: no accounts to look at yet
            problems.append(DEMO_ACCOUNTS)
    except psycopg.Error as exc:
        reason = (connection_failure(exc, url) if isinstance(exc, psycopg.OperationalError)
                  else Bilingual(driver_text(exc, url), driver_text(exc, url)))
        problems.append(start_refusal("start_database_unchecked", reason_th=reason.th, reason_en=reason.en))
    return problems


def database_url_readable(url: str) -> bool:
    """Whether libpq can read `url` at all. When it cannot, its message quotes the string, password included
    (`missing "=" after "postgresql//user:secret@host…"`, `invalid percent-encoded token: "secret"`): a caller says
    `database_url_unreadable` instead, never the driver's text."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.Error:
        return False
    return not _password_misread(url, parts)


_URI_SCHEME = re.compile(r"(?i)^postgres(?:ql)?://")


def _password_misread(url: str, parts: Mapping[str, object]) -> bool:
    """Whether libpq read part of the password as another part: an unencoded `@` or `/` in it ends the password there
    (`postgresql://u:hunter2@Tail@host/db` is password `hunter2`, host `Tail@host`; `postgresql://u:pa/ss@host/db`
    is host `u`, port `pa`, database `ss@host/db`), and a refusal naming the host, port or database would print the
    rest of the password. Such a URL is refused as unreadable (its text says to percent-encode @ : / % # ?): an `@`
    is unencoded only once, between the password and the host, and a port is digits."""
    scheme = _URI_SCHEME.match(url)
    if scheme is not None:
        rest = url[scheme.end():]
        authority, _, path = rest.partition("/")
        if authority.count("@") > 1 or "@" in path.partition("?")[0]:
            return True
    if any("@" in str(parts.get(key) or "") for key in ("host", "hostaddr", "port")):
        return True
    return any(not port.strip().isdigit() for port in str(parts.get("port") or "").split(",") if port.strip())


def driver_text(exc: psycopg.Error, url: str) -> str:
    """The driver's text about a connection to `url` (a refused password, a host that does not answer), without the
    password or the URL, whichever way libpq repeats them; then through the logs' redaction as a second net."""
    text = str(exc).strip()
    secrets = [url]
    try:
        password = conninfo_to_dict(url).get("password")
    except psycopg.Error:
        return error_text("database_url_unreadable").en
    if password:
        secrets += [str(password), quote(str(password), safe="")]
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "[redacted]")
    return redact(text, mask_phones=False)


# What libpq says (its words, English whatever the server's language for these client-side failures) of each
# failure an operator can cure, checked in this order.
_CONNECTION_FAILURES = (
    ("database_ssl_required", ("ssl connection is required", "ssl off", "no encryption", "sslmode",
                               "server does not support ssl")),
    ("database_password_refused", ("password authentication failed", "no password supplied",
                                   "password is required")),
    ("database_missing", ("does not exist",)),
    ("database_unreachable", ("connection refused", "could not translate host name", "failed to resolve host",
                              "name or service not known", "timeout expired", "no route to host",
                              "network is unreachable", "could not connect", "connection timed out")),
)


def connection_failure(exc: psycopg.Error, url: str) -> Bilingual:
    """What failed when `url` (readable) was connected to, in Thai and English: the host unreachable, the password
    refused, the database missing or SSL required, else the driver's own text (`driver_text`). Names the host, port,
    user and database, never the password."""
    parts = conninfo_to_dict(url)
    host = str(parts.get("host") or "localhost")
    values = {"host": host, "port": str(parts.get("port") or "5432"), "user": str(parts.get("user") or ""),
              "database": str(parts.get("dbname") or parts.get("user") or "")}
    said = str(exc).lower()
    for code, words in _CONNECTION_FAILURES:
        if code == "database_missing" and f'database "{values["database"].lower()}"' not in said:
            continue  # "role … does not exist" is a wrong user, told in the driver's words
        if any(word in said for word in words):
            return error_text(code, **values)
    return error_text("database_connect_failed", **values, detail=driver_text(exc, url))


def _migrations_missing(database_url: str) -> tuple[list[str], bool]:
    """A database behind this code: the migration files it has not applied (and whether it was ever migrated).

    Which copy refuses: every serving copy checks, and none of them migrates (`serve` and backend.asgi never do).
    The one that migrates is `fixit-backend migrate` (cli.py), run once per release before its copies start (README,
    step 4; its advisory lock lets several run at once). A copy of a new release started before that (the code rolled
    out first, an autoscaler, a `migrate` that failed half-way) refuses to start, so the load balancer keeps sending
    to the copies already serving instead of to one answering 500 wherever the missing file is needed. A database
    ahead of the code is fine: during a rolling upgrade the previous release's copies keep serving, and restarting,
    on the migrated database."""
    with connect(database_url, autocommit=True) as conn:
        row = conn.execute("select to_regclass('private.schema_migrations') is not null").fetchone()
        if not (row and row[0]):
            return [start_refusal("start_never_migrated")], False
        applied = {str(r[0]) for r in conn.execute("select version from private.schema_migrations")}
    missing = [m.version for m in discover() if m.version not in applied]
    if not missing:
        return [], True
    return [start_refusal("start_migrations_missing", count=len(missing), versions=", ".join(missing))], True


def invalid_settings(exc: ValidationError) -> list[str]:
    """A setting whose value is refused (FIXIT_DISPATCH_TICK_SECONDS=0, …), named as it is set: the variable and
    what it must be, one line each, every one at once."""
    problems = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else ""
        info = Settings.model_fields.get(field)
        alias = info.validation_alias if info is not None else None
        variable = (str(alias.choices[0]) if isinstance(alias, AliasChoices) else
                    str(alias) if isinstance(alias, str) else f"FIXIT_{field.upper()}")
        secret = info is not None and info.annotation is SecretStr
        problems.append(start_refusal("setting_not_valid", variable=variable,
                                      value="" if secret else "=" + str(error.get("input")), reason=error["msg"]))
    return problems
