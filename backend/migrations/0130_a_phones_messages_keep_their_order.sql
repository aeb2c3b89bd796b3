-- review28c #1: the push worker puts a delivery whose phone another turn holds (another backend copy's send, a
-- registration, a sign-out) HELD_ELSEWHERE_WAIT later (import28 #3), so a newer message to that phone, due before
-- it, was picked first and the phone got the newer one before the older (tests/integration/
-- test_review28c_findings.py). The worker's pick (backend/notifications/worker.py `_DUE`) now leaves a delivery
-- while an older one to the same target waits out that short postponement (due after now, within it); this index
-- answers that question from the few pending rows of one target, not from every delivery ever made.
create index notification_deliveries_pending_target on private.notification_deliveries (channel, target, id)
    where status = 'pending';
