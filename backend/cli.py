"""`fixit-backend`: run, migrate, seed and load data. Long work shows progress."""

import asyncio
import os
import signal
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from backend.settings import Settings, get_settings

if TYPE_CHECKING:
    from backend.db import Conn
    from backend.errors import ApiError
    from backend.services.account import NumberHeld

app = typer.Typer(help="Fixit backend: ช่างพันธุ์ R อาชีวะซ่อมทั่วไทย", no_args_is_help=True)
console = Console()
T = TypeVar("T")


def _database_url(settings: Settings) -> str:
    """DATABASE_URL when set; otherwise, in development mode only, the embedded PostgreSQL under the data folder
    (started if needed). Production mode never starts it (as `serve` refuses to): without DATABASE_URL, `migrate`,
    `seed` or `register-staff` run in a shell that lost its `export` would fill a database on this machine that
    nothing serves, and report success. A URL libpq cannot read is refused without repeating it (libpq's own
    message quotes it, password included)."""
    if settings.database_url:
        from backend.production import database_url_readable

        if not database_url_readable(settings.database_url):
            _refused_with("database_url_unreadable")
        _connects(settings.database_url)
        return settings.database_url
    if not settings.dev_mode:
        _refused_with("database_url_required")
    return _embedded_database_url(settings)


def _connects(url: str) -> None:
    """Exit 1 before anything is done when the database of a readable DATABASE_URL does not answer, saying what
    failed in Thai and English (host unreachable, password refused, database missing, SSL required) without the
    password: the driver's traceback quoted the URL's parts and told the operator nothing they could act on."""
    import psycopg

    from backend.db import connect
    from backend.production import connection_failure

    try:
        connect(url, autocommit=True).close()
    except psycopg.Error as exc:
        text = connection_failure(exc, url)
        console.print(f"[red]✗ {escape(text.th)}[/]\n  {escape(text.en)}")
        raise typer.Exit(1) from None


def _embedded_database_url(settings: Settings) -> str:
    """The embedded PostgreSQL under the data folder, started if needed (development: `./fixit run`, `dev`)."""
    from backend.local_postgres import LocalPostgres

    with console.status("starting the embedded PostgreSQL…"):
        local = LocalPostgres(settings.data_dir / "pg")
    # Keep the handle alive for the life of this process: the server stops when the last handle closes.
    _keep.append(local)
    return local.url


_keep: list[object] = []


@app.command()
def migrate(
    lock_timeout: Annotated[float | None, typer.Option(
        min=0.1, help="seconds a migration may wait for a table lock (the serving copies' reads wait as long); "
                      "default 2")] = None,
    attempts: Annotated[int | None, typer.Option(
        min=1, help="tries of each migration that found its table locked, with a growing pause between; "
                    "default 20")] = None,
) -> None:
    """Apply the SQL migrations (Supabase bootstrap first on a plain PostgreSQL), each whole or not at all."""
    from backend.migrate import LockWaits, MigrationError
    from backend.migrate import migrate as run_migrations

    def retrying(version: str, attempt: int, tries: int) -> None:
        console.print(f"[yellow]{version}: a table it changes is held by an open transaction; trying again "
                      f"({attempt + 1}/{tries}) / ตารางถูกธุรกรรมอื่นถือไว้ จะลองอีกครั้ง[/]")

    try:
        waits = LockWaits(on_retry=retrying)
        waits = replace(waits, timeout_seconds=waits.timeout_seconds if lock_timeout is None else lock_timeout,
                        attempts=waits.attempts if attempts is None else attempts)
        report = run_migrations(_database_url(get_settings()), lock_waits=waits)
    except MigrationError as exc:
        _refused(exc)
    if report.bootstrapped:
        console.print("[green]bootstrap:[/] created Supabase-compatible roles and the auth schema")
    for version in report.applied:
        console.print(f"[green]applied[/] {version}")
    console.print(f"{len(report.already_applied)} already applied, {len(report.applied)} new")


@app.command()
def seed(demo: Annotated[bool | None, typer.Option(
        "--demo/--no-demo", show_default=False,
        help="also create demo accounts, technicians, requests (development mode only, its default)")] = None) -> None:
    """Load categories, skills and colleges (and, in development mode, the demo data). Production mode never makes
    the demo accounts: `serve` refuses a database holding them, and with Supabase Auth a demo number's real holder
    would sign in as that demo person. `--demo` is refused there before anything is stored."""
    from backend.seed import seed as run_seed

    settings = get_settings()
    if demo and not settings.dev_mode:
        _refused_with("seed_demo_in_production")
    if demo is None:
        demo = settings.dev_mode
        if not demo:
            _said("operator_seed_no_demo", "yellow")
    report = run_seed(_database_url(settings), settings.seed_dir, demo=demo,
                      progress=lambda step: console.print(f"seeding {step}…"))
    console.print(f"[green]seeded[/] {report}")


@app.command("import-colleges")
def import_colleges(
    csv_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    approximate: Annotated[bool, typer.Option(help="mark the coordinates as approximate")] = False,
) -> None:
    """Import (upsert by code) colleges from a CSV: all rows or, on any bad row, none."""
    import psycopg

    from backend.colleges_import import COLUMNS, parse_colleges_csv, upsert_colleges

    parsed = parse_colleges_csv(csv_file.read_bytes())
    if parsed.errors:
        console.print(f"[red]{len(parsed.errors)} bad row(s); nothing was imported / "
                      f"มี {len(parsed.errors)} แถวที่ไม่ถูกต้อง ไม่ได้นำเข้าข้อมูลใดเลย[/] Columns: {', '.join(COLUMNS)}")
        for error in parsed.errors:
            console.print(f"  [red]✗[/] {escape(str(error))}")
        raise typer.Exit(1)
    with psycopg.connect(_database_url(get_settings()), autocommit=True) as conn, Progress(
        TextColumn("importing colleges"), BarColumn(), MofNCompleteColumn(), console=console
    ) as progress:
        task = progress.add_task("import", total=len(parsed.rows))
        count = upsert_colleges(conn, parsed.rows, approximate, lambda n: progress.advance(task, n))
    console.print(f"[green]imported {count} colleges[/]")


def _run_async(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run async service code from a command; in a worker thread when an event loop already runs here (tests)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work())
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, work()).result()


@asynccontextmanager
async def _operator_tx() -> AsyncIterator["Conn"]:
    """One transaction as the database operator: the audit trail records `operator` as who acted."""
    import psycopg
    from psycopg.rows import dict_row

    url = _database_url(get_settings())
    async with await psycopg.AsyncConnection.connect(url, row_factory=dict_row) as conn, conn.transaction():
        await conn.execute("select set_config('fixit.actor', 'operator', true)")
        yield conn


def _refused(exc: Exception) -> NoReturn:
    console.print(f"[red]✗ {escape(str(exc))}[/]")
    raise typer.Exit(1) from None


@app.command("register-staff")
def register_staff_command(
    phone: Annotated[str, typer.Argument(help="the phone they will sign in with, e.g. 0812345678")],
    role: Annotated[str, typer.Option(help="technician | supervisor | admin")],
    college: Annotated[str | None, typer.Option(help="college code (not for admins)")] = None,
    name: Annotated[str, typer.Option(help="display name")] = "",
) -> None:
    """Make someone staff without SQL (the first admin too): they sign in with this phone and land in the role."""
    from datetime import UTC, datetime

    from backend.dispatch_ticks import policy_of
    from backend.services.staff import Registered, StaffError, college_id_of, register_staff
    from shared.roles import AppRole

    try:
        app_role = AppRole(role)
    except ValueError:
        console.print(f"[red]unknown role {escape(role)!r}[/]: technician, supervisor or admin")
        raise typer.Exit(1) from None

    async def work() -> Registered:
        async with _operator_tx() as conn:
            college_id = await college_id_of(conn, college) if college and app_role != AppRole.ADMIN else None
            # a student moved or made staff: their offers handed on by the backend's dispatch policy (review27c #1)
            return await register_staff(conn, phone, app_role, college_id, name, now=datetime.now(UTC),
                                        policy=policy_of(get_settings()))

    try:
        done = _run_async(work)
    except StaffError as exc:
        _refused(exc)
    how = "changed now" if done.existing_account else "applied at their first sign-in"
    console.print(f"[green]{done.phone} is {done.role.value}[/] ({how})")


def _refused_with(code: str, **values: object) -> NoReturn:
    from shared.text import error_text

    text = error_text(code, **values)
    console.print(f"[red]✗ {escape(text.th)}[/]\n  {escape(text.en)}")
    raise typer.Exit(1) from None


PersonPhone = Annotated[str, typer.Argument(help="the person's phone, e.g. 0812345678")]


@app.command("export-person")
def export_person(
    phone: PersonPhone,
    out: Annotated[Path, typer.Option(help="where to write the JSON file")] = Path("fixit-person-data.json"),
) -> None:
    """PDPA: everything held about one person, the same file as their "download my data", for a request made
    outside the app. (A suspended account still signs in to download its data and delete itself, and to nothing
    else.) A college's invitation waiting for the number (the person registered by phone and name, never signed in)
    is theirs too: the file holds it, with or without an account. The audit trail records the operator's export."""
    import json

    from backend.errors import ApiError
    from backend.services import account

    async def work() -> tuple[dict[str, Any], account.NumberHeld]:
        async with _operator_tx() as conn:
            held = await account.held_for_number(conn, phone)
            return await account.export_number(conn, held), held

    # The file holds everything about one person, often on a shared operations host: it is created new (never
    # through an existing file or a link someone planted) and readable by the operator alone, whatever the umask.
    if out.exists() or out.is_symlink():
        _refused_with("export_file_exists", path=str(out))
    try:
        data, held = _run_async(work)
    except ApiError as exc:
        _refused_with(exc.code, **exc.values)
    text = json.dumps(data, ensure_ascii=False, default=str, indent=2)
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        _refused_with("export_file_exists", path=str(out))
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(text)
    console.print(f"[green]wrote everything held about {escape(phone)} to {escape(str(out))}[/]")
    _said_invitations(held, "operator_exported_invitations")


def _said_invitations(held: "NumberHeld", key: str) -> None:
    """Tell the operator what was found for the number besides (or instead of) an account."""
    if held.account is None:
        _said("operator_no_account", "yellow", phone=held.e164)
    if held.invitations:
        _said(key, count=held.invitations)


@app.command("delete-person")
def delete_person(
    phone: PersonPhone,
    yes: Annotated[bool, typer.Option("--yes", help="the person asked for it: deleting cannot be undone")] = False,
) -> None:
    """PDPA: delete one person's account as their own "delete my account" does (their photos go; their requests stay,
    anonymised), for a request made outside the app, and erase the college invitations waiting for the number (the
    phone, name and skills a college registered). The audit trail records the operator's deletion."""
    from dataclasses import replace
    from datetime import UTC, datetime

    from backend.dispatch_ticks import policy_of
    from backend.errors import ApiError
    from backend.photo_store import make_photo_store
    from backend.services import account

    if not yes:
        _refused_with("confirmation_required")

    async def work() -> account.NumberHeld:
        paths: list[str] = []
        async with _operator_tx() as conn:
            held = await account.held_for_number(conn, phone)
            if held.account is not None:
                user_id, role = held.account
                paths = await account.delete(conn, user_id, role, None, datetime.now(UTC), policy_of(get_settings()))
            # After the profile (dispatch.py's lock order): the invitations waiting for the number.
            held = replace(held, invitations=await account.erase_number_invitations(conn, held.e164))
        await account.delete_photos(make_photo_store(get_settings()), paths)
        return held

    try:
        held = _run_async(work)
    except ApiError as exc:
        # The service's refusal speaks to the student ("you hold..."); the operator is told what to do instead.
        _refused_with("person_has_jobs" if exc.code == "account_has_jobs" else exc.code, **exc.values)
    if held.account is not None:
        console.print(f"[green]deleted the account of {escape(phone)}[/]")
    _said_invitations(held, "operator_erased_invitations")


def _said(key: str, colour: str = "green", **values: object) -> None:
    from shared.text import bilingual

    text = bilingual(key, **values)
    console.print(f"[{colour}]{escape(text.th)}[/]\n  {escape(text.en)}")


ALREADY_EXIT = 3  # the account is in that state already: nothing changed (scripts may treat it as done)


def _refused_person(exc: "ApiError") -> NoReturn:
    from shared.text import error_text

    if exc.code in ("already_suspended", "already_active"):
        text = error_text(exc.code)
        console.print(f"[yellow]{escape(text.th)}[/]\n  {escape(text.en)}")
        raise typer.Exit(ALREADY_EXIT) from None
    _refused_with(exc.code, **exc.values)


@app.command("suspend-person")
def suspend_person(
    phone: PersonPhone,
    reason: Annotated[str, typer.Option(help="why (one line, kept in the audit trail)", show_default=False)],
    yes: Annotated[bool, typer.Option("--yes", help="do not ask for confirmation")] = False,
) -> None:
    """Suspend an account (abuse, a lost phone): it can do nothing but download its data, delete itself and sign
    out. In one transaction: `is_active` cleared, every session ended (its refresh tokens stop working; the access
    token in hand is refused as `account_suspended`), a student's pending offers ended (dispatch hands those jobs on;
    jobs in hand stay and the teacher reassigns them), the operator and the reason in the audit trail. With
    FIXIT_AUTH_MODE=supabase the sessions are Supabase Auth's and cannot be ended from here: the account is refused
    all the same (the API's check, and row level security for its token). Exit 1: refused (unknown phone, bad
    reason, the last admin); 3: suspended already. Nothing changes in either case."""
    from datetime import UTC, datetime

    from backend.dispatch_ticks import policy_of
    from backend.errors import ApiError
    from backend.services import account
    from backend.settings import AuthMode
    from shared.suspension import suspend_reason_problem

    if problem := suspend_reason_problem(reason):
        _refused_with(problem)
    if not yes and not typer.confirm(_bilingual_line("operator_suspend_confirm", phone=phone)):
        _said("operator_not_confirmed", "yellow")
        raise typer.Exit(1)

    async def work() -> account.Suspended:
        async with _operator_tx() as conn:
            user_id, role = await account.person_by_phone(conn, phone)
            # a student's offers go on to their college's next students at once, by the backend's dispatch policy
            return await account.suspend(conn, user_id, role, reason, datetime.now(UTC), policy_of(get_settings()))

    try:
        done = _run_async(work)
    except ApiError as exc:
        _refused_person(exc)
    _said("operator_suspended", phone=phone, sessions=done.sessions_ended, offers=done.offers_ended)
    if done.jobs_in_hand:
        _said("operator_suspended_jobs_in_hand", "yellow", phone=phone, count=done.jobs_in_hand)
    if get_settings().auth_mode == AuthMode.SUPABASE:
        _said("operator_suspended_supabase", "yellow")


@app.command("restore-person")
def restore_person(phone: PersonPhone) -> None:
    """Lift an operator's suspension: the account works as before (a student's place on the college roster,
    `takes_jobs`, stays as the teacher left it). Audited as the operator's. Exit 1: unknown phone; 3: active
    already (nothing changed)."""
    from datetime import UTC, datetime

    from backend.dispatch_ticks import policy_of
    from backend.errors import ApiError
    from backend.services import account
    from backend.services.dispatch import Resumed

    async def work() -> Resumed:
        async with _operator_tx() as conn:
            user_id, _ = await account.person_by_phone(conn, phone)
            # their requests the suspension parked go on at once, by the backend's dispatch policy
            return await account.restore(conn, user_id, datetime.now(UTC), policy_of(get_settings()))

    try:
        resumed = _run_async(work)
    except ApiError as exc:
        _refused_person(exc)
    _said("operator_restored", phone=phone)
    # What became of the requests the suspension held (suspend22 #6): said only when there were some.
    if resumed.offered:
        _said("operator_restored_requests_offered", count=resumed.offered)
    if resumed.waiting:
        _said("operator_restored_requests_waiting", "yellow", count=resumed.waiting)


def _bilingual_line(key: str, **values: object) -> str:
    from shared.text import bilingual

    text = bilingual(key, **values)
    return f"{text.th} / {text.en}"


@app.command("import-students")
def import_students_command(
    college: Annotated[str, typer.Argument(help="college code, e.g. DMT-BKK")],
    csv_file: Annotated[Path, typer.Argument(
        exists=True, dir_okay=False, readable=True,
        help="UTF-8 CSV: phone,name[,skills] (skills like 'electrical_appliance:3 plumbing:2')")],
) -> None:
    """Add a college's students from a CSV: all rows or, on any bad line, none (every bad line is listed)."""
    from datetime import UTC, datetime

    from backend.dispatch_ticks import policy_of
    from backend.services.staff import (
        ImportReport,
        StaffError,
        StudentImportError,
        college_id_of,
        import_students,
        known_skills,
        parse_students_csv,
    )

    data = csv_file.read_bytes()

    async def work() -> ImportReport:
        async with _operator_tx() as conn:
            college_id = await college_id_of(conn, college)
            rows = parse_students_csv(data, await known_skills(conn))
            with Progress(TextColumn("importing students"), BarColumn(), MofNCompleteColumn(),
                          console=console) as progress:
                task = progress.add_task("import", total=len(rows))
                return await import_students(conn, college_id, rows, by=None,
                                             progress=lambda n: progress.advance(task, n),
                                             at=datetime.now(UTC), policy=policy_of(get_settings()))

    try:
        report = _run_async(work)
    except StaffError as exc:
        _refused(exc)
    except StudentImportError as exc:
        console.print(f"[red]{len(exc.errors)} bad line(s); nothing was imported / "
                      f"มี {len(exc.errors)} แถวที่ไม่ถูกต้อง ไม่ได้นำเข้าข้อมูลใดเลย[/]")
        for error in exc.errors:
            console.print(f"  [red]✗[/] {escape(str(error))}")
        raise typer.Exit(1) from None
    console.print(f"[green]imported {report.total} students[/] ({report.changed_now} changed now, "
                  f"{report.invited} at their first sign-in)")


def _start_heading(code: str) -> str:
    from shared.text import start_heading

    return start_heading(code)


def _refuse_start(heading: str, problems: list[str]) -> NoReturn:
    """Every problem at once, each naming the variable to set: the operator fixes them in one go."""
    console.print(f"[red]{heading}[/]")
    for problem in problems:
        console.print(f"  [red]✗[/] {escape(problem)}")
    raise typer.Exit(2)


def _start_settings() -> Settings:
    """The settings, or exit 2 naming every variable whose value is refused (FIXIT_DISPATCH_TICK_SECONDS=0, …)."""
    from pydantic import ValidationError

    from backend.production import invalid_settings

    try:
        return get_settings()
    except ValidationError as exc:
        _refuse_start(_start_heading("settings_not_valid"), invalid_settings(exc))


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[int, typer.Option(help="processes; the service keeps no state between requests")] = 1,
) -> None:
    """Run the API (production: behind a load balancer, DATABASE_URL set). Refuses to start with development
    conveniences (code hints, demo accounts) unless FIXIT_DEV_MODE=true."""
    import uvicorn

    from backend.logs import uvicorn_log_config
    from backend.production import start_refusals

    settings = _start_settings()
    problems = start_refusals(settings, lambda: settings.database_url)  # asked only when DATABASE_URL is set
    if problems:
        _refuse_start(_start_heading("refusing_to_start"), problems)
    # Live-event streams never end by themselves: give them 10 s on shutdown, then close them.
    from backend.http_protocol import FixitHttpProtocol

    uvicorn.run("backend.asgi:app", host=host, port=port, workers=workers, proxy_headers=True,
                http=FixitHttpProtocol, loop="auto",
                timeout_graceful_shutdown=10, access_log=settings.access_log,
                timeout_keep_alive=int(settings.keep_alive_seconds),
                log_config=uvicorn_log_config(settings))


@app.command("remove-demo")
def remove_demo() -> None:
    """Delete the demo accounts (and their requests) from a database that is going into production."""
    from backend.seed import remove_demo_accounts

    settings = get_settings()
    count = remove_demo_accounts(_database_url(settings), settings.seed_dir)
    console.print(f"[green]removed {count} demo account(s)[/]")


@app.command("vapid-keys")
def vapid_keys() -> None:
    """Make a VAPID key pair for Web Push: put both lines into the backend's environment (the public key also goes
    to the browser app, which gets it from GET /me/notification-settings)."""
    from backend.notifications.channels.webpush import make_vapid_keys

    private, public = make_vapid_keys()
    console.print(f"FIXIT_VAPID_PRIVATE_KEY={private}", soft_wrap=True)
    console.print(f"FIXIT_VAPID_PUBLIC_KEY={public}", soft_wrap=True)


@app.command("college-report")
def college_report(
    province: Annotated[bool, typer.Option(help="also total per province")] = True,
) -> None:
    """Per college: jobs whose hours a teacher approved, approved hours, kg kept out of landfill and kg CO2e avoided,
    then the factor table behind them: each factor's source, or a visible mark where it is Fixit's own estimate."""
    from backend.services.credit import by_province, environment_totals, factor_table
    from shared.credit import DISPLACEMENT, ESTIMATE_NOTE

    async def work() -> list[dict[str, Any]]:
        async with _operator_tx() as conn:
            return await environment_totals(conn)

    colleges = _run_async(work)
    columns = ("jobs", "hours", "kg_diverted", "kg_co2e_avoided", "kg_unsourced", "kg_co2e_unsourced")
    headers = ("jobs / งาน", "hours / ชั่วโมง", "kg diverted / กก.", "kg CO2e", "of which kg unsourced*",
               "of which CO2e unsourced*")
    table = Table(title="Fixit Centers: approved work per college / งานที่ครูอนุมัติรายวิทยาลัย")
    for name in ("college / วิทยาลัย", "province / จังหวัด", *headers):
        table.add_column(name, justify="right" if name in headers else "left")
    for c in colleges:
        table.add_row(f"{c['code']} {escape(c['name_th'])}", escape(c["province_th"]),
                      *(f"{c[k]:g}" for k in columns))
    totals = {k: round(sum(c[k] for c in colleges), 2) for k in columns}
    table.add_row("[bold]total / รวม[/]", "", *(f"[bold]{totals[k]:g}[/]" for k in columns))
    console.print(table)
    if province:
        by = Table(title="per province / รายจังหวัด")
        for name in ("province / จังหวัด", "colleges", *headers):
            by.add_column(name)
        for p in by_province(colleges):
            by.add_row(escape(p["province_th"]), str(p["colleges"]), *(f"{p[k]:g}" for k in columns))
        console.print(by)
    factors = Table(title="factors / ค่าที่ใช้คำนวณ (shared/credit.py ENV_FACTORS)")
    for name in ("category", "kg per item", "kg CO2e per new item", "source / แหล่งที่มา"):
        factors.add_column(name)
    for f in factor_table():
        source = escape(f["source"]) if f["source"] else f"[bold red]* ESTIMATE: {' / '.join(ESTIMATE_NOTE)}[/]"
        if f["source"] and f["estimate"]:
            source += " [yellow](estimate: nearest item type)[/]"
        factors.add_row(f["category_code"], f"{f['kg_item']:g}", f"{f['kg_co2e_new']:g}", source)
    console.print(factors)
    console.print(f"* unsourced: from a factor with no source, Fixit's own guess. CO2e avoided = footprint x "
                  f"{DISPLACEMENT:g} (a displacement rate not checked against a source): all CO2e is an estimate.")


@app.command()
def dev(
    backend_port: int = 8000,
    app_port: int = 8550,
    open_browser: Annotated[bool, typer.Option(help="open the app in a browser where there is a display")] = True,
) -> None:
    """Everything at once: embedded database, migrations, demo data, backend and the web app."""
    from backend import dev_stack
    from backend.migrate import migrate as run_migrations
    from backend.seed import DEMO_ACCOUNTS
    from backend.seed import seed as run_seed
    from shared.phone import national_format

    settings = _start_settings()
    # Only ever on its own embedded database: DATABASE_URL (or .env) set in this shell may name a production one,
    # which this would migrate, fill with the demo accounts and serve with the development conveniences on.
    if settings.database_url:
        _refused_with("dev_stack_other_database")
    url = _embedded_database_url(settings)  # `./fixit run` is development (its processes get FIXIT_DEV_MODE)
    with console.status("applying migrations and demo data…"):
        run_migrations(url)
        run_seed(url, settings.seed_dir, demo=True)
    secret = settings.jwt_secret.get_secret_value() or dev_stack.dev_jwt_secret(settings.data_dir)
    procs = dev_stack.start_processes(settings, url, secret, backend_port, app_port)
    stopping = False

    def _stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    try:
        with console.status("starting the backend and the app…"):
            dev_stack.wait_until_up(f"http://127.0.0.1:{backend_port}/health", procs)
            dev_stack.wait_until_up(f"http://127.0.0.1:{app_port}/", procs)
        app_url = f"http://127.0.0.1:{app_port}/"
        table = Table(title="Demo logins (the app shows the one-time code in developer mode)")
        for column in ("role", "phone", "name"):
            table.add_column(column)
        for account in DEMO_ACCOUNTS:
            table.add_row(account.role, national_format(account.phone), account.display_name)
        console.print(table)
        console.print(f"[bold green]App:[/] {app_url}   [bold]API:[/] http://127.0.0.1:{backend_port}/docs")
        console.print("Ctrl-C stops everything; the data stays in .data/ for next time.")
        if open_browser:
            dev_stack.open_browser(app_url)
        while not stopping and all(p.poll() is None for p in procs.all()):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        console.print("stopping…")
        procs.stop()


if __name__ == "__main__":
    app()
