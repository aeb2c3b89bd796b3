"""A citizen with years of requests, in Chromium on a 360 px phone (fix17b1, audit 17b finding 2): the home shows the
newest page, says how many more there are, and "ดูเพิ่มเติม" brings the oldest onto the same list, the rows above
staying where they were (the app appends the next page; each card keyed by its request)."""

import psycopg
from playwright.sync_api import Page, expect

from shared.paging import LIST_PAGE
from shared.text import Locale, t
from tests.e2e.conftest import TIMEOUT, SplitSystem, api_session, on_screen, sign_in
from tests.e2e.steps import settled
from tests.helpers import fresh_phone

YEARS = LIST_PAGE + 3


def test_a_citizen_reaches_their_oldest_request_with_more(
    split_system: SplitSystem, database_url: str, phone_page: Page,
) -> None:
    phone = fresh_phone()
    citizen = api_session(split_system.api_url, phone)["profile"]["id"]
    with psycopg.connect(database_url, autocommit=True) as conn:  # years of requests, one every 5 days, all closed
        conn.execute(
            """insert into public.repair_requests (citizen_id, idempotency_key, category_code, item, description,
                   lat, lon, contact_phone, pdpa_consent_at, status, created_at, updated_at)
               select %s, gen_random_uuid(), 'appliance', 'พัดลมเครื่องที่ ' || to_char(g, 'FM00'), 'ไม่หมุน',
                      18.79, 98.98, '+66812345678', now(), 'cancelled', now() - g * interval '5 days',
                      now() - g * interval '5 days'
               from generate_series(0, %s) g""", [citizen, YEARS - 1])
    page = phone_page
    sign_in(page, split_system.app_url, phone, t("citizen_home_title", Locale.TH))
    expect(on_screen(page, "พัดลมเครื่องที่ 00").first).to_be_visible(timeout=TIMEOUT)  # the newest first
    expect(on_screen(page, t("list_more", Locale.TH, count=3))).to_have_count(1, timeout=TIMEOUT)
    expect(on_screen(page, f"พัดลมเครื่องที่ {YEARS - 1:02d}")).to_have_count(0)

    settled(page, page.get_by_role("button", name=t("list_show_more", Locale.TH))).click()

    oldest = on_screen(page, f"พัดลมเครื่องที่ {YEARS - 1:02d}")
    expect(oldest).to_have_count(1, timeout=TIMEOUT)
    expect(page.get_by_role("button", name=t("list_show_more", Locale.TH))).to_have_count(0)
    settled(page, oldest)
    expect(oldest).to_be_visible()
