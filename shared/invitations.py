"""Invitations to an existing account (a citizen asked to become a student technician or a teacher): the person
answers in the app; the rules both the backend and the app follow."""

from datetime import timedelta

# After a "no", the same person is not asked again for this long (by any college): declining must end the asking.
DECLINED_WAIT_DAYS = 30
DECLINED_WAIT = timedelta(days=DECLINED_WAIT_DAYS)
