"""The long lists' pages (audit 17b): a person's own requests (GET /requests/mine), a student's jobs
(GET /technician/jobs), the jobs a helper is on (GET /me/team-jobs) and the admin's waiting requests
(GET /admin/waiting), the jobs nobody at their college can decide (GET /admin/undecided) and the teacher's job list
(GET /supervisor/jobs) come a page at a time, as the teacher's hours waiting (GET /supervisor/hours-waiting): the body
stays the list the app parses, the `X-Total-Count` header (shared.credit_wire.TOTAL_COUNT_HEADER) says how many the
whole list has.

The next page is asked for by keyset (paging18): each page that has rows after it says so in the
`X-Next-Cursor` header (NEXT_CURSOR_HEADER; the teacher's job page in its body's `next`), an opaque cursor naming the
last row's place in the list's own order (its sort key and id, the tie-break); the app sends it back as `after` and
gets the rows after that place. A row that leaves the list meanwhile (a request accepted, a job finished) moves no
other row, so the next page neither skips nor repeats one; with `offset` (how many rows were read: an older app's
pages, still answered) the rows behind a row that left moved up one and the first of them was never shown. No header:
the page is the list's last. A row listed twice (an older app's `offset` while a new one came in on top) is listed
once by the app (each row has an id).

Pure Python: the phone app packages this module.
"""

# The rows a page answers when the app names no `limit` (also what an app that does not page sees: the newest
# rows), and the most one call may ask for (an app's reload asks for as many as it showed, in calls of this many).
LIST_PAGE = 50
LIST_PAGE_MAX = 200
# The furthest `offset` a page may start at: past years of a busy account, short of a scan of the whole table.
LIST_OFFSET_MAX = 100_000
# `after`: the cursor of X-Next-Cursor, sent back as it came (the backend refuses one it did not write, with a 400).
NEXT_CURSOR_HEADER = "X-Next-Cursor"
LIST_CURSOR_MAX = 200
