"""Row level security per role, through SQL run as `authenticated` (what Supabase's public API would run):
students see only their offers and jobs, supervisors only their college, nobody the citizen's phone early."""

from typing import Any

import httpx
import psycopg
import pytest

from backend.settings import Settings
from shared.aftercare import duplicate_cell
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.builders import as_user, jpeg_with_gps
from tests.integration.dispatch_area import HOME, AppClock, Area, submit


async def test_students_see_offers_but_not_the_request_row_before_accepting(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    api, _ = app_and_clock
    _, request = await submit(api)
    ace_id = area.students["ace"][0]
    with as_user(database_url, ace_id) as conn:
        # The offer card, without phone or exact address …
        cards = conn.execute("select * from public.my_offer_cards()").fetchall()
        card = next(c for c in cards if str(c["request_id"]) == request["id"])
        assert "contact_phone" not in card and "address" not in card and "lat" not in card
        # … and the request row itself stays hidden until she accepts.
        assert conn.execute("select contact_phone from public.repair_requests where id = %s",
                            [request["id"]]).fetchall() == []
    token, _ = await sign_in(api, area.students["ace"][1])
    offer_id = str(card["offer_id"])
    assert (await api.post(f"/offers/{offer_id}/accept", headers=bearer(token))).status_code == 200
    with as_user(database_url, ace_id) as conn:
        rows = conn.execute("select contact_phone from public.repair_requests where id = %s",
                            [request["id"]]).fetchall()
        assert rows == [{"contact_phone": "+66812345678"}]
    with as_user(database_url, area.students["bee"][0]) as conn:  # a classmate whose offer was withdrawn
        assert conn.execute("select id from public.repair_requests where id = %s", [request["id"]]).fetchall() == []
        assert conn.execute("select id from public.offers where technician_id = %s",
                            [ace_id]).fetchall() == []  # nor anyone else's offers


async def test_supervisors_see_only_their_college(app_and_clock: AppClock, area: Area, database_url: str) -> None:
    api, _ = app_and_clock
    _, request = await submit(api)
    with as_user(database_url, area.students["teacher"][0]) as conn:
        assert len(conn.execute("select id from public.repair_requests where id = %s",
                                [request["id"]]).fetchall()) == 1
        colleagues: list[Any] = conn.execute("select id from public.profiles where college_id = %s",
                                             [area.near]).fetchall()
        assert len(colleagues) == 6  # five students and the teacher herself
        assert conn.execute("select id from public.profiles where college_id = %s", [area.far]).fetchall() == []
    supervisor, _ = await sign_in(api, "083-333-3333")  # the demo supervisor, at another college
    hidden = await api.get(f"/requests/{request['id']}", headers=bearer(supervisor))
    assert hidden.status_code == 404


async def test_college_figures_answer_the_colleges_supervisor_and_nobody_else(
    app_and_clock: AppClock, area: Area, database_url: str
) -> None:
    # public.college_figures counts as the owner (migration 0017), so it checks the caller itself.
    api, _ = app_and_clock
    await submit(api)
    sql = "select counts, weekly from public.college_figures(%s, now() - interval '8 weeks')"
    with as_user(database_url, area.students["teacher"][0]) as conn:
        rows = conn.execute(sql, [area.near]).fetchall()
        assert len(rows) == 1 and sum(rows[0]["counts"].values()) >= 1 and rows[0]["weekly"]
        assert conn.execute(sql, [area.far]).fetchall() == []  # not her college
    with as_user(database_url, area.students["ace"][0]) as conn:  # a student of that college
        assert conn.execute(sql, [area.near]).fetchall() == []
    with as_user(database_url, None) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(sql, [area.near])  # nobody signed in may not even call it


async def test_the_duplicate_hint_is_a_count_for_an_area_never_who_or_where(
    app_and_clock: AppClock, area: Area, settings: Settings
) -> None:
    api, _ = app_and_clock
    await submit(api)  # at HOME
    other, _ = await sign_in(api, fresh_phone())

    async def ask(lat: float, lon: float, category: str = "appliance") -> httpx.Response:
        return await api.get("/requests/duplicates", params={"category_code": category, "lat": lat, "lon": lon},
                             headers=bearer(other))

    near = await ask(19.30015, 97.9700)
    assert near.status_code == 200
    assert set(near.json()) == {"count", "capped", "radius_m", "days"} and near.json()["count"] >= 1
    assert (await ask(19.3100, 97.9700)).json()["count"] == 0  # about 1 km away
    # A grid of questions 20 m apart around the home: every point of a grid cell gets the same answer, so the
    # answers locate nothing more closely than the cell (the attack located a home to 0.08 m).
    answers: dict[tuple[float, float], set[int]] = {}
    for i in range(7):
        for j in range(7):
            lat, lon = HOME[0] + (i - 3) * 0.00018, HOME[1] + (j - 3) * 0.00018
            got = await ask(lat, lon)
            assert got.status_code == 200
            answers.setdefault(duplicate_cell(lat, lon), set()).add(got.json()["count"])
    assert all(len(counts) == 1 for counts in answers.values())
    # And the questions are rate-limited per person.
    limit = settings.duplicate_checks_per_person_per_hour
    codes = [(await ask(HOME[0], HOME[1])).status_code for _ in range(limit - 49 - 2 + 1)]
    assert codes[-1] == 429 and set(codes[:-1]) == {200}
    bad = await ask(float("inf"), 97.97)
    assert bad.status_code == 422


async def test_an_offered_student_may_look_at_the_photos_only(app_and_clock: AppClock, area: Area) -> None:
    api, _ = app_and_clock
    citizen, request = await submit(api)
    rid = request["id"]
    photo = {"file": ("a.jpg", jpeg_with_gps((400, 300)), "image/jpeg")}
    assert (await api.put(f"/requests/{rid}/photos/0", files=photo, headers=bearer(citizen))).status_code == 201
    ace, _ = await sign_in(api, area.students["ace"][1])
    card = next(o for o in (await api.get("/technician/offers", headers=bearer(ace))).json() if o["request_id"] == rid)
    assert card["photo_count"] == 1
    assert (await api.get(f"/requests/{rid}/photos/before/0?thumb=true", headers=bearer(ace))).status_code == 200
    assert (await api.get(f"/requests/{rid}", headers=bearer(ace))).status_code == 404  # not the phone or address
    dan, _ = await sign_in(api, area.students["dan"][1])  # same college, not offered this job
    assert (await api.get(f"/requests/{rid}/photos/before/0", headers=bearer(dan))).status_code == 404
