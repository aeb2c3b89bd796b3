"""How the admin's lists of colleges stay short on a phone (ux21 findings 2 and 3): the send-on picker shows the
few nearest colleges first, the home's overview only a few that need a look, and both the picker and the colleges
screen filter by what the admin types (a college's name in either language, its code or its province).

Pure Python: the phone app packages this module.
"""

from shared.wire import College

# The send-on picker's first view: the nearest few (a request is almost always sent to one of these); "show all" or
# a search reaches the rest of the country's list (several hundred colleges).
PICKER_NEAREST = 5
# The colleges named under the home's overview that need a look; the rest are counted, and the colleges screen
# lists and searches them all.
HOME_ATTENTION_SHOWN = 3
# The longest search text kept (a college's name is far shorter; a paste of a page is cut, not sent around).
COLLEGE_SEARCH_MAX = 100


def college_matches(college: College, query: str) -> bool:
    """Whether every word typed is in the college's Thai or English name, its code or its province (case and extra
    spaces ignored): "เชียงใหม่", "chiang mai", "1310" and "เทคนิค ลำพูน" all find theirs."""
    words = query.casefold().split()
    if not words:
        return True
    haystack = " ".join((college.name_th, college.name_en, college.code, college.province_th,
                         college.province_en)).casefold()
    return all(word in haystack for word in words)
