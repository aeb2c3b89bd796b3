"""A part proposed again with the same key (a second tap, or a retry after the answer was lost on a bad network) is
the same part: stored once, the owner asked once; another key, or none, is another part."""

import uuid

import psycopg

from tests.helpers import bearer, sign_in
from tests.integration.dispatch_area import AppClock, Area, submit


async def test_a_retried_proposal_is_one_part(app_and_clock: AppClock, area: Area, database_url: str) -> None:
    api, _ = app_and_clock
    _, created = await submit(api)
    rid = created["id"]
    teacher, _ = await sign_in(api, area.students["teacher"][1])
    assigned = await api.post(f"/requests/{rid}/assign", json={"technician_id": area.students["bee"][0]},
                              headers=bearer(teacher))
    assert assigned.status_code == 200, assigned.text
    bee, _ = await sign_in(api, area.students["bee"][1])
    assert (await api.post(f"/requests/{rid}/status", json={"to_status": "diagnosing"},
                           headers=bearer(bee))).status_code == 200

    key = str(uuid.uuid4())
    fuse = {"name": "ฟิวส์ 10A", "qty": 2, "price_baht": 15, "idempotency_key": key}
    first = await api.post(f"/requests/{rid}/parts", json=fuse, headers=bearer(bee))
    again = await api.post(f"/requests/{rid}/parts", json=fuse, headers=bearer(bee))
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json()
    other_key = await api.post(f"/requests/{rid}/parts", json={**fuse, "idempotency_key": str(uuid.uuid4())},
                               headers=bearer(bee))
    keyless = await api.post(f"/requests/{rid}/parts", json={k: v for k, v in fuse.items() if k != "idempotency_key"},
                             headers=bearer(bee))
    assert other_key.status_code == keyless.status_code == 201
    assert len({first.json()["id"], other_key.json()["id"], keyless.json()["id"]}) == 3
    with psycopg.connect(database_url) as conn:
        parts = conn.execute("select count(*) from public.job_parts where request_id = %s", [rid]).fetchone()
        asked = conn.execute("select count(*) from public.notifications n join public.repair_requests r "
                             "on r.citizen_id = n.recipient_id where r.id = %s and n.kind = 'part_proposed'",
                             [rid]).fetchone()
    assert parts is not None and parts[0] == 3
    assert asked is not None and asked[0] == 3  # once per part, not per call

    # Someone else's key on this job answers nothing of theirs: a part is the job's, and only its student proposes.
    cat, _ = await sign_in(api, area.students["cat"][1])
    stranger = await api.post(f"/requests/{rid}/parts", json=fuse, headers=bearer(cat))
    assert stranger.status_code in (403, 404), stranger.text
