"""ux26 #3: a "waiting for your check" message whose job has left the check (migration 0114's `params.closed`) says
how in place of asking, in each language; the values the migration writes are the ones the app words."""

import re
from datetime import UTC, datetime

from backend.migrate import MIGRATIONS_DIR
from shared.notifications import QC_CLOSED_TEXT, Kind, QcClosed, render
from shared.text import Locale, bilingual

PARAMS = {"item": "แอร์ห้องนอน", "technician": "วิชัย", "college_th": "วิทยาลัย", "college_en": "College"}
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def test_a_closed_check_says_how_it_left_in_each_language() -> None:
    for locale in Locale:
        asking = render(Kind.QC_WAITING, PARAMS, locale, NOW, 12)
        for how in QcClosed:
            closed = render(Kind.QC_WAITING, {**PARAMS, "closed": how.value}, locale, NOW, 12)
            said = bilingual(QC_CLOSED_TEXT[how], **{k: PARAMS[k] for k in ("item", "technician")}).in_(locale)
            assert closed.body == said and closed.title == asking.title and closed.link == asking.link
            assert closed.body != asking.body
        # A value this build does not know leaves the message as it was written.
        assert render(Kind.QC_WAITING, {**PARAMS, "closed": "later"}, locale, NOW, 12).body == asking.body


def test_the_migration_writes_the_values_the_app_words() -> None:
    sql = (MIGRATIONS_DIR / "0114_a_check_that_left_asks_nobody.sql").read_text()
    function = sql[sql.index("private.qc_closed_as(status"):sql.index("$$;")]
    written = {v for pair in re.findall(r"then '(\w+)'|else '(\w+)'", function) for v in pair if v}
    assert written == {c.value for c in QcClosed}
