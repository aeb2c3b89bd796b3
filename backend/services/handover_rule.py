"""When a job counts as handed over to its owner, as SQL both the status rule and the owner's record read."""

# Confirmed since the job last became ready to hand back (done or unrepairable): a reopened job needs a new
# confirmation, and the owner's screen must not show an old one as current. Reads `r` = public.repair_requests.
HANDED_OVER_SQL = """exists (select 1 from public.job_handovers h where h.request_id = r.id
                   and h.confirmed_at >= (select max(e.created_at) from public.status_events e
                                          where e.request_id = r.id
                                            and e.to_status in ('done', 'unrepairable')))"""
