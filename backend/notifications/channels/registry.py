"""The channels this process delivers through, chosen by configuration (FIXIT_NOTIFY_CHANNELS)."""

import logging

from backend.notifications.channels import Channel
from backend.settings import Settings

log = logging.getLogger("fixit.notifications")


def make_channels(settings: Settings) -> dict[str, Channel]:
    channels: dict[str, Channel] = {}
    for name in settings.active_notify_channels:
        channel = _make(name, settings)
        if channel is not None:
            channels[name] = channel
    return channels


def _make(name: str, settings: Settings) -> Channel | None:
    if name == "console":
        from backend.notifications.channels.console import ConsoleChannel

        return ConsoleChannel()
    if name == "webpush" and settings.vapid_private_key.get_secret_value():
        from backend.notifications.channels.webpush import WebPushChannel

        return WebPushChannel(settings.vapid_private_key.get_secret_value(), settings.vapid_subject)
    if name == "line" and settings.line_channel_access_token.get_secret_value():
        from backend.notifications.channels.line import LineChannel

        return LineChannel(settings.line_channel_access_token.get_secret_value(), settings.line_api_url)
    if name == "sms" and settings.sms_api_key.get_secret_value():
        from backend.notifications.channels.sms import ThaiBulkSmsChannel

        return ThaiBulkSmsChannel(settings.sms_api_key.get_secret_value(), settings.sms_api_secret.get_secret_value(),
                                  settings.sms_sender, settings.sms_force, settings.sms_api_url)
    if name == "fcm" and settings.fcm_service_account_file is not None:
        from backend.notifications.channels.fcm import FcmChannel

        return FcmChannel.from_file(settings.fcm_service_account_file, settings.fcm_api_url)
    if name == "onesignal" and settings.onesignal_app_id and settings.onesignal_api_key.get_secret_value():
        from backend.notifications.channels.onesignal import OneSignalChannel

        return OneSignalChannel(settings.onesignal_app_id, settings.onesignal_api_key.get_secret_value(),
                                settings.onesignal_api_url)
    log.warning("notification channel %r is not known or not configured: not used", name)
    return None
