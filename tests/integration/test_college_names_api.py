"""The admin's college form keeps the colleges CSV's rule for names (shared.visible_text.is_plain_name): a name or a
province with a direction override, or with nothing visible, is refused with its own code and the field named."""

import httpx
import pytest

from shared.text import ERRORS
from tests.helpers import bearer, sign_in
from tests.integration.test_staff_api import SEED_ADMIN, college_body


@pytest.mark.parametrize(("field", "value"), [("name_th", "\u202eวิทยาลัยทดสอบ"), ("province_en", "Ya\u2067la"),
                                              ("name_en", "   ")])
async def test_a_college_name_that_shows_nothing_or_turns_text_around_is_refused(
        api: httpx.AsyncClient, field: str, value: str) -> None:
    token, _ = await sign_in(api, SEED_ADMIN)
    made = await api.post("/admin/colleges", json=college_body(**{field: value}), headers=bearer(token))
    assert made.status_code == 400, made.text
    error = made.json()["error"]
    assert error["code"] == "place_name_invalid" and error["message_th"] == ERRORS["place_name_invalid"].th
    assert error["fields"][field]["code"] == "place_name_invalid"


async def test_a_college_renamed_to_a_direction_override_keeps_its_name(api: httpx.AsyncClient) -> None:
    token, _ = await sign_in(api, SEED_ADMIN)
    colleges = (await api.get("/admin/colleges", headers=bearer(token))).json()
    college = colleges[0]
    renamed = await api.patch(f"/admin/colleges/{college['id']}", json={"name_en": "\u202eTest"},
                              headers=bearer(token))
    assert renamed.status_code == 400 and renamed.json()["error"]["code"] == "place_name_invalid", renamed.text
    listed = (await api.get("/admin/colleges", headers=bearer(token))).json()
    again = next(c for c in listed if c["id"] == college["id"])
    assert again["name_en"] == college["name_en"]
