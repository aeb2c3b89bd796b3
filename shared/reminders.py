"""How long a request or a job may wait on someone before the clock (backend/dispatch_ticks.py) speaks up: nobody
waits for ever (audit 17a, part 2). No I/O: the backend's tick reads these; the texts are in shared.notifications.

- A request that ended `no_centre` (nobody could take it, or nobody did) is tried again by the clock when a fitting
  student it was never offered to is now in range (a skill approved, a student joined, one reinstated), while the
  citizen's ask is young: `RETRY_WINDOW` from its submission (or its reopening, the start of its round). Older, it
  waits for an administrator (GET /admin/waiting) as before: the citizen was told they may cancel it, and after two
  weeks has likely had it repaired elsewhere. A cancelled request is never revived (its status is final).
- A job in a student's hands (accepted, diagnosing, repairing) past the days the citizen was promised for that step
  (`IN_HAND_DUE`, the upper bound of shared.text.NEXT_STEPS, which a unit test keeps equal): its student is reminded
  once; still in that step `STALLED_GRACE` later, whoever decides for the college (a teacher, else the admins:
  migration 0071 `private.deciders`) is told once. Counted from the move into the step (or a teacher's reassign):
  a job that moves on starts its step's count afresh, and what was said of the earlier step is not said again.
  While a part the student proposed waits for the owner's answer, the job cannot move on and the wait is the
  owner's, not the student's: nobody is reminded of it then, and the step's count starts again from the owner's
  answer (review18a #6).
- An item not collected, repaired (`done`) or judged unrepairable (`unrepairable`: it goes back to its owner all
  the same, shared.credit.HANDOVER_FROM): its owner is reminded once `COLLECT_REMIND_AFTER` (the college's "1-3
  days" to arrange it has passed), the college's deciders told once `COLLECT_ESCALATE_AFTER`, so the workshop calls
  and its shelf does not fill with other people's things.
- A wait is reminded of only while it is young: one that began more than `REMIND_HORIZON` ago (a few times the
  longest of these windows) is not. So the first turn of the clock after the reminders were deployed does not tell
  an owner of an item repaired two years ago, nor a teacher that it "waits 730 days" (review18a #1), and the clock
  does not read the old jobs left `done` for ever on every turn (an index on the request's last change bounds it).
"""

from datetime import timedelta

from shared.statuses import RequestStatus

RETRY_WINDOW_DAYS = 14
RETRY_WINDOW = timedelta(days=RETRY_WINDOW_DAYS)

# Per step of a job in hand, the days the citizen reads it usually takes (shared.text.NEXT_STEPS' upper bound).
IN_HAND_DUE_DAYS: dict[RequestStatus, int] = {
    RequestStatus.ACCEPTED: 2,
    RequestStatus.DIAGNOSING: 3,
    RequestStatus.REPAIRING: 7,
}
IN_HAND_DUE: dict[RequestStatus, timedelta] = {s: timedelta(days=d) for s, d in IN_HAND_DUE_DAYS.items()}
# After the student's reminder: long enough for them to act on it (a weekend), short enough that the citizen's
# wait does not double before the college hears.
STALLED_GRACE_DAYS = 2
STALLED_GRACE = timedelta(days=STALLED_GRACE_DAYS)

COLLECT_REMIND_DAYS = 3
COLLECT_REMIND_AFTER = timedelta(days=COLLECT_REMIND_DAYS)
COLLECT_ESCALATE_DAYS = 7
COLLECT_ESCALATE_AFTER = timedelta(days=COLLECT_ESCALATE_DAYS)

# Three times the longest wait before the last message of any kind is due (a job in repairing: its days and the
# grace; an item not collected: the college's escalation): room for a clock stopped for days to catch up.
REMIND_HORIZON_DAYS = 3 * max(max(IN_HAND_DUE_DAYS.values()) + STALLED_GRACE_DAYS, COLLECT_ESCALATE_DAYS)
REMIND_HORIZON = timedelta(days=REMIND_HORIZON_DAYS)
