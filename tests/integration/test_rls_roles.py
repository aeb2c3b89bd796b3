"""Row level security per role, through SQL run as `authenticated` (what Supabase's public API would run):
students see only their offers and jobs, supervisors only their college, nobody the citizen's phone early."""

from typing import Any

from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import AppClock, Area, submit
from tests.integration.test_photos_api import jpeg_with_gps
from tests.integration.test_rls import as_user


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


async def test_the_duplicate_hint_shows_what_and_how_far_never_who(app_and_clock: AppClock, area: Area) -> None:
    api, _ = app_and_clock
    _, request = await submit(api)
    other, _ = await sign_in(api, "0655500099")
    near = await api.get("/requests/duplicates", params={"category_code": "appliance", "lat": 19.30015,
                                                         "lon": 97.9700}, headers=bearer(other))
    assert near.status_code == 200
    hints = near.json()
    assert any(h["item"] == request["item"] and 10 < h["distance_m"] < 30 for h in hints)
    assert all(set(h) == {"category_code", "item", "status", "distance_m", "created_at"} for h in hints)
    far = await api.get("/requests/duplicates", params={"category_code": "appliance", "lat": 19.3010,
                                                        "lon": 97.9700}, headers=bearer(other))
    assert far.json() == []  # 111 m away: not the same place
    other_kind = await api.get("/requests/duplicates", params={"category_code": "plumbing", "lat": 19.3000,
                                                               "lon": 97.9700}, headers=bearer(other))
    assert all(h["item"] != request["item"] for h in other_kind.json())


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
