"""What a citizen reads of a request that stopped moving (audit17a): the next step of a no_centre request students
were offered says so, in Thai and English, rather than that no college is in range."""

from shared.statuses import RequestStatus
from shared.text import EVENT_NOTES, NEXT_STEPS, next_step


def test_a_request_nobody_near_took_says_so_and_not_that_none_is_in_range() -> None:
    said = next_step(RequestStatus.NO_CENTRE, "no_taker")
    assert said != NEXT_STEPS[RequestStatus.NO_CENTRE][0]
    assert "ในระยะ" not in said.th and "in range" not in said.en
    assert "ในพื้นที่" not in EVENT_NOTES["no_taker"].th and "in range" not in EVENT_NOTES["no_taker"].en
    assert next_step(RequestStatus.NO_CENTRE, "no_centre") == NEXT_STEPS[RequestStatus.NO_CENTRE][0]
    assert next_step(RequestStatus.OFFERED, "no_taker") == NEXT_STEPS[RequestStatus.OFFERED][0]
