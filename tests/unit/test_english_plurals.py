"""English counts of one read singular ("1 job", "1 hour", "1 more round"): shared/text.py::plural_en, the
"{jobs|job|jobs}" form in the English texts that take a count. Thai has no plural. Found by audit15b; the counts
it missed ("1 star(s)", "1 job(s)", "1 students") by audit18d."""

import re
from collections.abc import Callable

import pytest

from backend.services.ledger_pdf import _t as ledger_text
from backend.services.portfolio_pdf import _w as portfolio_text
from shared.notifications import PARTS_WITHDRAWN
from shared.text import Locale, error_text, plural_en, start_refusal, t
from tests.unit.catalog_texts import every_text

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


# --- audit18d: the English counts still written "job(s)" --------------------------------------------------------

COUNT_THEN_S = re.compile(r"\{(\w+)\}[^{}.:;]*?\w\(s\)")


def test_english_counts_use_the_plural_rule_not_s_in_brackets() -> None:
    """No English text with a count says "1 star(s)", "{n} open job(s)", "{count} photo(s)": the catalog's
    {n|star|stars} form says it right for one and for many."""
    found = {where: text.en for where, text in every_text().items() if COUNT_THEN_S.search(text.en)}
    assert found == {}


# Each count the texts above take, through the look-up the code uses (the screens' `t`, the API's `error_text`, the
# operator's `start_refusal`, the notifications' Bilingual.format), with what a count of one and of two read.
def _error(code: str) -> Callable[[int], str]:
    return lambda n: error_text(code, count=n).en


THROUGH_THEIR_LOOK_UP: dict[str, tuple[Callable[[int], str], str, str]] = {
    "star_label": (lambda n: t("star_label", Locale.EN, n=n), "1 star", "2 stars"),
    "open_jobs": (lambda n: t("open_jobs", Locale.EN, n=n), "1 open job", "2 open jobs"),
    "outbox_photos": (lambda n: t("outbox_photos", Locale.EN, count=n), "1 photo", "2 photos"),
    "duplicates_title": (lambda n: t("duplicates_title", Locale.EN, count=n),
                         "1 open request of", "2 open requests of"),
    "suspended_drafts_held": (lambda n: t("suspended_drafts_held", Locale.EN, count=n),
                              "1 unsent repair request is kept", "2 unsent repair requests are kept"),
    "operator_suspended": (lambda n: t("operator_suspended", Locale.EN, phone="0812345678", sessions=n, offers=n),
                           "1 session ended, 1 pending offer ended", "2 sessions ended, 2 pending offers ended"),
    "operator_suspended_jobs_in_hand": (
        lambda n: t("operator_suspended_jobs_in_hand", Locale.EN, phone="0812345678", count=n),
        "holds 1 job in hand and cannot work on it", "holds 2 jobs in hand and cannot work on them"),
    "operator_exported_invitations": (lambda n: t("operator_exported_invitations", Locale.EN, count=n),
                                      "Found 1 college invitation waiting", "Found 2 college invitations waiting"),
    "operator_erased_invitations": (lambda n: t("operator_erased_invitations", Locale.EN, count=n),
                                    "Erased 1 college invitation waiting", "Erased 2 college invitations waiting"),
    "account_has_jobs": (_error("account_has_jobs"), "you hold 1 job. Finish it,", "you hold 2 jobs. Finish them,"),
    "person_has_jobs": (_error("person_has_jobs"), "holds 1 job: their college's teacher reassigns it",
                        "holds 2 jobs: their college's teacher reassigns them"),
    "deletion_refused_jobs_in_hand": (_error("deletion_refused_jobs_in_hand"), "holds 1 job. Their college's "
                                      "teacher reassigns it", "holds 2 jobs. Their college's teacher reassigns them"),
    "student_has_jobs": (_error("student_has_jobs"), "holds 1 job: the teacher of their college reassigns it",
                         "holds 2 jobs: the teacher of their college reassigns them"),
    "csv_invalid": (_error("csv_invalid"), "has 1 bad line:", "has 2 bad lines:"),
    "start_migrations_missing": (lambda n: start_refusal("start_migrations_missing", count=n, versions="0078"),
                                 "lacks 1 migration this", "lacks 2 migrations this"),
    "parts_withdrawn": (lambda n: PARTS_WITHDRAWN.format(count=n).en,
                        "The 1 part the former student proposed that awaited your answer was withdrawn: you will not "
                        "pay for it.", "The 2 parts the former student proposed that awaited your answer were "
                        "withdrawn: you will not pay for them."),
}


@pytest.mark.parametrize("key", sorted(THROUGH_THEIR_LOOK_UP))
def test_a_count_reads_singular_for_one_and_plural_for_more(key: str) -> None:
    said, one, two = THROUGH_THEIR_LOOK_UP[key]
    assert one in said(1) and "{" not in said(1) and "|" not in said(1), said(1)
    assert two in said(2) and "{" not in said(2), said(2)


# The values the views pass (mobile/views/admin.py, viewmodels/college_jobs.py, views/credit.py), the count at 1.
COUNTS_OF_ONE: dict[str, dict[str, object]] = {
    "college_people": {"students": 1, "invites": 0},  # the admin's college card
    "jobs_shown": {"shown": 1, "total": 1},  # the teacher's job list under a search that finds one job
    "jobs_in_list": {"total": 1},  # the teacher's job list after a "more", one job left in it
    "credit_lacking_line": {"category": "Fans", "requests": 1, "skills": "Electronics ≥ 2"},  # the college view
}


@pytest.mark.parametrize("key", sorted(COUNTS_OF_ONE))
def test_more_english_counts_of_one_are_singular(key: str) -> None:
    """audit18d: "1 students", "Showing 1 of 1 jobs", "(1 requests)" read "1 student", "1 job", "1 request"."""
    said = t(key, Locale.EN, **COUNTS_OF_ONE[key])
    assert not re.search(r"\b1 (students|jobs|requests)\b", said) and "{" not in said, said
    two = t(key, Locale.EN, **{k: 2 if v == 1 else v for k, v in COUNTS_OF_ONE[key].items()})
    assert re.search(r"\b2 (students|jobs|requests)\b", two), two
