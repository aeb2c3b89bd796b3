"""What a person's data rights promise, kept (review audit15a): the data export holds everything about them, and an
account's deletion erases every copy of what it promises to erase (the name in other people's inboxes and in a phone
approval's note, the home behind the offers' distances), and the operator's PDPA commands reach a person registered
by phone who never signed in. Real PostgreSQL, the app's routes through httpx, the operator's CLI."""

import math
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool
from typer.testing import CliRunner

from backend.cli import app
from backend.db import service_tx
from backend.services.dispatch import DispatchPolicy, expire_overdue
from backend.settings import Settings
from shared.text import bilingual
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.dispatch_area import HOME, AppClock, Area, accepted_job, handed_back_job, offers_of, step, submit


async def test_a_students_data_export_holds_the_jobs_they_helped_on_and_their_hours(
    api: httpx.AsyncClient, area: Area,
) -> None:
    _, ace, rid = await accepted_job(api, area, "ace")
    joined = await api.post(f"/requests/{rid}/team", json={"technician_id": area.students["bee"][0],
                                                           "task": "ช่วยถอดฝาหลัง"}, headers=bearer(ace))
    assert joined.status_code == 204, joined.text
    bee, _ = await sign_in(api, area.students["bee"][1])
    hours = await api.put(f"/requests/{rid}/team/me", json={"hours": 2.5, "task": "ถอดฝาหลังและล้างพัดลม"},
                          headers=bearer(bee))
    assert hours.status_code == 204, hours.text
    exported = await api.get("/me/export", headers=bearer(bee))
    assert exported.status_code == 200, exported.text
    text = exported.text
    # What the student wrote and is credited for on that job is their personal data (PDPA right of access). The job's
    # id is in the file today only through the "added to a team" notification: the team row, task and hours are not.
    assert "ถอดฝาหลังและล้างพัดลม" in text


async def inbox_texts(api: httpx.AsyncClient, token: str) -> dict[str, str]:
    page = await api.get("/me/notifications?limit=100", headers=bearer(token))
    assert page.status_code == 200, page.text
    return {item["kind"]: f"{item['title']} {item['body']}" for item in page.json()["items"]}


async def test_a_deleted_students_name_leaves_the_inboxes_that_named_them(api: httpx.AsyncClient, area: Area) -> None:
    citizen, rid = await handed_back_job(api, area)  # bee's job, from the teacher's assignment to the hand back
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    bee, _ = await sign_in(api, area.students["bee"][1])
    first_name = "บี"  # bee's display name is "บี เก่ง": the inboxes name the student by first name
    assert first_name in (await inbox_texts(api, citizen))["accepted"]
    assert first_name in (await inbox_texts(api, teacher))["qc_waiting"]
    gone = await api.delete("/me?confirm=true", headers=bearer(bee))
    assert gone.status_code == 204, gone.text
    # The job itself no longer names them (technician_id is set null)...
    assert (await api.get(f"/requests/{rid}", headers=bearer(citizen))).json()["technician_first_name"] in (None, "")
    # ...but the messages about it still do, in two other people's inboxes (and in their data exports).
    assert first_name not in (await inbox_texts(api, citizen)).get("accepted", "")
    assert first_name not in (await inbox_texts(api, teacher)).get("qc_waiting", "")


async def test_a_deleted_owners_name_leaves_the_phone_approval_note(api: httpx.AsyncClient, area: Area) -> None:
    citizen, ace, rid = await accepted_job(api, area, "ace")
    assert (await step(api, ace, rid, "diagnosing")).status_code == 200
    part = await api.post(f"/requests/{rid}/parts", json={"name": "ฟิวส์", "qty": 1, "price_baht": 20},
                          headers=bearer(ace))
    assert part.status_code == 201, part.text
    # "A phone approval needs a note of who approved it and when" (part_phone_note_required): the owner's name.
    noted = await api.post(f"/requests/{rid}/parts/{part.json()['id']}/phone-approval",
                           json={"approve": True, "note": "คุณสมศรี มีสุข อนุมัติทางโทรศัพท์ 10:30"},
                           headers=bearer(ace))
    assert noted.status_code == 200, noted.text
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    assert "สมศรี" in (await api.get(f"/requests/{rid}/record", headers=bearer(teacher))).text
    gone = await api.delete("/me?confirm=true", headers=bearer(citizen))
    assert gone.status_code == 204, gone.text
    # delete_account_text: "We erase your name, phone number, addresses, home location and photos."
    for reader in (teacher, ace):
        record = await api.get(f"/requests/{rid}/record", headers=bearer(reader))
        assert record.status_code == 200, record.text
        assert "สมศรี" not in record.text


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance."""
    dlat, dlon = math.radians(b[0] - a[0]), math.radians(b[1] - a[1])
    h = math.sin(dlat / 2) ** 2 + math.cos(math.radians(a[0])) * math.cos(math.radians(b[0])) * math.sin(dlon / 2) ** 2
    return 6371000.0 * 2 * math.asin(math.sqrt(h))



def where_circles_meet(a: tuple[float, float], ra_km: float, b: tuple[float, float], rb_km: float,
                       near: tuple[float, float]) -> tuple[float, float]:
    """The point at ra_km from a and rb_km from b (of the two, the one nearer `near`), on a local flat map."""
    ky, kx = 111.195, 111.195 * math.cos(math.radians(near[0]))
    ax, ay, bx, by = a[1] * kx, a[0] * ky, b[1] * kx, b[0] * ky
    d = math.hypot(bx - ax, by - ay)
    along = (ra_km ** 2 - rb_km ** 2 + d ** 2) / (2 * d)
    across = math.sqrt(max(ra_km ** 2 - along ** 2, 0.0))
    mx, my = ax + along * (bx - ax) / d, ay + along * (by - ay) / d
    points = [((my + s * across * (bx - ax) / d) / ky, (mx - s * across * (by - ay) / d) / kx) for s in (1, -1)]
    return min(points, key=lambda p: metres(p, near))


async def test_a_deleted_citizens_home_cannot_be_found_again_from_the_offers(
    app_and_clock: AppClock, area: Area, database_url: str, settings: Settings,
) -> None:
    api, clock = app_and_clock
    clock.to_plain_hours()
    citizen, request = await submit(api, service_place="home")
    rid = request["id"]
    sla = timedelta(minutes=settings.dispatch_sla_minutes)
    policy = DispatchPolicy(offer_count=settings.dispatch_offer_count, sla=sla)
    async with (AsyncConnectionPool(database_url, kwargs={"row_factory": dict_row, "autocommit": True}) as pool,
                service_tx(pool) as owner):  # type: ignore[arg-type]
        await expire_overdue(owner, clock.now + sla + timedelta(minutes=1), policy)  # nobody answered: on
    assert {o["college_id"] for o in offers_of(database_url, rid)} == {area.near, area.far}
    gone = await api.delete("/me?confirm=true", headers=bearer(citizen))
    assert gone.status_code == 204, gone.text
    # What stays: the place coarsened to 0.1 degree (about 11 km, the promise) ... and each offer's distance.
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        kept = conn.execute("select lat, lon from public.repair_requests where id = %s", [rid]).fetchone()
        rows = conn.execute(
            """select distinct c.lat, c.lon, o.distance_km::float as km from public.offers o
               join public.colleges c on c.id = o.college_id where o.request_id = %s""", [rid]).fetchall()
    assert kept is not None and (kept["lat"], kept["lon"]) == (round(HOME[0], 1), round(HOME[1], 1))
    assert len(rows) == 2
    (a, b) = rows
    found = where_circles_meet((a["lat"], a["lon"]), a["km"], (b["lat"], b["lon"]), b["km"], (kept["lat"], kept["lon"]))
    assert metres(found, HOME) > 1000, f"the deleted citizen's home, found again within {metres(found, HOME):.0f} m"


@pytest.fixture
def cli(database_url: str, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """The operator's fixit-backend on the test database (as tests/integration/test_person_cli.py)."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("FIXIT_DATA_DIR", str(settings.data_dir))
    from backend.settings import get_settings
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


async def test_the_operator_exports_and_erases_a_registered_person_who_never_signed_in(
    cli: CliRunner, api: httpx.AsyncClient, area: Area, database_url: str, tmp_path: Path,
) -> None:
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    phone = fresh_phone()
    registered = await api.post(f"/colleges/{area.near}/students", json={
        "phone": phone, "display_name": "มานี ไม่เคยมา", "skills": {"electrical_appliance": 2}}, headers=bearer(teacher))
    assert registered.status_code == 201, registered.text
    with psycopg.connect(database_url) as conn:
        held = conn.execute("select display_name from private.staff_invites where phone = %s",
                            ["+66" + phone[1:]]).fetchall()
    assert held == [("มานี ไม่เคยมา",)]
    # The person writes to ask what Fixit holds about their number, and then to erase it (PDPA sections 30, 33).
    out = tmp_path / "person.json"
    exported = cli.invoke(app, ["export-person", phone, "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    assert "มานี ไม่เคยมา" in out.read_text(encoding="utf-8")
    # The operator is told what was found: no account, an invitation.
    said = " ".join(exported.output.split())
    assert bilingual("operator_no_account", phone="+66" + phone[1:]).en in said
    assert bilingual("operator_exported_invitations", count=1).en in said
    erased = cli.invoke(app, ["delete-person", phone, "--yes"])
    assert erased.exit_code == 0, erased.output
    assert bilingual("operator_erased_invitations", count=1).en in " ".join(erased.output.split())
    with psycopg.connect(database_url) as conn:
        assert conn.execute("select 1 from private.staff_invites where phone = %s",
                            ["+66" + phone[1:]]).fetchall() == []
