-- Phone push through OneSignal (issue 13): the app built with flet-onesignal registers its OneSignal push
-- subscription id as a device, beside FCM tokens and Web Push endpoints.
alter table private.notification_devices drop constraint notification_devices_channel_check;
alter table private.notification_devices add constraint notification_devices_channel_check
    check (channel in ('fcm', 'webpush', 'onesignal'));
