"""English counts of one read singular ("1 job", "1 hour", "1 more round"): shared/text.py::plural_en, the
"{jobs|job|jobs}" form in the English texts that take a count. Thai has no plural. Found by audit15b."""

import re
from collections.abc import Callable

import pytest

from backend.services.ledger_pdf import _t as ledger_text
from backend.services.portfolio_pdf import _w as portfolio_text
from shared.text import Locale, plural_en, t

# The English sentences the screens fill with a count that is often 1 (a student's first approved job, one hour's
# work, one more round waiting), with the values the views pass (mobile/views/credit.py, job.py, request_detail.py,
# supervisor_tools.py).
ONE_OF_A_KIND: dict[str, dict[str, object]] = {
    "portfolio_total": {"jobs": 1, "hours": "1"},  # the student's portfolio: "1 jobs, 1 hours"
    "ledger_total": {"jobs": 1, "hours": "1"},  # the ledger PDF (backend/services/ledger_pdf.py)
    "credit_student": {"name": "วิชัย", "hours": "1", "target": "40", "jobs": 1},  # the college's hours
    "proposal_line": {"name": "วิชัย", "skill": "Plumbing", "from_level": 1, "to_level": 2, "jobs": 1},
    "report_hours_value": {"hours": "1"},  # the job's report: "1 hours worked"
    "hours_waiting_more": {"count": 1},  # the teacher's queue: "1 more rounds waiting"
    "bar_label": {"category": "Fans", "n": 1},  # the supervisor's chart
    "portfolio_pdf_total": {"jobs": 1, "hours": "1"},  # the printed portfolio (backend/services/portfolio_pdf.py)
}

# Where each text is looked up: the app's catalog, or the PDFs' own.
LOOK_UP: dict[str, Callable[..., str]] = {
    "ledger_total": lambda locale, **values: ledger_text("ledger_total", locale, **values),
    "portfolio_pdf_total": lambda locale, **values: portfolio_text("total", locale, **values),
}

COUNT_OF_ONE = re.compile(r"\b1 (more )?(jobs|hours|rounds)\b")


def text_of(key: str, locale: Locale, **values: object) -> str:
    look_up = LOOK_UP.get(key)
    return look_up(locale, **values) if look_up else t(key, locale, **values)


@pytest.mark.parametrize("key", sorted(ONE_OF_A_KIND))
def test_english_counts_of_one_are_singular(key: str) -> None:
    text = text_of(key, Locale.EN, **ONE_OF_A_KIND[key])
    assert not COUNT_OF_ONE.search(text) and "{" not in text, text


@pytest.mark.parametrize("key", sorted(ONE_OF_A_KIND))
def test_other_counts_stay_plural_and_thai_is_unchanged(key: str) -> None:
    two = {k: (2 if v == 1 else "1.5" if v == "1" else v) for k, v in ONE_OF_A_KIND[key].items()}
    english = text_of(key, Locale.EN, **two)
    assert re.search(r"\b(2|1\.5) (more )?(jobs?|hours?|rounds?)\b", english) and not re.search(
        r"\b(2|1\.5) (more )?(job|hour|round)\b", english), english
    thai = text_of(key, Locale.TH, **ONE_OF_A_KIND[key])
    assert "{" not in thai and "|" not in thai, thai


def test_the_plural_rule() -> None:
    template = "{n} {n|job|jobs}"
    assert [plural_en(template, {"n": n}).format(n=n) for n in (0, 1, "1", 2, "1.5", "1.0", 11)] == [
        "0 jobs", "1 job", "1 job", "2 jobs", "1.5 jobs", "1.0 jobs", "11 jobs"]
