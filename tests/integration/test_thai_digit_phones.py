"""A phone number typed in Thai digits (๐๘๑-๒๓๔-๕๖๗๘, every Thai keyboard has them) is the number, at every place
a phone is typed: sign-in, a request's contact phone, an admin's and a teacher's invitation, the students' CSV. Each
reads it through shared.phone, and what is stored is the ASCII E.164 form (the database's check, what networks
dial). Real app, real PostgreSQL."""

import httpx
import psycopg

from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.builders import draft
from tests.integration.dispatch_area import Area

SEED_ADMIN = "084-444-4444"
_THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def thai(phone: str) -> str:
    """The number in Thai digits, written the Thai way (0XX-XXX-XXXX)."""
    digits = phone.translate(_THAI)
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"


def e164(phone: str) -> str:
    return "+66" + phone[1:]


async def test_signing_in_with_thai_digits_is_the_same_account(api: httpx.AsyncClient, database_url: str) -> None:
    phone = fresh_phone()
    sent = await api.post("/auth/otp/request", json={"phone": thai(phone)})
    assert sent.status_code == 200, sent.text
    assert sent.json()["phone"] == e164(phone)
    _, typed_thai = await sign_in(api, thai(phone))
    _, typed_ascii = await sign_in(api, phone)
    assert typed_thai["id"] == typed_ascii["id"] and typed_thai["phone"] == e164(phone)
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select phone from auth.users where id = %s", [typed_thai["id"]]).fetchone()
    assert row == (e164(phone)[1:],)


async def test_a_contact_phone_in_thai_digits_is_stored_in_ascii(api: httpx.AsyncClient, database_url: str) -> None:
    token, _ = await sign_in(api, fresh_phone())
    contact = fresh_phone()
    created = await api.post("/requests", json=draft(contact_phone=thai(contact)), headers=bearer(token))
    assert created.status_code == 201, created.text
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select contact_phone from public.repair_requests where id = %s",
                           [created.json()["id"]]).fetchone()
    assert row == (e164(contact),)


async def test_invitations_and_the_students_csv_read_thai_digits(
        api: httpx.AsyncClient, area: Area, database_url: str) -> None:
    admin, _ = await sign_in(api, SEED_ADMIN)
    teacher_phone, student_phone, listed_phone = fresh_phone(), fresh_phone(), fresh_phone()
    named = await api.post(f"/admin/colleges/{area.far}/supervisors", json={"phone": thai(teacher_phone)},
                           headers=bearer(admin))
    assert named.status_code == 201, named.text
    assert named.json()["phone"] == e164(teacher_phone)
    teacher, profile = await sign_in(api, teacher_phone)
    assert profile["role"] == "supervisor"
    added = await api.post(f"/colleges/{area.far}/students", json={"phone": thai(student_phone)},
                           headers=bearer(teacher))
    assert added.status_code == 201, added.text
    assert added.json()["phone"] == e164(student_phone)
    csv = f"phone,name,skills\n{thai(listed_phone)},สมชาย ใจดี,\n".encode()
    imported = await api.post(f"/colleges/{area.far}/students/import",
                              files={"file": ("students.csv", csv, "text/csv")}, headers=bearer(teacher))
    assert imported.status_code == 200, imported.text
    with psycopg.connect(database_url) as conn:
        invited = conn.execute("select phone from private.staff_invites where phone = any(%s) order by phone",
                               [[e164(student_phone), e164(listed_phone)]]).fetchall()
    assert sorted(invited) == sorted([(e164(student_phone),), (e164(listed_phone),)])
