"""Each event writes the right notifications for the right people, in the same transaction as the change (the
database's triggers, migration 0016); a change that rolls back writes none. Plus the inbox API that reads them."""

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from backend.app import create_app
from backend.db import service_tx
from backend.notifications.outbox import notify_expiring_offers
from backend.settings import Settings
from tests.helpers import bearer, browser_push_keys, fresh_phone, sign_in
from tests.integration.dispatch_area import ADMIN_PHONE, AppClock, Area, submit, work_to_quality_check


def notes_for(database_url: str, request_id: str) -> list[tuple[str, str]]:
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        rows = conn.execute(
            "select recipient_id::text as who, kind from public.notifications where request_id = %s order by id",
            [request_id],
        ).fetchall()
    return [(r["who"], r["kind"]) for r in rows]


def kinds_of(notes: list[tuple[str, str]], who: str) -> list[str]:
    return [kind for person, kind in notes if person == who]


async def test_the_whole_job_notifies_each_person_once(app_and_clock: AppClock, area: Area,
                                                       database_url: str) -> None:
    api, _ = app_and_clock
    citizen, request = await submit(api)
    rid = request["id"]
    s = {name: uid for name, (uid, _) in area.students.items()}
    notes = notes_for(database_url, rid)
    # The three best students hear of the offer at once; nobody else does.
    assert sorted(who for who, kind in notes if kind == "offer_new") == sorted([s["ace"], s["bee"], s["cat"]])
    assert len(notes) == 3

    ace, _ = await sign_in(api, area.students["ace"][1])
    offer_id = next(o["offer_id"] for o in (await api.get("/technician/offers", headers=bearer(ace))).json()
                    if o["request_id"] == rid)
    assert (await api.post(f"/offers/{offer_id}/accept", headers=bearer(ace))).status_code == 200
    notes = notes_for(database_url, rid)
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        row = conn.execute("select citizen_id::text as c from public.repair_requests where id = %s", [rid]).fetchone()
        assert row is not None
        citizen_id = row["c"]
        accepted = conn.execute("select params from public.notifications where request_id = %s and kind = 'accepted'",
                                [rid]).fetchone()
    assert kinds_of(notes, citizen_id) == ["accepted"]
    assert accepted is not None and accepted["params"]["technician"] == "เอ"
    assert accepted["params"]["college_th"] == "วิทยาลัยทดสอบใกล้"
    # The two who did not get it: their offers were withdrawn (at commit, still withdrawn then).
    assert kinds_of(notes, s["bee"]) == ["offer_new", "offer_withdrawn"]
    assert kinds_of(notes, s["cat"]) == ["offer_new", "offer_withdrawn"]
    assert kinds_of(notes, s["ace"]) == ["offer_new"]

    await work_to_quality_check(api, ace, rid)
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    assert kinds_of(notes_for(database_url, rid), s["teacher"]) == ["qc_waiting"]

    async def step(token: str, to: str, **extra: Any) -> None:
        moved = await api.post(f"/requests/{rid}/status", json={"to_status": to, **extra}, headers=bearer(token))
        assert moved.status_code == 200, moved.text

    await step(teacher, "repairing", note="ขันน็อตไม่แน่น")
    await step(ace, "quality_check")
    await step(teacher, "done")
    await step(teacher, "handed_back", note="เจ้าของมารับของคืนที่ศูนย์")  # the teacher's reason: no app confirmation
    notes = notes_for(database_url, rid)
    assert kinds_of(notes, s["ace"]) == ["offer_new", "rework", "approved"]
    assert kinds_of(notes, s["teacher"]) == ["qc_waiting", "qc_waiting"]
    assert kinds_of(notes, citizen_id) == ["accepted", "ready", "rate"]
    assert kinds_of(notes, s["dan"]) == [] and kinds_of(notes, s["far1"]) == []

    # The citizen's inbox: newest first, in Thai, with the link; read state on the server.
    page = (await api.get("/me/notifications", headers=bearer(citizen))).json()
    assert [i["kind"] for i in page["items"]] == ["rate", "ready", "accepted"]
    assert page["unread_count"] == 3
    first = page["items"][-1]
    assert first["title"].startswith("ช่างรับงานแล้ว") and "เอ จากวิทยาลัยทดสอบใกล้" in first["body"]
    assert first["link"] == f"/requests/{rid}"
    ready = page["items"][1]
    assert "มารับได้ที่วิทยาลัยทดสอบใกล้" in ready["body"]
    read = await api.post(f"/me/notifications/{first['id']}/read", headers=bearer(citizen))
    assert read.status_code == 200 and read.json() == {"unread_count": 2}
    # Nobody reads or marks another person's notification.
    assert (await api.post(f"/me/notifications/{first['id']}/read", headers=bearer(ace))).status_code == 404
    assert first["id"] not in [i["id"] for i in (await api.get("/me/notifications", headers=bearer(ace))).json()
                               ["items"]]
    rework = next(i for i in (await api.get("/me/notifications", headers=bearer(ace))).json()["items"]
                  if i["kind"] == "rework")
    assert rework["body"].endswith("ขันน็อตไม่แน่น") and rework["link"] == f"/jobs/{rid}"
    assert (await api.post("/me/notifications/read-all", headers=bearer(citizen))).json() == {"unread_count": 0}
    count = await api.get("/me/notifications/unread-count", headers=bearer(citizen))
    assert count.json() == {"unread_count": 0}
    paged = (await api.get("/me/notifications?limit=2", headers=bearer(citizen))).json()
    assert len(paged["items"]) == 2 and paged["next_before_id"] == paged["items"][-1]["id"]
    rest = (await api.get(f"/me/notifications?limit=2&before_id={paged['next_before_id']}",
                          headers=bearer(citizen))).json()
    assert [i["kind"] for i in rest["items"]] == ["accepted"] and rest["next_before_id"] is None


async def test_unrepairable_tells_the_citizen_why(app_and_clock: AppClock, area: Area, database_url: str) -> None:
    api, _ = app_and_clock
    citizen, request = await submit(api)
    rid = request["id"]
    ace, _ = await sign_in(api, area.students["ace"][1])
    offer_id = next(o["offer_id"] for o in (await api.get("/technician/offers", headers=bearer(ace))).json()
                    if o["request_id"] == rid)
    await api.post(f"/offers/{offer_id}/accept", headers=bearer(ace))
    await api.post(f"/requests/{rid}/status", json={"to_status": "diagnosing"}, headers=bearer(ace))
    moved = await api.post(f"/requests/{rid}/status", json={"to_status": "unrepairable", "reason": "no_parts"},
                           headers=bearer(ace))
    assert moved.status_code == 200, moved.text
    items = (await api.get("/me/notifications", headers=bearer(citizen))).json()["items"]
    assert items[0]["kind"] == "unrepairable" and items[0]["body"].endswith("ไม่มีอะไหล่")
    await api.patch("/me", json={"locale": "en"}, headers=bearer(citizen))
    english = (await api.get("/me/notifications", headers=bearer(citizen))).json()["items"][0]
    assert english["title"].startswith("Cannot be repaired") and english["body"].endswith("No spare parts")


async def test_no_college_tells_every_admin(app_and_clock: AppClock, area: Area, database_url: str) -> None:
    api, _ = app_and_clock
    _, request = await submit(api, category_code="motorcycle")  # nobody in the test area fixes motorcycles
    assert request["status"] == "no_centre"
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        admins = {r["id"] for r in conn.execute(
            "select id::text as id from public.profiles where role = 'admin' and is_active").fetchall()}
    notes = notes_for(database_url, request["id"])
    assert admins and {who for who, kind in notes if kind == "no_centre"} == admins
    assert all(kind == "no_centre" for _, kind in notes)


async def test_offer_about_to_expire_tells_the_supervisors_once(app_and_clock: AppClock, area: Area,
                                                               database_url: str) -> None:
    api, clock = app_and_clock
    # 10:00 in Bangkok: the offers run out 30 minutes on (made in the quiet hours, 30 minutes after 07:00).
    clock.to_plain_hours()
    _, request = await submit(api)
    rid = request["id"]
    async with AsyncConnectionPool(database_url, kwargs={"row_factory": dict_row, "autocommit": True},
                                   open=False) as pool:
        await pool.open()
        async with service_tx(pool) as owner:  # type: ignore[arg-type]
            early = await notify_expiring_offers(owner, clock.now, timedelta(minutes=10))
        later = clock.now + timedelta(minutes=25)
        written = []
        for _ in range(2):  # every backend copy's tick: still once
            async with service_tx(pool) as owner:  # type: ignore[arg-type]
                written.append(await notify_expiring_offers(owner, later, timedelta(minutes=10)))
    teacher = area.students["teacher"][0]
    assert early == 0 and written[1] == 0  # not yet due; then once
    assert kinds_of(notes_for(database_url, rid), teacher) == ["offer_expiring"]
    token, _ = await sign_in(api, area.students["teacher"][1])
    item = (await api.get("/me/notifications", headers=bearer(token))).json()["items"][0]
    assert item["kind"] == "offer_expiring" and item["link"] == f"/jobs/{rid}"


async def test_a_rolled_back_change_notifies_nobody(app_and_clock: AppClock, area: Area, database_url: str) -> None:
    api, _ = app_and_clock
    _, request = await submit(api)
    rid = request["id"]
    before = notes_for(database_url, rid)
    with psycopg.connect(database_url, row_factory=dict_row) as conn, pytest.raises(RuntimeError), \
            conn.transaction():
        conn.execute("select set_config('fixit.actor', 'system', true)")
        conn.execute("update public.repair_requests set status = 'no_centre' where id = %s", [rid])
        seen = conn.execute("select count(*) as n from public.notifications where request_id = %s "
                            "and kind = 'no_centre'", [rid]).fetchone()
        assert seen is not None and seen["n"] >= 1  # written in this very transaction …
        raise RuntimeError("the change fails after the status moved")
    assert notes_for(database_url, rid) == before  # … and gone with it


async def test_devices_settings_and_line_code(app_and_clock: AppClock, area: Area) -> None:
    api, _ = app_and_clock
    citizen, _ = await submit(api)
    settings = (await api.get("/me/notification-settings", headers=bearer(citizen))).json()
    assert settings["channels"]["accepted"] == ["line", "push"] and settings["allowed"]["ready"] == ["push", "line",
                                                                                                      "sms"]
    assert "offer_new" not in settings["channels"] and settings["quiet_start"] == "21:00"
    bad = await api.put("/me/notification-settings", json={"channels": {"rate": ["sms"]}}, headers=bearer(citizen))
    assert bad.status_code == 400
    saved = await api.put("/me/notification-settings", headers=bearer(citizen), json={
        "channels": {"ready": ["sms"]}, "quiet_hours": False, "quiet_start": "22:00", "quiet_end": "06:30"})
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["channels"]["ready"] == ["sms"] and body["channels"]["accepted"] == ["line", "push"]
    assert (body["quiet_hours"], body["quiet_end"]) == (False, "06:30")
    token = f"fcm-{uuid.uuid4().hex}"
    assert (await api.post("/me/devices", json={"platform": "android", "token": token},
                           headers=bearer(citizen))).status_code == 204
    web = {"platform": "web", "token": f"https://fcm.googleapis.com/fcm/send/{uuid.uuid4().hex}",
           "keys": browser_push_keys()}
    assert (await api.post("/me/devices", json=web, headers=bearer(citizen))).status_code == 204
    assert (await api.get("/me/notification-settings", headers=bearer(citizen))).json()["devices"] == 2
    assert (await api.delete(f"/me/devices/{token}", headers=bearer(citizen))).status_code == 204
    assert (await api.delete(f"/me/devices/{web['token']}", headers=bearer(citizen))).status_code == 204
    assert (await api.get("/me/notification-settings", headers=bearer(citizen))).json()["devices"] == 0
    code = (await api.post("/me/line/link-code", headers=bearer(citizen))).json()
    assert len(code["code"]) == 6 and code["code"].isdigit()


@pytest.fixture
async def onesignal_api(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A backend that delivers phone push through OneSignal: phones register OneSignal subscription ids."""
    app = create_app(settings.model_copy(update={"notify_channels": ["console", "onesignal"],
                                                  "notify_worker_seconds": 0}))
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://fixit.test") as client:
        yield client


async def test_phones_register_onesignal_subscriptions_when_onesignal_delivers(
        onesignal_api: httpx.AsyncClient, database_url: str) -> None:
    token, profile = await sign_in(onesignal_api, fresh_phone())
    subscription = str(uuid.uuid4())
    assert (await onesignal_api.post("/me/devices", json={"platform": "ios", "token": subscription},
                                     headers=bearer(token))).status_code == 204
    refused = await onesignal_api.post("/me/devices", json={"platform": "android", "token": "fcm-token-not-a-uuid"},
                                       headers=bearer(token))
    assert refused.status_code == 400 and "UUID" in refused.text
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        rows = conn.execute("select token, channel, platform from private.notification_devices where user_id = %s",
                            [profile["id"]]).fetchall()
    assert rows == [{"token": subscription, "channel": "onesignal", "platform": "ios"}]
    assert (await onesignal_api.delete(f"/me/devices/{subscription}", headers=bearer(token))).status_code == 204
    assert (await onesignal_api.get("/me/notification-settings", headers=bearer(token))).json()["devices"] == 0


async def test_quiet_hours_times_are_checked(app_and_clock: AppClock) -> None:
    api, _ = app_and_clock
    token, _ = await sign_in(api, fresh_phone())
    for start, end, status in (("25:00", "07:00", 422), ("21:00", "7:00", 422), ("21:00", "noon", 422),
                               ("22:30", "22:30", 400)):
        refused = await api.put("/me/notification-settings", json={"quiet_start": start, "quiet_end": end},
                                headers=bearer(token))
        assert refused.status_code == status, (start, end, refused.text)
        error = refused.json()["error"]
        assert error["message_th"] and error["message_en"], error
    same = await api.put("/me/notification-settings", json={"quiet_start": "22:30", "quiet_end": "22:30"},
                         headers=bearer(token))
    assert same.json()["error"]["code"] == "quiet_hours_same"
    saved = await api.put("/me/notification-settings", json={"quiet_start": "22:30", "quiet_end": "05:30"},
                          headers=bearer(token))
    assert saved.status_code == 200, saved.text
    again = (await api.get("/me/notification-settings", headers=bearer(token))).json()
    assert (again["quiet_start"], again["quiet_end"]) == ("22:30", "05:30")


async def test_a_student_and_a_teacher_choose_how_they_hear_of_their_own_repairs(app_and_clock: AppClock,
                                                                                 area: Area) -> None:
    """A student or a teacher asks for repairs of their own (shared.roles.REQUESTER_ROLES) and is told of them as a
    citizen is ("accepted", "ready"...): their settings list those kinds beside their role's, so they can choose SMS
    for "ready" or turn a kind off; never a citizen's invitation, and an admin's only their own."""
    api, _ = app_and_clock
    for who, own, not_theirs in (("ace", "offer_new", "qc_waiting"), ("teacher", "qc_waiting", "offer_new")):
        token, _ = await sign_in(api, area.students[who][1])
        listed = (await api.get("/me/notification-settings", headers=bearer(token))).json()
        assert {own, "accepted", "ready", "part_proposed"} <= set(listed["channels"]), (who, listed["channels"])
        assert not_theirs not in listed["channels"] and "invited" not in listed["channels"], who
        assert listed["allowed"]["ready"] == ["push", "line", "sms"], who
        saved = await api.put("/me/notification-settings", json={"channels": {"ready": ["sms"]}},
                              headers=bearer(token))
        assert saved.status_code == 200, saved.text
        assert saved.json()["channels"]["ready"] == ["sms"], who
    admin, _ = await sign_in(api, ADMIN_PHONE)
    assert list((await api.get("/me/notification-settings", headers=bearer(admin))).json()["channels"]) == [
        "no_centre"]
