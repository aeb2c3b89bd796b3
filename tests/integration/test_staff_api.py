"""Staff onboarding without SQL through the API: admins create and edit colleges and name supervisors; supervisors
add students to their own college, one by one or from a CSV (all rows or none); a registered phone signs in and lands
in its role at its college, an existing citizen account accepts an invitation first; every change is in the audit
trail."""

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import psycopg
import pytest
from psycopg.rows import dict_row

from tests.helpers import answer_invitation, bearer, fresh_phone, sign_in

SEED_ADMIN, SEED_SUPERVISOR, SEED_STUDENT = "084-444-4444", "083-333-3333", "082-222-2222"
# Far from every other test's requests, with a 1 km radius: these colleges never take another test's job.
PLACE = {"lat": 6.55, "lon": 101.25}

MakeCollege = Callable[..., Awaitable[dict[str, Any]]]


def college_body(**overrides: Any) -> dict[str, Any]:
    code = f"ST-{uuid.uuid4().hex[:8].upper()}"
    return {"code": code, "name_th": "วิทยาลัยการอาชีพทดสอบ", "name_en": "Test Industrial College",
            "province_th": "ยะลา", "province_en": "Yala", "region": "south", **PLACE, "service_radius_km": 1,
            **overrides}


def audit_rows(database_url: str, action: str, target_id: str | None = None) -> list[dict[str, Any]]:
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        return conn.execute(
            "select actor, actor_id::text as actor_id, target_id::text as target_id, before, after "
            "from public.audit_events where action = %s and (%s::uuid is null or target_id = %s::uuid) order by id",
            [action, target_id, target_id]).fetchall()


@pytest.fixture
async def admin(api: httpx.AsyncClient) -> tuple[dict[str, str], dict[str, Any]]:
    token, profile = await sign_in(api, SEED_ADMIN)
    return bearer(token), profile


@pytest.fixture
async def new_college(api: httpx.AsyncClient, admin: tuple[dict[str, str], dict[str, Any]],
                      database_url: str) -> AsyncIterator[MakeCollege]:
    made: list[str] = []

    async def make(**overrides: Any) -> dict[str, Any]:
        response = await api.post("/admin/colleges", json=college_body(**overrides), headers=admin[0])
        assert response.status_code == 201, response.text
        made.append(response.json()["id"])
        return dict(response.json())

    yield make
    with psycopg.connect(database_url, autocommit=True) as conn:  # leave nothing that could take a job
        conn.execute("update public.colleges set is_active = false where id = any(%s::uuid[])", [made])


async def signed_in_supervisor(api: httpx.AsyncClient, admin_headers: dict[str, str],
                               college_id: str) -> tuple[dict[str, str], dict[str, Any]]:
    phone = fresh_phone()
    named = await api.post(f"/admin/colleges/{college_id}/supervisors", json={"phone": phone,
                                                                              "display_name": "ครู ทดสอบ"},
                           headers=admin_headers)
    assert named.status_code == 201, named.text
    token, profile = await sign_in(api, phone)
    assert profile["role"] == "supervisor"
    return bearer(token), profile


async def test_only_admins_manage_colleges_and_supervisors(api: httpx.AsyncClient, new_college: MakeCollege) -> None:
    college = await new_college()
    for phone in (SEED_SUPERVISOR, SEED_STUDENT, fresh_phone()):
        token, _ = await sign_in(api, phone)
        calls = [api.get("/admin/colleges", headers=bearer(token)),
                 api.post("/admin/colleges", json=college_body(), headers=bearer(token)),
                 api.patch(f"/admin/colleges/{college['id']}", json={"is_active": False}, headers=bearer(token)),
                 api.post(f"/admin/colleges/{college['id']}/supervisors", json={"phone": fresh_phone()},
                          headers=bearer(token))]
        for call in calls:
            refused = await call
            assert refused.status_code == 403, (phone, refused.text)
            assert refused.json()["error"]["code"] == "forbidden_role"
            assert refused.json()["error"]["message_th"] and refused.json()["error"]["message_en"]
    citizen, _ = await sign_in(api, fresh_phone())
    added = await api.post(f"/colleges/{college['id']}/students", json={"phone": fresh_phone()},
                           headers=bearer(citizen))
    assert added.status_code == 403
    assert (await api.get("/admin/colleges")).status_code == 401


async def test_an_admin_creates_and_edits_a_college_audited(
    api: httpx.AsyncClient, admin: tuple[dict[str, str], dict[str, Any]], new_college: MakeCollege,
    database_url: str,
) -> None:
    headers, me = admin
    college = await new_college()
    assert college["is_active"] and college["supervisors"] == [] and college["students"] == 0
    again = await api.post("/admin/colleges", json=college_body(code=college["code"]), headers=headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "college_code_taken"
    assert college["code"] in again.json()["error"]["message_th"]
    abroad = await api.post("/admin/colleges", json=college_body(lat=1.35, lon=103.82), headers=headers)
    assert abroad.status_code == 400 and abroad.json()["error"]["code"] == "college_outside_thailand"
    bad = await api.post("/admin/colleges", json=college_body(region="mars", code="bad code"), headers=headers)
    assert bad.status_code == 422 and set(bad.json()["error"]["fields"]) == {"region", "code"}

    edited = await api.patch(f"/admin/colleges/{college['id']}",
                             json={"name_en": "Renamed College", "service_radius_km": 2.5, "is_active": False},
                             headers=headers)
    assert edited.status_code == 200, edited.text
    assert edited.json()["name_en"] == "Renamed College" and edited.json()["service_radius_km"] == 2.5
    assert not edited.json()["is_active"]
    listed = {c["id"]: c for c in (await api.get("/admin/colleges", headers=headers)).json()}
    assert listed[college["id"]]["is_active"] is False  # inactive colleges are listed for admins
    nowhere = await api.patch(f"/admin/colleges/{uuid.uuid4()}", json={"name_en": "x"}, headers=headers)
    assert nowhere.status_code == 404
    null = await api.patch(f"/admin/colleges/{college['id']}", json={"name_th": None}, headers=headers)
    assert null.status_code == 422
    second = await new_college()
    taken = await api.patch(f"/admin/colleges/{second['id']}", json={"code": college["code"]}, headers=headers)
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "college_code_taken"

    inserted = audit_rows(database_url, "college.insert", college["id"])
    updated = audit_rows(database_url, "college.update", college["id"])
    assert [(r["actor"], r["actor_id"]) for r in inserted] == [("admin", me["id"])]
    assert len(updated) == 1 and updated[0]["actor_id"] == me["id"]
    assert updated[0]["before"]["name_en"] == "Test Industrial College"
    assert updated[0]["after"]["name_en"] == "Renamed College" and updated[0]["after"]["is_active"] is False


async def test_named_supervisors_land_in_their_role_at_their_college(
    api: httpx.AsyncClient, admin: tuple[dict[str, str], dict[str, Any]], new_college: MakeCollege,
    database_url: str,
) -> None:
    headers, me = admin
    college = await new_college()
    # Someone who never signed in: an invite, applied at the first sign-in.
    phone = fresh_phone()
    named = await api.post(f"/admin/colleges/{college['id']}/supervisors",
                           json={"phone": phone, "display_name": "ครู สมใจ"}, headers=headers)
    assert named.status_code == 201 and named.json()["existing_account"] is False
    invites = (await api.get(f"/colleges/{college['id']}/invites", headers=headers)).json()
    assert [(i["phone"], i["role"], i["display_name"]) for i in invites] == [
        ("+66" + phone[1:], "supervisor", "ครู สมใจ")]
    invited = audit_rows(database_url, "staff.invite", college["id"])
    assert [(r["actor"], r["actor_id"], r["after"]["role"]) for r in invited] == [("admin", me["id"], "supervisor")]
    token, profile = await sign_in(api, phone)
    assert profile["role"] == "supervisor" and profile["college"]["id"] == college["id"]
    assert profile["display_name"] == "ครู สมใจ"
    assert (await api.get(f"/colleges/{college['id']}/invites", headers=headers)).json() == []
    assert (await api.get("/supervisor/dashboard", headers=bearer(token))).status_code == 200

    # Someone with an account is invited: nothing changes until they accept, which is their own doing.
    citizen_phone = fresh_phone()
    citizen_token, before = await sign_in(api, citizen_phone)
    named = await api.post(f"/admin/colleges/{college['id']}/supervisors", json={"phone": citizen_phone},
                           headers=headers)
    assert named.status_code == 201 and named.json()["existing_account"] is True
    assert named.json()["awaiting_acceptance"] is True
    assert (await api.get("/me", headers=bearer(citizen_token))).json()["role"] == "citizen"
    accepted = await answer_invitation(api, citizen_token, "accept")
    assert accepted.status_code == 200, accepted.text
    _, after = await sign_in(api, citizen_phone)
    assert after["id"] == before["id"] and after["role"] == "supervisor"
    assert [(r["actor"], r["actor_id"], r["after"]) for r in audit_rows(database_url, "profile.role", before["id"])] \
        == [("citizen", before["id"], {"role": "supervisor"})]
    listed = {c["id"]: c for c in (await api.get("/admin/colleges", headers=headers)).json()}
    assert {s["id"] for s in listed[college["id"]]["supervisors"]} == {profile["id"], before["id"]}

    bad = await api.post(f"/admin/colleges/{college['id']}/supervisors", json={"phone": "12"}, headers=headers)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_phone"
    gone = await api.post(f"/admin/colleges/{uuid.uuid4()}/supervisors", json={"phone": fresh_phone()},
                          headers=headers)
    assert gone.status_code == 404
    # The last admin is never demoted.
    with psycopg.connect(database_url) as conn:
        admins = conn.execute("select count(*) from public.profiles where role = 'admin' and is_active").fetchone()
    if admins == (1,):
        last = await api.post(f"/admin/colleges/{college['id']}/supervisors", json={"phone": SEED_ADMIN},
                              headers=headers)
        assert last.status_code == 409 and last.json()["error"]["code"] == "last_admin"


async def test_a_supervisor_adds_students_to_their_own_college_only(
    api: httpx.AsyncClient, admin: tuple[dict[str, str], dict[str, Any]], new_college: MakeCollege,
    database_url: str,
) -> None:
    college, other = await new_college(), await new_college()
    teacher, teacher_profile = await signed_in_supervisor(api, admin[0], college["id"])
    url = f"/colleges/{college['id']}/students"

    phone = fresh_phone()
    added = await api.post(url, json={"phone": phone, "display_name": "นาย ช่างไฟ",
                                      "skills": {"electrical_appliance": 3, "plumbing": 1}}, headers=teacher)
    assert added.status_code == 201, added.text
    assert added.json()["role"] == "technician" and added.json()["existing_account"] is False

    elsewhere = await api.post(f"/colleges/{other['id']}/students", json={"phone": fresh_phone()}, headers=teacher)
    assert elsewhere.status_code == 403 and elsewhere.json()["error"]["code"] == "not_your_college_staff"
    assert (await api.get(f"/colleges/{other['id']}/invites", headers=teacher)).status_code == 403
    assert (await api.post(f"/admin/colleges/{college['id']}/supervisors", json={"phone": fresh_phone()},
                           headers=teacher)).status_code == 403
    # A student of another college, a supervisor, an admin: not a supervisor's to take.
    for taken in (SEED_STUDENT, SEED_SUPERVISOR, SEED_ADMIN):
        refused = await api.post(url, json={"phone": taken}, headers=teacher)
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "phone_is_staff", taken
    # Someone invited by an admin as a supervisor elsewhere stays so.
    invited_elsewhere = fresh_phone()
    assert (await api.post(f"/admin/colleges/{other['id']}/supervisors", json={"phone": invited_elsewhere},
                           headers=admin[0])).status_code == 201
    refused = await api.post(url, json={"phone": invited_elsewhere}, headers=teacher)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "phone_invited_elsewhere"

    for body, code in (({"phone": fresh_phone(), "skills": {"juggling": 2}}, "skill_unknown"),
                       ({"phone": fresh_phone(), "skills": {"plumbing": 7}}, "skill_level_invalid"),
                       ({"phone": "0000"}, "invalid_phone"),
                       ({"phone": fresh_phone(), "display_name": "x" * 90}, "display_name_invalid")):
        bad = await api.post(url, json=body, headers=teacher)
        assert bad.status_code == 400 and bad.json()["error"]["code"] == code, bad.text
        assert bad.json()["error"]["message_th"] != bad.json()["error"]["message_en"]
    # Two bad levels: each field's text names its own skill (both named the first), in a rule's 400 as in a 422
    # where another field's problem is not a rule's (there the texts kept "{skill}" unfilled).
    for extra, status in (({}, 400), ({"display_name": 5}, 422)):
        bad = await api.post(url, json={"phone": fresh_phone(), "skills": {"plumbing": 7, "computer": 0}, **extra},
                             headers=teacher)
        assert bad.status_code == status, bad.text
        fields = bad.json()["error"]["fields"]
        for skill in ("plumbing", "computer"):
            field = fields[f"skills.{skill}"]
            assert field["code"] == "skill_level_invalid", bad.text
            assert field["message_en"] == f"The level of {skill} must be 1–5", bad.text
            assert field["message_th"] == f"ระดับทักษะ {skill} ต้องเป็น 1–5", bad.text

    # The invited student signs in and lands at this college with those skills.
    _, profile = await sign_in(api, phone)
    assert profile["role"] == "technician" and profile["college"]["id"] == college["id"]
    students = {s["id"]: s for s in (await api.get("/supervisor/technicians", headers=teacher)).json()}
    assert students[profile["id"]]["skills"] == {"electrical_appliance": 3, "plumbing": 1}
    assert students[profile["id"]]["display_name"] == "นาย ช่างไฟ"

    # A citizen with an account is invited by the teacher and becomes a student when they accept: the invitation
    # is audited as the teacher's, the role, college and skills as the person's own doing.
    citizen_phone = fresh_phone()
    citizen_token, citizen = await sign_in(api, citizen_phone)
    again = await api.post(url, json={"phone": citizen_phone, "skills": {"computer": 2}}, headers=teacher)
    assert again.status_code == 201 and again.json()["existing_account"] is True
    assert again.json()["awaiting_acceptance"] is True
    assert audit_rows(database_url, "profile.role", citizen["id"]) == []
    invited = audit_rows(database_url, "staff.invite", college["id"])
    assert (invited[-1]["actor"], invited[-1]["actor_id"]) == ("supervisor", teacher_profile["id"])
    assert invited[-1]["after"]["awaiting_acceptance"] is True
    assert (await answer_invitation(api, citizen_token, "accept")).status_code == 200
    by_themselves = ("citizen", citizen["id"])
    for action in ("profile.role", "profile.college", "skill.add"):
        rows = audit_rows(database_url, action, citizen["id"])
        assert [(r["actor"], r["actor_id"]) for r in rows] == [by_themselves], action
    assert audit_rows(database_url, "skill.add", citizen["id"])[0]["after"] == {"skill": "computer", "level": 2}
    # An admin may add students to any college.
    assert (await api.post(f"/colleges/{other['id']}/students", json={"phone": fresh_phone()},
                           headers=admin[0])).status_code == 201


async def test_a_student_csv_is_all_or_nothing_with_every_bad_line_named(
    api: httpx.AsyncClient, admin: tuple[dict[str, str], dict[str, Any]], new_college: MakeCollege,
    database_url: str,
) -> None:
    college = await new_college()
    teacher, _ = await signed_in_supervisor(api, admin[0], college["id"])
    url = f"/colleges/{college['id']}/students/import"
    good = [fresh_phone() for _ in range(3)]
    citizen_phone = fresh_phone()
    _, citizen = await sign_in(api, citizen_phone)

    def upload(text: str, headers: dict[str, str] = teacher) -> Awaitable[httpx.Response]:
        data = ("\ufeff" + text).encode("utf-8")  # as Excel saves "CSV UTF-8"
        return api.post(url, files={"file": ("students.csv", data, "text/csv")}, headers=headers)

    bad_csv = (
        "phone,name,skills\n"
        f"{good[0]},สมชาย ใจดี,electrical_appliance:3\n"  # line 2: fine
        "12345,สมหญิง,\n"  # line 3: bad phone
        f"{good[1]},,plumbing:2\n"  # line 4: no name
        f"{good[2]},มานะ,plumbing:9 juggling:1\n"  # line 5: level out of range
        f"{good[0]},ซ้ำ,\n"  # line 6: repeats line 2
        f"{citizen_phone},พลเมือง ดี,computer\n"  # line 7: no level
    )
    refused = await upload(bad_csv)
    assert refused.status_code == 400, refused.text
    error = refused.json()["error"]
    assert error["code"] == "csv_invalid" and "5" in error["message_en"] and "5" in error["message_th"]
    assert [(e["line"], e["code"]) for e in error["lines"]] == [
        (3, "invalid_phone"), (4, "display_name_invalid"), (5, "skill_level_invalid"), (6, "csv_phone_repeated"),
        (7, "skill_format_invalid")]
    assert all(e["message_th"] and e["message_en"] and e["message_th"] != e["message_en"] for e in error["lines"])
    assert (await api.get(f"/colleges/{college['id']}/invites", headers=teacher)).json() == []

    # Every line well-formed, but one phone belongs to another college's student: still nothing is written,
    # not even the citizen who would have changed at once.
    taken_csv = (
        "phone,name,skills\n"
        f"{good[0]},สมชาย ใจดี,electrical_appliance:3\n"
        f"{citizen_phone},พลเมือง ดี,computer:2\n"
        f"{SEED_STUDENT},นักศึกษา ที่อื่น,\n"
    )
    refused = await upload(taken_csv)
    assert refused.status_code == 400
    assert [(e["line"], e["code"]) for e in refused.json()["error"]["lines"]] == [(4, "phone_is_staff")]
    _, still = await sign_in(api, citizen_phone)
    assert still["role"] == "citizen"
    assert audit_rows(database_url, "profile.role", citizen["id"]) == []

    for text, code in (("name,skills\nก,\n", "csv_missing_columns"), ("phone,name\n", "csv_empty")):
        bad = await upload(text)
        assert bad.status_code == 400 and bad.json()["error"]["lines"][0]["code"] == code
    latin1 = await api.post(url, files={"file": ("s.csv", "phone,name\n0612345678,Jos\xe9\n".encode("latin-1"),
                                                 "text/csv")}, headers=teacher)
    assert latin1.status_code == 400 and latin1.json()["error"]["lines"][0]["code"] == "csv_not_utf8"
    citizen_token, _ = await sign_in(api, fresh_phone())
    assert (await upload("phone,name\n", bearer(citizen_token))).status_code == 403

    ok_csv = (
        "Phone,Name,Skills\n"
        f"{good[0]},สมชาย ใจดี,electrical_appliance:3\n"
        f"{good[1]},สมหญิง รักงาน,plumbing:2;computer:1\n"
        "\n"
        f"{good[2]},มานะ อดทน,\n"
        f"{citizen_phone},พลเมือง ดี,computer:2\n"
    )
    imported = await upload(ok_csv)
    assert imported.status_code == 200, imported.text
    # The citizen with an account is invited to accept in the app, not changed.
    assert imported.json() == {"imported": 4, "changed_now": 0, "invited": 3, "awaiting_acceptance": 1}
    invites = {i["phone"]: i for i in (await api.get(f"/colleges/{college['id']}/invites", headers=teacher)).json()}
    assert set(invites) == {"+66" + p[1:] for p in [*good, citizen_phone]}
    assert [p for p, i in invites.items() if i["awaiting_acceptance"]] == ["+66" + citizen_phone[1:]]
    assert invites["+66" + good[1][1:]]["skills"] == {"plumbing": 2, "computer": 1}
    _, profile = await sign_in(api, good[1])
    assert profile["role"] == "technician" and profile["college"]["id"] == college["id"]
    citizen_token, unchanged = await sign_in(api, citizen_phone)
    assert unchanged["role"] == "citizen"
    accepted = await answer_invitation(api, citizen_token, "accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["role"] == "technician" and accepted.json()["college"]["id"] == college["id"]
