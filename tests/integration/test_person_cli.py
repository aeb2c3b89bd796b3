"""PDPA requests made outside the app (by letter or phone, or by someone who cannot use it): the operator's
`fixit-backend export-person` and `delete-person` do what "download my data" and "delete my account" do, recorded in
the audit trail as the operator's. (A suspended account can also do both itself: test_suspended_account.py.)

The operator's `suspend-person` and `restore-person` replace the raw SQL they used to run: a suspension also ends the
person's sessions (a lost phone or an abuser used to keep refreshing them), ends a student's pending offers and keeps
the operator's reason in the audit trail."""

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from typer.testing import CliRunner, Result

from backend.cli import app
from backend.settings import Settings
from tests.helpers import bearer, fresh_phone, session_for, sign_in
from tests.integration.builders import citizen_with_a_photo, draft
from tests.integration.dispatch_area import HOME, AppClock, Area, request_status, submit


@pytest.fixture
def cli(database_url: str, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("FIXIT_DATA_DIR", str(settings.data_dir))  # the photo store the API wrote to
    from backend.settings import get_settings
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


async def test_a_suspended_person_s_data_is_exported_and_deleted_by_the_operator(
    cli: CliRunner, api: httpx.AsyncClient, database_url: str, settings: Settings, tmp_path: Path
) -> None:
    token, user_id, request_id = await citizen_with_a_photo(api)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.profiles set is_active = false where id = %s", [user_id])
        phone = conn.execute("select phone from public.profiles where id = %s", [user_id]).fetchone()
        paths = [p for row in conn.execute("select storage_path, thumb_path from public.request_photos "
                                           "where request_id = %s", [request_id]).fetchall() for p in row]
    assert phone is not None and paths and all((settings.photos_dir / p).exists() for p in paths)
    national = "0" + str(phone[0]).removeprefix("+66")
    refused = await api.get("/requests/mine", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "account_suspended"

    out = tmp_path / "person.json"
    exported = cli.invoke(app, ["export-person", national, "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["profile"]["id"] == user_id and [r["id"] for r in data["requests"]] == [request_id]

    unconfirmed = cli.invoke(app, ["delete-person", national])
    assert unconfirmed.exit_code == 1 and "Confirm first" in unconfirmed.output and "กรุณายืนยัน" in unconfirmed.output
    deleted = cli.invoke(app, ["delete-person", national, "--yes"])
    assert deleted.exit_code == 0, deleted.output
    assert not any((settings.photos_dir / p).exists() for p in paths)
    with psycopg.connect(database_url) as conn:
        assert conn.execute("select count(*) from auth.users where id = %s", [user_id]).fetchone() == (0,)
        kept = conn.execute("select citizen_id, contact_phone from public.repair_requests where id = %s",
                            [request_id]).fetchone()
        audit = conn.execute("select action, actor from public.audit_events where target_id = %s "
                             "and action in ('account.export', 'account.delete') order by id", [user_id]).fetchall()
    assert kept == (None, None)  # the request stays, anonymised, as with "delete my account"
    assert audit == [("account.export", "operator"), ("account.delete", "operator")]


def test_an_unknown_or_malformed_phone_is_refused_in_thai_and_english(cli: CliRunner) -> None:
    unknown = cli.invoke(app, ["export-person", fresh_phone()])
    assert unknown.exit_code == 1 and "No account has this phone number" in unknown.output
    assert "ไม่พบบัญชีของเบอร์โทรนี้" in unknown.output
    malformed = cli.invoke(app, ["delete-person", "123", "--yes"])
    assert malformed.exit_code == 1 and "Invalid phone number" in malformed.output


def _text(result: Result) -> str:
    """What the command printed, as one line: rich wraps long lines at the terminal's width."""
    return " ".join(result.output.split())


def _national(database_url: str, user_id: str) -> str:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select phone from public.profiles where id = %s", [user_id]).fetchone()
    assert row is not None
    return "0" + str(row[0]).removeprefix("+66")


def _trail(database_url: str, user_id: str) -> list[tuple[str, str, object]]:
    with psycopg.connect(database_url) as conn:
        return [(str(a), str(b), c) for a, b, c in conn.execute(
            "select action, actor, after from public.audit_events where target_id = %s "
            "and action in ('profile.active', 'profile.takes_jobs', 'account.suspend') order by id",
            [user_id]).fetchall()]


async def test_a_suspension_ends_every_session_and_keeps_the_reason_and_a_restore_undoes_it(
    cli: CliRunner, api: httpx.AsyncClient, database_url: str
) -> None:
    phone = fresh_phone()
    first = await session_for(api, phone)
    second = await session_for(api, phone)  # a second device
    user_id = first["profile"]["id"]
    refreshed = await api.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text  # the session works before
    kept_refresh = refreshed.json()["refresh_token"]

    done = cli.invoke(app, ["suspend-person", phone, "--reason", "  ข่มขู่ช่าง / threatened a student  ", "--yes"])
    assert done.exit_code == 0, done.output
    assert "Suspended the account of" in _text(done) and "2 sessions ended" in _text(done)
    assert "ระงับบัญชีของ" in _text(done)
    for token in (kept_refresh, second["refresh_token"]):
        ended = await api.post("/auth/refresh", json={"refresh_token": token})
        assert ended.status_code == 401 and ended.json()["error"]["code"] == "session_expired", ended.text
    refused = await api.get("/requests/mine", headers=bearer(first["access_token"]))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "account_suspended"
    assert _trail(database_url, user_id) == [
        ("profile.active", "operator", {"is_active": False}),
        ("account.suspend", "operator", {"reason": "ข่มขู่ช่าง / threatened a student", "sessions_ended": 2,
                                         "offers_ended": 0, "jobs_in_hand": 0, "requests_parked": 0}),
    ]

    again = cli.invoke(app, ["suspend-person", phone, "--reason", "again", "--yes"])
    assert again.exit_code == 3 and "suspended already" in _text(again) and "ถูกระงับอยู่แล้ว" in _text(again)
    restored = cli.invoke(app, ["restore-person", phone])
    assert restored.exit_code == 0 and "Restored the account of" in _text(restored), restored.output
    token, profile = await sign_in(api, phone)  # signs in afresh to the whole account
    assert profile["id"] == user_id
    assert (await api.get("/requests/mine", headers=bearer(token))).status_code == 200
    assert _trail(database_url, user_id)[2:] == [("profile.active", "operator", {"is_active": True})]
    twice = cli.invoke(app, ["restore-person", phone])
    assert twice.exit_code == 3 and "active already" in _text(twice) and "ใช้งานได้อยู่แล้ว" in _text(twice)
    assert len(_trail(database_url, user_id)) == 3  # the refusals changed nothing


async def test_a_suspended_student_s_pending_offers_end_and_their_roster_place_is_kept(
    cli: CliRunner, app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    api, _ = app_and_clock
    ace_id, ace_phone = area.students["ace"]
    _, held = await submit(api)
    _, waiting = await submit(api)
    ace, _ = await sign_in(api, ace_phone)
    offers = (await api.get("/technician/offers", headers=bearer(ace))).json()
    offer_id = next(o["offer_id"] for o in offers if o["request_id"] == held["id"])
    assert (await api.post(f"/offers/{offer_id}/accept", headers=bearer(ace))).status_code == 200
    with psycopg.connect(database_url) as conn:
        others_before = conn.execute("select count(*) from public.offers where request_id = %s and status = 'pending' "
                                     "and technician_id <> %s and expires_at > now()",
                                     [waiting["id"], ace_id]).fetchone()
    assert others_before is not None and others_before[0] > 0

    asked = cli.invoke(app, ["suspend-person", ace_phone, "--reason", "lost phone"], input="n\n")
    assert asked.exit_code == 1 and "nothing changed" in _text(asked)
    assert _trail(database_url, ace_id) == []
    done = cli.invoke(app, ["suspend-person", ace_phone, "--reason", "lost phone"], input="y\n")
    assert done.exit_code == 0, done.output
    assert "1 pending offer ended" in _text(done) and "still holds 1 job in hand" in _text(done)
    with psycopg.connect(database_url) as conn:
        ace_open = conn.execute("select count(*) from public.offers where technician_id = %s and status = 'pending' "
                                "and expires_at > now()", [ace_id]).fetchone()
        others_after = conn.execute("select count(*) from public.offers where request_id = %s "
                                    "and status = 'pending' and technician_id <> %s and expires_at > now()",
                                    [waiting["id"], ace_id]).fetchone()
        job = conn.execute("select technician_id::text from public.repair_requests where id = %s",
                           [held["id"]]).fetchone()
        roster = conn.execute("select takes_jobs from public.profiles where id = %s", [ace_id]).fetchone()
    assert ace_open == (0,) and others_after == others_before  # only ace's offer ended: dispatch moves on
    assert job == (ace_id,) and roster == (True,)  # the teacher reassigns the job; the roster is the teacher's

    assert cli.invoke(app, ["restore-person", ace_phone]).exit_code == 0
    with psycopg.connect(database_url) as conn:
        assert conn.execute("select is_active, takes_jobs from public.profiles where id = %s",
                            [ace_id]).fetchone() == (True, True)
    assert [action for action, _, _ in _trail(database_url, ace_id)] == [
        "profile.active", "account.suspend", "profile.active"]


@pytest.mark.parametrize(("reason", "code_text"), [
    ("   ", "Give the reason for the suspension"),
    ("line one\nline two", "The reason must be one line"),
    ("x" * 201, "at most 200 characters"),
])
async def test_a_missing_or_bad_reason_is_refused_and_changes_nothing(
    cli: CliRunner, api: httpx.AsyncClient, database_url: str, reason: str, code_text: str
) -> None:
    phone = fresh_phone()
    signed = await session_for(api, phone)
    refused = cli.invoke(app, ["suspend-person", phone, "--reason", reason, "--yes"])
    assert refused.exit_code == 1 and code_text in _text(refused), refused.output
    assert (await api.post("/auth/refresh", json={"refresh_token": signed["refresh_token"]})).status_code == 200
    assert _trail(database_url, signed["profile"]["id"]) == []


def test_suspending_or_restoring_an_unknown_phone_is_refused(cli: CliRunner) -> None:
    no_reason = cli.invoke(app, ["suspend-person", fresh_phone(), "--yes"])
    assert no_reason.exit_code == 2 and "--reason" in _text(no_reason)  # typer: the option is required
    unknown = cli.invoke(app, ["suspend-person", fresh_phone(), "--reason", "abuse", "--yes"])
    assert unknown.exit_code == 1 and "No account has this phone number" in _text(unknown)
    assert "ไม่พบบัญชีของเบอร์โทรนี้" in _text(unknown)
    malformed = cli.invoke(app, ["restore-person", "123"])
    assert malformed.exit_code == 1 and "Invalid phone number" in _text(malformed)


async def test_the_export_file_is_the_operator_s_alone_and_never_written_over(
    cli: CliRunner, api: httpx.AsyncClient, database_url: str, tmp_path: Path
) -> None:
    """The file holds everything about one person (name, phone, addresses, places, the audit trail), often on a shared
    operations host: with the usual umask 022 a plain write left it readable by every local account (audit 12). It
    is created 0600, and an existing path (a file, or a link someone planted) is refused before anything is read."""
    _, user_id, _ = await citizen_with_a_photo(api)
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select phone from public.profiles where id = %s", [user_id]).fetchone()
    assert row is not None
    phone = "0" + str(row[0]).removeprefix("+66")
    out = tmp_path / "person.json"
    previous = os.umask(0o022)  # a login shell's usual default
    try:
        exported = cli.invoke(app, ["export-person", phone, "--out", str(out)])
    finally:
        os.umask(previous)
    assert exported.exit_code == 0, exported.output
    assert json.loads(out.read_text(encoding="utf-8"))["profile"]["id"] == user_id
    assert stat.S_IMODE(out.stat().st_mode) == 0o600, oct(out.stat().st_mode)

    planted = tmp_path / "planted.json"
    planted.symlink_to(tmp_path / "elsewhere.json")
    for existing in (out, planted):
        before = out.read_bytes()
        again = cli.invoke(app, ["export-person", phone, "--out", str(existing)])
        assert again.exit_code == 1
        assert "already exists" in again.output and "มีไฟล์" in again.output
        assert out.read_bytes() == before
    assert not (tmp_path / "elsewhere.json").exists()
    with psycopg.connect(database_url) as conn:
        exports = conn.execute(
            "select count(*) from public.audit_events where action = 'account.export' and target_id = %s", [user_id]
        ).fetchone()
    assert exports == (1,), "a refused export must not be recorded as one"


async def test_deleting_a_student_who_holds_a_job_is_refused_in_the_operator_s_words(
    cli: CliRunner, app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """delete-person is refused as the student's own deletion is (the job would be left with nobody on it), and says
    so to the operator: the teacher reassigns first, suspend-person stops the account meanwhile."""
    api, _ = app_and_clock
    ace_id, ace_phone = area.students["ace"]
    _, held = await submit(api)
    ace, _ = await sign_in(api, ace_phone)
    offers = (await api.get("/technician/offers", headers=bearer(ace))).json()
    offer_id = next(o["offer_id"] for o in offers if o["request_id"] == held["id"])
    assert (await api.post(f"/offers/{offer_id}/accept", headers=bearer(ace))).status_code == 200

    refused = cli.invoke(app, ["delete-person", ace_phone, "--yes"])
    assert refused.exit_code == 1
    said = " ".join(refused.output.split())
    assert "This student still holds 1 job:" in said and "suspend-person" in said, said
    assert "นักศึกษาคนนี้ยังมีงานที่รับไว้ 1 งาน" in said
    with psycopg.connect(database_url) as conn:
        kept = conn.execute("select count(*) from public.profiles where id = %s", [ace_id]).fetchone()
    assert kept == (1,)


async def test_deleting_a_student_hands_on_at_once_the_job_offered_to_them_alone(
    cli: CliRunner, app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """Their offer goes with the account; the job is handed on in the deletion's own transaction (here, with no
    other plumber anywhere, to an admin as `no_centre`), not at the clock's next turn."""
    api, _ = app_and_clock
    _, created = await submit(api, category_code="plumbing", item="ก๊อกน้ำ", description="น้ำรั่วตลอดเวลา")
    deleted = cli.invoke(app, ["delete-person", area.students["plumber"][1], "--yes"])
    assert deleted.exit_code == 0, deleted.output
    with psycopg.connect(database_url) as conn:
        last = conn.execute("select from_status::text, to_status::text, actor::text from public.status_events "
                            "where request_id = %s order by id desc limit 1", [created["id"]]).fetchone()
    assert last == ("offered", "no_centre", "system")


async def test_a_restore_says_how_many_of_the_persons_requests_went_on_and_how_many_still_wait(
    cli: CliRunner, app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    """suspend22 #6: the requests the suspension held go on at once with the restore; the operator reads how many,
    in Thai and English, and how many nobody can take now (they wait on the administrators' list)."""
    api, _ = app_and_clock
    phone = fresh_phone()
    token, _ = await sign_in(api, phone)
    made = await api.post("/requests", json=draft(lat=HOME[0], lon=HOME[1]), headers=bearer(token))
    assert made.status_code == 201 and made.json()["status"] == "offered", made.text
    rid = made.json()["id"]

    assert cli.invoke(app, ["suspend-person", phone, "--reason", "แจ้งเหตุเท็จ", "--yes"]).exit_code == 0
    restored = cli.invoke(app, ["restore-person", phone])
    assert restored.exit_code == 0, restored.output
    said = _text(restored)
    assert "1 request of theirs held during the suspension offered to student technicians again" in said
    assert "ส่งให้นักศึกษาช่างอีกครั้งแล้ว" in said and "no student can take now" not in said
    assert request_status(database_url, rid) == "offered"

    # Suspended again; meanwhile every student who could take it leaves the roster: the restore cannot offer it.
    assert cli.invoke(app, ["suspend-person", phone, "--reason", "แจ้งเหตุเท็จ", "--yes"]).exit_code == 0
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update public.profiles set takes_jobs = false where id = any(%s::uuid[])",
                     [[student for student, _ in area.students.values()]])
    restored = cli.invoke(app, ["restore-person", phone])
    assert restored.exit_code == 0, restored.output
    said = _text(restored)
    assert "1 request held during the suspension no student can take now: it waits on the administrators' " \
           "waiting list" in said, said
    assert "ยังไม่มีนักศึกษาช่างรับได้ตอนนี้" in said and "offered to student technicians again" not in said
    assert request_status(database_url, rid) == "no_centre"
