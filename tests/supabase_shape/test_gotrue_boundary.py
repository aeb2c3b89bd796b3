"""What Supabase Auth (GoTrue) writes to `auth.users` and what Fixit's triggers make of it (migration 0052, review
14a): no name from the sign-up's metadata."""

import uuid

import httpx
import psycopg
import pytest
from psycopg.rows import dict_row

from shared.display_names import clean_display_name
from tests.helpers import bearer, fresh_phone, sign_in
from tests.supabase_shape import SupabaseShapedPostgres
from tests.supabase_shape.gotrue import (
    gotrue_signs_up,
    gotrue_verifies,
    shaped,  # noqa: F401  (the fixture)
)


def profile_of(database_url: str, user_id: uuid.UUID) -> dict[str, object] | None:
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        return conn.execute("select role::text as role, college_id, display_name, phone from public.profiles "
                            "where id = %s", [user_id]).fetchone()


@pytest.mark.parametrize("name", ["\x1b[2J\x1b[31mครู สมชาย", "\u200b\u200b\u200b"],
                         ids=["control_characters", "nothing_visible"])
async def test_a_gotrue_sign_up_cannot_set_a_name_the_app_refuses(
    shaped: SupabaseShapedPostgres, database_url: str, api: httpx.AsyncClient, name: str,  # noqa: F811
) -> None:
    # The app's rules refuse it (backend/schemas.py `Line`: 422 for control characters; shared/display_names.py:
    # 400 display_name_invalid for a name with nothing visible).
    token, _ = await sign_in(api, fresh_phone())
    refused = await api.patch("/me", json={"display_name": name}, headers=bearer(token))
    assert refused.status_code in (400, 422) and refused.json()["error"]["code"], refused.text
    assert clean_display_name(name) is None or refused.status_code == 422

    # A sign-up through Supabase Auth (`data` chosen by whoever signs up), then the code: the account opens.
    user_id = gotrue_signs_up(shaped, database_url, fresh_phone(), {"display_name": name})
    gotrue_verifies(shaped, database_url, user_id)
    profile = profile_of(database_url, user_id)
    assert profile is not None
    stored = profile["display_name"]
    # What is stored is a name the app would accept, or none at all (the person names themselves in the app).
    assert stored == "" or (isinstance(stored, str) and clean_display_name(stored) == stored), repr(stored)
