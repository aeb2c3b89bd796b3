"""Invitations to an existing account (a citizen asked to become a student technician or a teacher): the person
answers in the app; the rules both the backend and the app follow."""

from datetime import timedelta

# After a "no", the same person is not asked again for this long (by any college): declining must end the asking.
DECLINED_WAIT_DAYS = 30
DECLINED_WAIT = timedelta(days=DECLINED_WAIT_DAYS)

# An invitation (to an existing account, or waiting for a phone's first sign-in) is open this long from when it was
# sent: a mistyped phone must not leave a stranger a live place at a college. Sending it again sends a fresh one.
# Migration 0036 restates the number as the column's default (tests/integration/test_schema_matches_shared.py).
INVITATION_OPEN_DAYS = 14
INVITATION_OPEN = timedelta(days=INVITATION_OPEN_DAYS)
# An expired invitation stays on the inviter's list this long after it lapsed (marked expired), then drops off.
EXPIRED_LISTED_DAYS = 30

# An invitation that ended (declined, or expired unanswered) is erased this long after it ended, with the invitee's
# phone and the name and skills the college registered (PDPA: kept no longer than needed). Longer than a "no" holds
# off new asks and a lapsed one stays listed: both read the row until then. One withdrawn is deleted at once.
ENDED_INVITATION_KEPT_DAYS = 90
