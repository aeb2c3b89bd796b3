"""The long lists' pages (audit 17b): a person's own requests (GET /requests/mine), a student's jobs
(GET /technician/jobs), the jobs a helper is on (GET /me/team-jobs) and the admin's waiting requests
(GET /admin/waiting) come a page at a time, as the teacher's hours waiting (GET /supervisor/hours-waiting): the body
stays the list the app parses, the `X-Total-Count` header (shared.credit_wire.TOTAL_COUNT_HEADER) says how many the
whole list has, and the app asks for the next page with `offset` (how many it has read). A row listed twice while the
list moved meanwhile (a new one came in on top) is listed once by the app (each row has an id).

Pure Python: the phone app packages this module.
"""

# The rows a page answers when the app names no `limit` (also what an app that does not page sees: the newest
# rows), and the most one call may ask for (an app's reload asks for as many as it showed, in calls of this many).
LIST_PAGE = 50
LIST_PAGE_MAX = 200
# The furthest `offset` a page may start at: past years of a busy account, short of a scan of the whole table.
LIST_OFFSET_MAX = 100_000
