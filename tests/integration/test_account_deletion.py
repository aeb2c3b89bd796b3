"""PDPA: "download my data" and "delete my account" — from the app, and from Supabase's side (GoTrue's own
`delete from auth.users`), with the person's requests anonymised and the students' job history kept."""

import httpx
import psycopg
from psycopg.rows import dict_row

from backend.settings import Settings
from tests.helpers import bearer, fresh_phone, sign_in
from tests.integration.builders import citizen_with_a_photo


def request_row(database_url: str, request_id: str) -> dict[str, object]:
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        row = conn.execute("select * from public.repair_requests where id = %s", [request_id]).fetchone()
    assert row is not None
    return row


async def test_download_my_data_holds_what_is_kept_about_me(api: httpx.AsyncClient, database_url: str) -> None:
    token, user_id, request_id = await citizen_with_a_photo(api)
    exported = await api.get("/me/export", headers=bearer(token))
    assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
    data = exported.json()
    assert data["profile"]["id"] == user_id and data["account"]["phone"]
    (request,) = data["requests"]
    assert request["id"] == request_id and request["address"] and request["photos"][0]["kind"] == "before"
    assert request["timeline"][0]["to"] == "submitted" and "storage_path" not in str(request["photos"])
    assert data["sessions"] and data["sessions"][0]["created_at"]
    with psycopg.connect(database_url) as conn:
        audited = conn.execute("select count(*) from public.audit_events where action = 'account.export' "
                               "and target_id = %s", [user_id]).fetchone()
    assert audited == (1,)


async def test_delete_my_account_from_the_app(api: httpx.AsyncClient, database_url: str, settings: Settings) -> None:
    token, user_id, request_id = await citizen_with_a_photo(api)
    with psycopg.connect(database_url) as conn:
        paths = [p for row in conn.execute("select storage_path, thumb_path from public.request_photos "
                                           "where request_id = %s", [request_id]).fetchall() for p in row]
    assert paths and all((settings.photos_dir / p).exists() for p in paths)

    unconfirmed = await api.delete("/me", headers=bearer(token))
    assert unconfirmed.status_code == 400 and unconfirmed.json()["error"]["code"] == "confirmation_required"
    deleted = await api.delete("/me", params={"confirm": "true"}, headers=bearer(token))
    assert deleted.status_code == 204, deleted.text

    assert not any((settings.photos_dir / p).exists() for p in paths)  # the photos are gone from the store
    row = request_row(database_url, request_id)
    assert row["citizen_id"] is None and row["contact_phone"] is None and row["address"] == ""
    assert row["status"] == "cancelled" and row["description"] == "-"
    assert round(float(str(row["lat"])), 1) == row["lat"]  # coarsened
    assert row["category_code"] == "appliance" and row["item"]  # the job itself stays
    with psycopg.connect(database_url) as conn:
        assert conn.execute("select count(*) from auth.users where id = %s", [user_id]).fetchone() == (0,)
        assert conn.execute("select count(*) from public.request_photos where request_id = %s",
                            [request_id]).fetchone() == (0,)
        audit = conn.execute("select actor, actor_id, after from public.audit_events where action = "
                             "'account.delete' and target_id = %s", [user_id]).fetchone()
    assert audit is not None and audit[0] == "citizen" and str(audit[1]) == user_id
    gone = await api.get("/me", headers=bearer(token))  # the token is still signed, the person is not there
    assert gone.status_code == 403


async def test_gotrue_can_delete_a_citizen_with_requests_and_a_student_keeps_the_job(
    api: httpx.AsyncClient, database_url: str
) -> None:
    _, user_id, request_id = await citizen_with_a_photo(api)
    with psycopg.connect(database_url, autocommit=True) as conn:
        # A student did this job and reported on it (training record).
        student = conn.execute("select private.create_phone_user(%s, true)", ["66" + fresh_phone()[1:]]).fetchone()
        assert student is not None
        conn.execute("update public.profiles set role = 'technician', "
                     "college_id = (select id from public.colleges limit 1) where id = %s", [student[0]])
        conn.execute("update public.repair_requests set technician_id = %s where id = %s", [student[0], request_id])
        conn.execute("insert into public.job_reports (request_id, technician_id, hours) values (%s, %s, 2.5)",
                     [request_id, student[0]])
        # What Supabase's dashboard and admin API run.
        conn.execute("delete from auth.users where id = %s", [user_id])
        report = conn.execute("select technician_id, hours from public.job_reports where request_id = %s",
                              [request_id]).fetchone()
    assert report is not None and report[0] == student[0] and float(report[1]) == 2.5
    row = request_row(database_url, request_id)
    assert row["citizen_id"] is None and row["technician_id"] == student[0] and row["contact_phone"] is None


async def test_a_signed_in_phone_can_sign_up_again_after_deletion(api: httpx.AsyncClient) -> None:
    phone = fresh_phone()
    token, first = await sign_in(api, phone)
    assert (await api.delete("/me", params={"confirm": "true"}, headers=bearer(token))).status_code == 204
    _, second = await sign_in(api, phone)
    assert second["id"] != first["id"] and second["role"] == "citizen"
