"""A person's data, whole (PDPA, export15): "download my data" holds every kind of thing the system keeps about the
person, and nothing of another person beyond what the app already shows them; what a deletion promises to erase
includes a teacher's handover reason; invitations that ended are erased after a retention period by the clock.
Real PostgreSQL, the app's routes through httpx, the clock's own turn."""

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from backend.db import Conn
from backend.dispatch_ticks import tick
from backend.settings import Settings
from shared.invitations import DECLINED_WAIT_DAYS, ENDED_INVITATION_KEPT_DAYS, EXPIRED_LISTED_DAYS
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.dispatch_area import Area, accepted_job, record_work, step

# Every section of the export, by name.
SECTIONS = ("profile", "account", "skills", "requests", "jobs", "team", "offers", "invitations", "notifications",
            "sessions", "audit", "skill_history", "skill_proposals", "portfolio_codes", "notification_settings",
            "devices", "line", "parts", "handovers", "outcomes", "reports", "job_steps", "hours_you_approved",
            "photos")


async def exported(api: httpx.AsyncClient, token: str) -> tuple[dict[str, Any], str]:
    answer = await api.get("/me/export", headers=bearer(token))
    assert answer.status_code == 200, answer.text
    return answer.json(), answer.text


def _extras(conn: psycopg.Connection[dict[str, Any]], student: str, tag: str) -> None:
    """What a student has beyond a job: a skill changed, a level-up proposed, a portfolio code, a LINE link."""
    conn.execute("insert into public.skill_level_history (technician_id, skill_code, level) "
                 "values (%s, 'electrical_appliance', 5)", [student])
    conn.execute("insert into public.skill_proposals (technician_id, skill_code, from_level, to_level, jobs) "
                 "values (%s, 'plumbing', 1, 2, 3)", [student])
    conn.execute("insert into public.portfolio_codes (code, technician_id, term, summary) values (%s, %s, '2569-1', "
                 "%s)", [tag * 10, student, json.dumps({"first_name": tag})])
    conn.execute("insert into private.line_links (user_id, line_user_id) values (%s, %s)",
                 [student, "U" + uuid.uuid4().hex])


async def test_a_persons_export_holds_every_section_and_nobody_elses_data(
    api: httpx.AsyncClient, area: Area, database_url: str,
) -> None:
    citizen, ace, rid = await accepted_job(api, area, "ace")
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    bee, _ = await sign_in(api, area.students["bee"][1])
    assert (await step(api, ace, rid, "diagnosing")).status_code == 200
    part = await api.post(f"/requests/{rid}/parts", json={"name": "ฟิวส์ 5A", "qty": 1, "price_baht": 20},
                          headers=bearer(ace))
    assert part.status_code == 201, part.text
    decided = await api.post(f"/requests/{rid}/parts/{part.json()['id']}/decision", json={"approve": True},
                             headers=bearer(citizen))
    assert decided.status_code == 200, decided.text
    assert (await step(api, ace, rid, "repairing")).status_code == 200
    await record_work(api, ace, rid, notes="เปลี่ยนฟิวส์ 5A แล้วเปิดเครื่องได้")
    assert (await step(api, ace, rid, "quality_check")).status_code == 200
    assert (await step(api, teacher, rid, "done")).status_code == 200
    reason = "คุณแม่ของเจ้าของมารับเครื่องแทน"
    assert (await step(api, teacher, rid, "handed_back", note=reason)).status_code == 200
    settings = await api.put("/me/notification-settings", json={"quiet_hours": False}, headers=bearer(ace))
    assert settings.status_code == 200, settings.text
    ace_device, bee_device = f"fcm-ace-{uuid.uuid4().hex}", f"fcm-bee-{uuid.uuid4().hex}"
    for token, device in ((ace, ace_device), (bee, bee_device)):
        added = await api.post("/me/devices", json={"platform": "android", "token": device}, headers=bearer(token))
        assert added.status_code == 204, added.text
    ace_id, bee_id = area.students["ace"][0], area.students["bee"][0]
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        _extras(conn, ace_id, "A")
        _extras(conn, bee_id, "B")
        citizen_phone = conn.execute("select contact_phone from public.repair_requests where id = %s",
                                     [rid]).fetchone()
        bee_line = conn.execute("select line_user_id from private.line_links where user_id = %s",
                                [bee_id]).fetchone()
    assert citizen_phone is not None and bee_line is not None

    data, text = await exported(api, ace)
    # Every section is there, and this student has something in each of theirs.
    assert set(SECTIONS) <= set(data)
    for section in ("skill_history", "skill_proposals", "portfolio_codes", "notification_settings", "devices",
                    "line", "parts", "reports", "job_steps", "photos", "audit", "jobs", "offers"):
        assert data[section], section
    assert data["notification_settings"]["quiet_hours"] is False
    assert [d["token"] for d in data["devices"]] == [ace_device]
    assert data["portfolio_codes"][0]["code"] == "A" * 10
    assert any(p["proposed_by_you"] and p["name"] == "ฟิวส์ 5A" for p in data["parts"])
    photo = data["photos"][0]
    assert photo["taken_by_you"] and photo["request_id"] == rid and photo["kind"] == "after" and photo["bytes"] > 0
    download = await api.get(photo["download"], headers=bearer(ace))
    assert download.status_code == 200 and len(download.content) == photo["bytes"]
    # Their own acts carry the address they came from; others' acts about them never carry another's address.
    assert any(a["by_you"] and a["client_ip"] for a in data["audit"])
    assert all(a["client_ip"] is None for a in data["audit"] if not a["by_you"])
    # Nobody else's: the owner's phone (the job is over), another student's device, LINE link and portfolio code.
    for other in (citizen_phone["contact_phone"], bee_device, bee_line["line_user_id"], "B" * 10, reason):
        assert other not in text, other

    # The teacher confirmed the hand-over (their reason) and approved the step; the owner decided the part.
    teacher_data, _ = await exported(api, teacher)
    assert [(h["request_id"], h["reason"]) for h in teacher_data["handovers"]] == [(rid, reason)]
    assert any(s["request_id"] == rid and s["to"] == "done" for s in teacher_data["job_steps"])
    owner_data, owner_text = await exported(api, citizen)
    assert any(p["decided_by_you"] and p["status"] == "approved" for p in owner_data["parts"])
    assert owner_data["requests"][0]["photos"][0]["id"] == photo["id"]
    assert ace_device not in owner_text and "A" * 10 not in owner_text


async def test_a_deleted_owners_collector_leaves_the_handover_reason(api: httpx.AsyncClient, area: Area) -> None:
    citizen, ace, rid = await accepted_job(api, area, "ace")
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    for to in ("diagnosing", "repairing"):
        assert (await step(api, ace, rid, to)).status_code == 200
    await record_work(api, ace, rid)
    assert (await step(api, ace, rid, "quality_check")).status_code == 200
    assert (await step(api, teacher, rid, "done")).status_code == 200
    # The owner could not confirm: the teacher records who collected the item, by name.
    moved = await step(api, teacher, rid, "handed_back", note="นางสมศรี มีสุข ภรรยาเจ้าของมารับแทน")
    assert moved.status_code == 200, moved.text
    assert "สมศรี" in (await api.get(f"/requests/{rid}/record", headers=bearer(teacher))).text
    gone = await api.delete("/me?confirm=true", headers=bearer(citizen))
    assert gone.status_code == 204, gone.text
    record = await api.get(f"/requests/{rid}/record", headers=bearer(teacher))
    assert record.status_code == 200, record.text
    assert "สมศรี" not in record.text
    assert record.json()["handover"]["method"] == "teacher_reason"


def test_an_ended_invitation_is_kept_while_it_still_counts() -> None:
    # A "no" holds off new asks, and a lapsed one stays on the inviter's list, reading the row until then.
    assert max(DECLINED_WAIT_DAYS, EXPIRED_LISTED_DAYS) <= ENDED_INVITATION_KEPT_DAYS


async def test_the_clock_erases_invitations_that_ended_long_ago(
    area: Area, database_url: str, settings: Settings,
) -> None:
    kept = timedelta(days=ENDED_INVITATION_KEPT_DAYS)
    long_ago, lately = datetime.now(UTC) - kept - timedelta(days=1), datetime.now(UTC) - kept + timedelta(days=1)
    # Accounts to invite (a "no" is an account's answer; their roles do not matter to the invitation rows).
    citizen_id, other_id = area.students["dan"][0], area.students["cat"][0]
    names: dict[str, str] = {}
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        cases = {  # name -> (declined_at, expires_at, profile)
            "declined_long_ago": (long_ago, long_ago - timedelta(days=5), citizen_id),
            "expired_long_ago": (None, long_ago, None),
            "declined_lately": (lately, lately - timedelta(days=5), other_id),
            "expired_lately": (None, lately, None),
            "open": (None, datetime.now(UTC) + timedelta(days=3), None),
        }
        for name, (declined, expires, profile) in cases.items():
            phone = "+66" + fresh_phone()[1:]
            names[name] = phone
            conn.execute(
                """insert into private.staff_invites (phone, role, college_id, display_name, profile_id, declined_at,
                                                      expires_at, created_at)
                   values (%s, 'technician', %s, %s, %s, %s, %s, %s - interval '14 days')""",
                [phone, area.near, f"ชื่อ {name}", profile, declined, expires, expires])
    pool: AsyncConnectionPool[Conn] = AsyncConnectionPool(
        database_url, min_size=1, max_size=2, kwargs={"row_factory": dict_row, "autocommit": True},
        connection_class=psycopg.AsyncConnection[dict[str, Any]], open=False)
    async with pool:
        await tick(pool, settings)
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        left = {r["phone"] for r in conn.execute("select phone from private.staff_invites where phone = any(%s)",
                                                 [list(names.values())]).fetchall()}
        trail = conn.execute("select target_table, target_id, after from public.audit_events "
                             "where action = 'staff.invite_erase' and after ->> 'kept_days' is not null "
                             "and after ->> 'college_id' = %s", [str(area.near)]).fetchall()
    assert left == {names["declined_lately"], names["expired_lately"], names["open"]}
    # The trail says which invitation ended how, never the phone or the name.
    assert sorted(t["after"]["ended"] for t in trail) == ["declined", "expired"]
    assert str(trail).count("+66") == 0 and "ชื่อ" not in str(trail)
    assert {(t["target_table"], str(t["target_id"])) for t in trail} == {("profiles", citizen_id),
                                                                         ("staff_invites", str(area.near))}


async def test_the_export_says_where_and_when_each_of_their_notifications_went(
    api: httpx.AsyncClient, database_url: str,
) -> None:
    """Each of the person's notifications carries its deliveries (channel, how it went, when), the address by its
    end only; a notification naming them in someone else's inbox carries none of that person's."""
    me, me_profile = await sign_in(api, fresh_phone())
    inviter, inviter_profile = await sign_in(api, fresh_phone())
    phone, browser = str(uuid.uuid4()), f"fcm-{uuid.uuid4().hex}-zqxjkw"
    for token, device in ((me, phone), (inviter, browser)):
        added = await api.post("/me/devices", json={"platform": "android", "token": device}, headers=bearer(token))
        assert added.status_code == 204, added.text
    at = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        mine = conn.execute("insert into public.notifications (recipient_id, kind, params) values (%s, 'ready', '{}') "
                            "returning id", [me_profile["id"]]).fetchone()
        theirs = conn.execute("insert into public.notifications (recipient_id, kind, params, about_id) "
                              "values (%s, 'invite_declined', '{}', %s) returning id",
                              [inviter_profile["id"], me_profile["id"]]).fetchone()
        assert mine is not None and theirs is not None
        # What the delivery worker writes: one sent, one failing and waiting for its retry (its error names the
        # device), and the inviter's own delivery of the answer that names me.
        conn.execute(
            """insert into private.notification_deliveries
                   (notification_id, channel, target, status, attempts, next_attempt_at, last_error, created_at,
                    updated_at, sent_at)
               values (%(mine)s, 'console', %(me)s, 'sent', 1, %(at)s, null, %(at)s, %(at)s, %(at)s),
                      (%(mine)s, 'fcm', %(phone)s, 'pending', 2, %(later)s, 'FCM quota exceeded for ' || %(phone)s,
                       %(at)s, %(at)s, null),
                      (%(theirs)s, 'fcm', %(browser)s, 'sent', 1, %(at)s, null, %(at)s, %(at)s, %(at)s)""",
            {"mine": mine["id"], "theirs": theirs["id"], "me": me_profile["id"], "phone": phone, "browser": browser,
             "at": at, "later": at + timedelta(minutes=1)})

    data, text = await exported(api, me)
    by_kind = {n["kind"]: n for n in data["notifications"]}
    times = ("planned_at", "next_attempt_at", "updated_at", "sent_at")
    assert [{k: datetime.fromisoformat(v) if k in times and v else v for k, v in d.items()}
            for d in by_kind["ready"]["deliveries"]] == [
        {"channel": "console", "to": "…" + me_profile["id"][-6:], "status": "sent", "attempts": 1, "planned_at": at,
         "next_attempt_at": None, "updated_at": at, "sent_at": at},
        {"channel": "fcm", "to": "…" + phone[-6:], "status": "pending", "attempts": 2, "planned_at": at,
         "next_attempt_at": at + timedelta(minutes=1), "updated_at": at, "sent_at": None},
    ]
    assert by_kind["invite_declined"]["about_you"] and by_kind["invite_declined"]["deliveries"] == []
    # Their device's token is whole in `devices` only; the inviter's device, and the error's text, nowhere.
    assert text.count(phone) == 1 and [d["token"] for d in data["devices"]] == [phone]
    assert browser not in text and "zqxjkw" not in text and "quota" not in text
