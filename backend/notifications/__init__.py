"""Notifications (issue #13): the outbox the database writes (migration 0016), delivery workers, channels,
preferences and the in-app inbox. Texts and rules live in shared/notifications.py."""
