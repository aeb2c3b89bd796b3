"""review27b #2: race27's guard (tests/unit/test_dedupe_inserts_in_key_order.py) accepts `order by 6` whatever the
insert's sixth column is. The key order is the point (two copies' turns insert overlapping keys in one order); a
column list changed to put `dedupe_key` elsewhere (a new column added before it, say) would leave the rows ordered by
some other column, and the guard green. Driven on a copy of the backend's files with one insert's columns reordered.
Fixed: the guard reads the insert's column list and asks that `order by N` names the key's place."""

import shutil
from pathlib import Path

import pytest

from tests.unit import test_dedupe_inserts_in_key_order as guard

OUTBOX = Path("notifications") / "outbox.py"


def test_the_guard_refuses_order_by_6_when_the_sixth_column_is_not_the_key(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    backend = tmp_path / "backend"
    shutil.copytree(guard.BACKEND, backend, ignore=shutil.ignore_patterns("__pycache__", "migrations", "pdf_fonts"))
    outbox = backend / OUTBOX
    text = outbox.read_text(encoding="utf-8")
    # notify_expiring_offers' insert with its key moved to the fifth place: `order by 6` now sorts by offer_id.
    before = """insert into public.notifications (recipient_id, kind, params, request_id, offer_id, dedupe_key)
           select s.id, 'offer_expiring',
                  jsonb_build_object('item', r.item, 'expires_at', o.expires_at, 'waiting', o.n), r.id, o.first_offer,
                  'offer_expiring:' || r.id || ':' || extract(epoch from o.expires_at)::bigint || ':' || s.id"""
    after = """insert into public.notifications (recipient_id, kind, params, request_id, dedupe_key, offer_id)
           select s.id, 'offer_expiring',
                  jsonb_build_object('item', r.item, 'expires_at', o.expires_at, 'waiting', o.n), r.id,
                  'offer_expiring:' || r.id || ':' || extract(epoch from o.expires_at)::bigint || ':' || s.id,
                  o.first_offer"""
    assert before in text, "notify_expiring_offers' insert changed: update this test's copy of it"
    outbox.write_text(text.replace(before, after), encoding="utf-8")
    monkeypatch.setattr(guard, "BACKEND", backend)
    with pytest.raises(AssertionError, match=r"outbox\.py"):
        guard.test_every_dedupe_keyed_insert_orders_its_rows_by_key()
