"""A part proposed to the owner and still waiting for their answer, when someone other than its student ends the
wait (review18a): the owner is told who withdrew it, a part the job's take back or reassign withdrew is answered as
withdrawn (never as the owner's answer), and a reassign leaves no question open that nobody on the job owns."""

from typing import Any

import psycopg

from tests.helpers import bearer
from tests.integration.dispatch_area import AppClock, Area, assigned_by_teacher, step


async def waiting_part(api: Any, area: Area) -> tuple[str, str, str, str, str]:
    """bee diagnoses a job the teacher gave them and proposes a part the citizen has not answered yet: (citizen,
    teacher, bee tokens, request id, part id)."""
    citizen, teacher, bee, rid = await assigned_by_teacher(api, area, "bee")
    assert (await step(api, bee, rid, "diagnosing")).status_code == 200
    proposed = await api.post(f"/requests/{rid}/parts", json={"name": "สายไฟผิดรุ่น", "qty": 1, "price_baht": 350},
                              headers=bearer(bee))
    assert proposed.status_code == 201, proposed.text
    return citizen, teacher, bee, rid, proposed.json()["id"]


async def test_a_part_the_teacher_withdrew_is_not_told_to_the_citizen_as_the_students_doing(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    api, _ = app_and_clock
    citizen, teacher, _, rid, part = await waiting_part(api, area)
    withdrawn = await api.post(f"/requests/{rid}/parts/{part}/withdraw", headers=bearer(teacher))
    assert withdrawn.status_code == 200, withdrawn.text
    inbox = (await api.get("/me/notifications", headers=bearer(citizen))).json()["items"]
    told = [n for n in inbox if n["kind"] == "part_withdrawn"]
    assert len(told) == 1 and "สายไฟผิดรุ่น" in told[0]["body"], told
    assert "นักศึกษาถอนรายการ" not in told[0]["body"], told[0]["body"]  # "the student withdrew": the teacher did
    assert "ครูผู้ควบคุมถอนรายการ สายไฟผิดรุ่น" in told[0]["body"], told[0]["body"]


async def test_a_part_its_student_withdrew_is_told_as_the_students_doing(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    api, _ = app_and_clock
    citizen, _, bee, rid, part = await waiting_part(api, area)
    assert (await api.post(f"/requests/{rid}/parts/{part}/withdraw", headers=bearer(bee))).status_code == 200
    inbox = (await api.get("/me/notifications", headers=bearer(citizen))).json()["items"]
    told = [n for n in inbox if n["kind"] == "part_withdrawn"]
    assert len(told) == 1 and "นักศึกษาถอนรายการ สายไฟผิดรุ่น" in told[0]["body"], told


async def test_withdrawing_a_part_the_take_back_withdrew_does_not_say_the_owner_answered_it(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    api, _ = app_and_clock
    citizen, teacher, _, rid, part = await waiting_part(api, area)
    taken = await step(api, teacher, rid, "offered", note="บีลาออกแล้ว")
    assert taken.status_code == 200, taken.text
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select status::text, withdrawn_by_hand from public.job_parts where id = %s",
                           [part]).fetchone()
    assert row == ("withdrawn", False)  # the take back withdrew it: nobody answered it
    # The teacher, unaware, withdraws it from the screen they had open: the part as it is, nothing told again.
    late = await api.post(f"/requests/{rid}/parts/{part}/withdraw", headers=bearer(teacher))
    assert late.status_code == 200, late.text
    assert (late.json()["status"], late.json()["withdrawn_by_hand"]) == ("withdrawn", False)
    inbox = (await api.get("/me/notifications", headers=bearer(citizen))).json()["items"]
    assert [n for n in inbox if n["kind"] == "part_withdrawn"] == []  # the take back's message said it


async def test_after_a_reassign_the_former_students_waiting_part_is_withdrawn_or_the_next_student_may_withdraw_it(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    """One rule for a take back and a reassign (migration 0083): the former student's part that waited for the
    owner's answer is withdrawn by the change of hands, and the owner is told once, how many."""
    api, _ = app_and_clock
    citizen, teacher, _, rid, part = await waiting_part(api, area)
    given = await api.post(f"/requests/{rid}/assign", json={"technician_id": area.students["ace"][0]},
                           headers=bearer(teacher))
    assert given.status_code == 200, given.text
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select status::text, withdrawn_by_hand from public.job_parts where id = %s",
                           [part]).fetchone()
    assert row == ("withdrawn", False)  # not a question nobody on the job owns
    inbox = (await api.get("/me/notifications", headers=bearer(citizen))).json()["items"]
    told = [n for n in inbox if n["kind"] == "part_withdrawn"]
    assert len(told) == 1, told
    assert "นักศึกษาคนใหม่" in told[0]["body"] and "1 รายการ" in told[0]["body"], told[0]["body"]
    # The owner can no longer approve it; the teacher's late withdrawal answers the part as it is.
    late = await api.post(f"/requests/{rid}/parts/{part}/decision", json={"approve": True}, headers=bearer(citizen))
    assert late.status_code == 409, late.text
    again = await api.post(f"/requests/{rid}/parts/{part}/withdraw", headers=bearer(teacher))
    assert again.status_code == 200 and again.json()["status"] == "withdrawn", again.text


async def test_a_reassign_with_no_part_waiting_tells_the_owner_nothing_of_parts(
        app_and_clock: AppClock, area: Area, database_url: str) -> None:
    api, _ = app_and_clock
    citizen, teacher, bee, rid = await assigned_by_teacher(api, area, "bee")
    assert (await step(api, bee, rid, "diagnosing")).status_code == 200
    given = await api.post(f"/requests/{rid}/assign", json={"technician_id": area.students["ace"][0]},
                           headers=bearer(teacher))
    assert given.status_code == 200, given.text
    inbox = (await api.get("/me/notifications", headers=bearer(citizen))).json()["items"]
    assert [n for n in inbox if n["kind"] == "part_withdrawn"] == []
