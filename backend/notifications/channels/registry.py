"""The channels this process delivers through, chosen by configuration (FIXIT_NOTIFY_CHANNELS)."""

import logging

from backend.notifications.channels import Channel
from backend.settings import Settings

log = logging.getLogger("fixit.notifications")


def make_channels(settings: Settings) -> dict[str, Channel]:
    """The channels named that have what they need (Settings.notify_channel_missing says what that is; production
    refuses to start with a named channel missing it, so only development drops one here, with a warning)."""
    channels: dict[str, Channel] = {}
    for name in settings.active_notify_channels:
        missing = settings.notify_channel_missing(name)
        channel = _make(name, settings) if missing == [] else None
        if channel is None:
            log.warning("notification channel %r is not known or not configured (%s): not used", name,
                        ", ".join(missing or []) or "no such channel")
            continue
        channels[name] = channel
    return channels


def _make(name: str, settings: Settings) -> Channel | None:
    if name == "console":
        from backend.notifications.channels.console import ConsoleChannel

        return ConsoleChannel()
    if name == "webpush":
        from backend.notifications.channels.webpush import WebPushChannel

        return WebPushChannel(settings.vapid_private_key.get_secret_value(), settings.vapid_subject)
    if name == "line":
        from backend.notifications.channels.line import LineChannel

        return LineChannel(settings.line_channel_access_token.get_secret_value(), settings.line_api_url)
    if name == "sms":
        from backend.notifications.channels.sms import ThaiBulkSmsChannel

        return ThaiBulkSmsChannel(settings.sms_api_key.get_secret_value(), settings.sms_api_secret.get_secret_value(),
                                  settings.sms_sender, settings.sms_force, settings.sms_api_url)
    if name == "fcm" and settings.fcm_service_account_file is not None:
        from backend.notifications.channels.fcm import FcmChannel

        return FcmChannel.from_file(settings.fcm_service_account_file, settings.fcm_api_url)
    if name == "onesignal":
        from backend.notifications.channels.onesignal import OneSignalChannel

        return OneSignalChannel(settings.onesignal_app_id, settings.onesignal_api_key.get_secret_value(),
                                settings.onesignal_api_url)
    return None
