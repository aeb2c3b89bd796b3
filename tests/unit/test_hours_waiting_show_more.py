"""The teacher's 'show more' of rounds waiting for hours approval (review14 finding 2): the next page is the rounds
after the last one listed (by its sort key: the job's reference number, then the round), so a round another teacher
approved meanwhile leaves none out, and the list says how many more wait after those listed."""

from mobile.viewmodels.app import COLLEGE_CREDIT_ROUTE
from mobile.views.credit import college_credit_view
from shared.credit import HOURS_WAITING_PAGE
from shared.text import Locale
from tests.unit.mobile_fakes import texts
from tests.unit.mobile_screens import click, signed_in
from tests.unit.test_mobile_credit import CreditBackend, _waiting_round


def _rounds(count: int) -> list[dict[str, object]]:
    return [{**_waiting_round(1, moved_on=False), "ref_no": 690000 + n} for n in range(count)]


async def test_show_more_lists_every_round_still_waiting_when_one_listed_was_approved_meanwhile() -> None:
    backend = CreditBackend("done")
    backend.hours_waiting = _rounds(HOURS_WAITING_PAGE + 3)
    vm = await signed_in("supervisor", backend)
    await vm.open_route(COLLEGE_CREDIT_ROUTE)
    screen = vm.college_credit
    assert screen is not None and len(screen.hours_waiting) == HOURS_WAITING_PAGE
    # Another teacher of the college approves the first round listed: it waits no more at the backend.
    del backend.hours_waiting[0]
    await click(college_credit_view(screen, Locale.TH), "แสดงเพิ่ม")
    shown = {w.ref_no for w in screen.hours_waiting}
    still_waiting = {690000 + n for n in range(1, HOURS_WAITING_PAGE + 3)}
    # Every round that still waits is listed (or the list says more wait): none silently left out.
    assert still_waiting <= shown or screen.hours_waiting_more > 0, sorted(still_waiting - shown)


async def test_the_list_still_says_more_wait_when_rounds_listed_were_approved_meanwhile() -> None:
    """Three pages' worth: five rounds of the first page approved meanwhile, the second page leaves five waiting
    after it, and the list says so (a count of all minus those listed would say none) and shows them on a tap."""
    backend = CreditBackend("done")
    backend.hours_waiting = _rounds(2 * HOURS_WAITING_PAGE + 5)
    vm = await signed_in("supervisor", backend)
    await vm.open_route(COLLEGE_CREDIT_ROUTE)
    screen = vm.college_credit
    assert screen is not None and screen.hours_waiting_more == HOURS_WAITING_PAGE + 5
    del backend.hours_waiting[:5]
    await click(college_credit_view(screen, Locale.TH), "แสดงเพิ่ม")
    assert len(screen.hours_waiting) == 2 * HOURS_WAITING_PAGE and screen.hours_waiting_more == 5
    tree = college_credit_view(screen, Locale.TH)
    assert "ยังมีอีก 5 รอบรออนุมัติ" in texts(tree)
    await click(tree, "แสดงเพิ่ม")
    assert [w.ref_no for w in screen.hours_waiting] == [690000 + n for n in range(2 * HOURS_WAITING_PAGE + 5)]
    assert screen.hours_waiting_more == 0
