"""The clock and dispatch policy of a test that calls a leaving student's path (account.suspend, register_staff,
college_admin.update_student) directly, not through a route: those require both (offers28 #2), as the operator's
commands pass the wall clock and the deployment's policy (backend/cli.py). The default policy is the test app's."""

from datetime import UTC, datetime

from backend.services.dispatch import DispatchPolicy


def wall() -> tuple[datetime, DispatchPolicy]:
    """Now by the wall clock, and the default dispatch policy: positional (`suspend(.., reason, *wall())`)."""
    return datetime.now(UTC), DispatchPolicy()
