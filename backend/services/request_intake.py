"""Taking in a citizen's repair request: validated, stored at most once per idempotency key."""

import uuid
from dataclasses import asdict
from typing import Any

from backend.db import Conn
from backend.errors import ApiError
from shared.phone import normalize_thai_phone
from shared.request_rules import RequestDraft, check_draft
from shared.wire import IDEMPOTENCY_KEY_REUSED

# What a replay of a key must carry unchanged to be the same request: every field the request stores from the body,
# compared as stored (trimmed, the phone in E.164, the days sorted), so an honest retry is never refused.
STORED_FIELDS = ("category_code", "item", "brand", "description", "lat", "lon", "address", "province", "district",
                 "sub_district", "service_place", "preferred_days", "contact_phone", "location_approximate")
_SAME_COLUMNS = tuple(f"{name}::text as {name}" if name == "service_place" else name for name in STORED_FIELDS)


async def known_categories(conn: Conn) -> set[str]:
    cur = await conn.execute("select code from public.categories where is_active")
    return {row["code"] for row in await cur.fetchall()}


async def create_request(
    conn: Conn, citizen_id: uuid.UUID, key: uuid.UUID, draft: RequestDraft, area: dict[str, str],
    location_approximate: bool = False,
) -> tuple[uuid.UUID, bool]:
    """Returns (request id, created). A retry with the same key and the same details returns the first request,
    unchanged; the same key with other details is refused (409 idempotency_key_reused). `location_approximate`: the
    pin is an area's middle, not the house (the student on the job is told so).

    `conn` is an owner transaction acting for the citizen (act_as): `citizen_id` comes from their verified token.
    """
    problems = check_draft(draft, await known_categories(conn))
    if not problems.ok:
        raise ApiError(400, next(iter(problems.by_field.values())), fields=problems.by_field)
    values: dict[str, Any] = asdict(draft)
    values.update(area)
    values.update(
        citizen_id=citizen_id,
        key=key,
        item=" ".join(draft.item.split()),
        brand=draft.brand.strip(),
        description=draft.description.strip(),
        address=draft.address.strip(),
        contact_phone=normalize_thai_phone(draft.contact_phone),
        preferred_days=sorted(set(draft.preferred_days)),
        location_approximate=location_approximate,
    )
    # `on conflict do nothing` also settles concurrent retries: the loser waits for the winner's commit.
    row = await (
        await conn.execute(
            """
            insert into public.repair_requests
                (citizen_id, idempotency_key, category_code, item, brand, description, lat, lon, address,
                 province, district, sub_district, service_place, preferred_days, contact_phone, pdpa_consent_at,
                 location_approximate)
            values (%(citizen_id)s, %(key)s, %(category_code)s, %(item)s, %(brand)s, %(description)s, %(lat)s,
                    %(lon)s, %(address)s, %(province)s, %(district)s, %(sub_district)s, %(service_place)s,
                    %(preferred_days)s, %(contact_phone)s, now(), %(location_approximate)s)
            on conflict (citizen_id, idempotency_key) do nothing
            returning id
            """,
            values,
        )
    ).fetchone()
    if row is not None:
        return row["id"], True
    existing = await (
        await conn.execute(
            f"select id, {', '.join(_SAME_COLUMNS)} from public.repair_requests "
            "where citizen_id = %s and idempotency_key = %s",
            [citizen_id, key],
        )
    ).fetchone()
    assert existing is not None
    if any(existing[name] != values[name] for name in STORED_FIELDS):
        # The key of a request already stored, with other details (a draft edited after its first send arrived):
        # answering the stored request would drop the edit without a word, so it is refused, and nothing changes.
        raise ApiError(409, IDEMPOTENCY_KEY_REUSED)
    return existing["id"], False
