"""PDPA requests made outside the app (by letter or phone, or by someone who cannot use it): the operator's
`fixit-backend export-person` and `delete-person` do what "download my data" and "delete my account" do, recorded in
the audit trail as the operator's. (A suspended account can also do both itself: test_suspended_account.py.)"""

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from typer.testing import CliRunner

from backend.cli import app
from backend.settings import Settings
from tests.helpers import fresh_phone
from tests.integration.builders import citizen_with_a_photo


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
