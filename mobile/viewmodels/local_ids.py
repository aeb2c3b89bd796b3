"""Ids for things a person adds on a screen before the backend gives them one (a picked photo, a typed parts row).

A view keys such an item by this id, so Flet pairs it with itself across renders: removing the first of three rows
leaves the second its controls' ids (keyed by place, the second would take over the first's, and a tap aimed at one
row could reach another). Unique within the app's run; never sent anywhere.
"""

from itertools import count

_ids = count(1)


def local_id() -> int:
    return next(_ids)
