"""The repair request form: what, photos, where, when, contact, consent; then one send button.

The Flet-only parts (file picker, GPS, map taps) turn into plain calls on the view-model here.
"""


import flet as ft
import flet_map as ftm

from mobile.device import Device, LocationDenied, LocationDeniedForever, LocationUnavailable
from mobile.photo_picking import PhotoPicker
from mobile.settings import DEFAULT_MAP_TILE_URL
from mobile.viewmodels.request_form import CategoriesState, LocationSource, RequestFormViewModel
from mobile.views.common import (
    category_icon,
    error_message,
    heading,
    icon_button,
    keyed,
    labelled_toggle,
    muted,
    retry_button,
    working,
)
from mobile.views.typed_field import TypedField
from shared.photos import MAX_PHOTOS_PER_REQUEST
from shared.request_rules import ADDRESS_MAX, BRAND_MAX, DESCRIPTION_MAX, ITEM_MAX, WEEKDAYS, ServicePlace
from shared.text import WEEKDAY_LABELS, WEEKDAY_NAMES, Locale, t
from shared.thai_address import Area

# Bangkok, zoomed out to the whole country, until there is a pin.
DEFAULT_CENTRE = (13.7563, 100.5018)
COUNTRY_ZOOM = 5.5
PIN_ZOOM = 15.0
MAP_HEIGHT = 240
# The tile that stands for the map until it is opened: one line of text and an icon, a thumb's height.
MAP_TILE_HEIGHT = 56
THUMB_SIZE = 88
# Long lists (77 provinces) scroll inside a menu of this height rather than covering the whole screen.
MENU_HEIGHT = 320
# The form's text fields, read again at the send tap: on a slow device a tap can be handled before the last
# keystrokes' changes have reached the view-model.
TEXT_FIELDS = ("item", "brand", "description", "address", "contact_phone")
Fields = dict[str, ft.Ref[ft.TextField]]


def named_dropdown(label: str, dropdown: ft.Dropdown, chosen: str = "") -> ft.Control:
    """A Dropdown that screen readers (and tests) can find by its label.

    Flet 1.0's Dropdown (Flutter's DropdownMenu) reaches the semantics tree as a button with no name: its
    floating label is not part of it. Wrapping it in a Semantics with the label names that button
    ("ประเภทงานซ่อม"); the chosen option is announced as its value.
    """
    return ft.Semantics(label=label, value=chosen or None, content=dropdown)


def request_form_view(
    vm: RequestFormViewModel,
    locale: Locale,
    device: Device | None = None,
    map_tile_url: str = DEFAULT_MAP_TILE_URL,
) -> ft.Control:
    # Every part keyed by what it is (the parts that come and go by name, photos by their own id): the duplicates
    # hint, an error line, a photo or the GPS refusal appearing above leaves every field and button below its
    # control id, so a tap aimed at one is not dropped, the map keeps its place and a field its focus.
    # Back is the app bar's arrow (mobile/views/frame.py::back_button): a form with unsent changes asks first.
    controls: list[ft.Control] = keyed("top", [heading(t("request_form_title", locale), size=22)])
    if vm.received_notice:
        # The request is stored already (an outbox draft whose photo failed): why the fields take no changes.
        controls += keyed("received-notice", [_info(vm.received_notice)])
    fields: Fields = {name: ft.Ref[ft.TextField]() for name in TEXT_FIELDS}
    controls += _what(vm, locale, fields)
    controls += _photos(vm, locale, device)
    controls += _location(vm, locale, device, map_tile_url, fields)
    controls += _when_and_contact(vm, locale, fields)
    controls += _consent(vm, locale)
    controls += _send(vm, locale, fields)
    return ft.Column(controls, spacing=14, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)


def _info(text: str) -> ft.Control:
    """A line to know, not an error: read out when it appears."""
    return ft.Semantics(
        live_region=True,
        content=ft.Container(
            content=ft.Row([ft.Icon(ft.Icons.INFO_OUTLINE, color=ft.Colors.PRIMARY), ft.Text(text, expand=True)],
                           vertical_alignment=ft.CrossAxisAlignment.START),
            bgcolor=ft.Colors.PRIMARY_CONTAINER,
            border_radius=8,
            padding=10,
        ),
    )


def _field_error(vm: RequestFormViewModel, name: str) -> str | None:
    return vm.errors.get(name)


def _error_line(text: str | None, key: str) -> list[ft.Control]:
    """A problem under a field that is not a text field (the location, the place, the days, the consent): at the
    body size and with the error icon, not a small line told apart by its colour alone. Not read out itself: the
    line above the send button names every field to fix, once."""
    if not text:
        return []
    return [ft.Row([ft.Icon(ft.Icons.ERROR_OUTLINE, color=ft.Colors.ERROR, size=20),
                    ft.Text(text, color=ft.Colors.ERROR, expand=True)],
                   key=key, spacing=6, vertical_alignment=ft.CrossAxisAlignment.START)]


def _what(vm: RequestFormViewModel, locale: Locale, fields: Fields) -> list[ft.Control]:
    async def category_chosen(e: ft.Event[ft.Dropdown]) -> None:
        vm.set_category(e.control.value or "")
        await vm.refresh_duplicates()

    def item_typed(e: ft.Event[ft.TextField]) -> None:
        vm.set_item(e.control.value)

    def brand_typed(e: ft.Event[ft.TextField]) -> None:
        vm.set_brand(e.control.value)

    def description_typed(e: ft.Event[ft.TextField]) -> None:
        vm.set_description(e.control.value)

    # Keys keep each field the same control when something above it comes or goes (the loading row, an error
    # line): matched by position instead, the field would be rebuilt and a tap or the keyboard focus lost.
    controls: list[ft.Control] = []
    # While the categories load, the picker itself says so: a loading row above it would vanish when they arrive
    # and move every field below under the finger that was about to tap one.
    categories_loading = vm.categories_state == CategoriesState.LOADING
    chosen = next((c.name(locale) for c in vm.categories if c.code == vm.category_code), "")
    category = ft.Dropdown(
        label=t("category_label", locale),
        value=vm.category_code or None,
        options=[
            ft.DropdownOption(key=c.code, text=c.name(locale), leading_icon=category_icon(c.icon))
            for c in vm.categories
        ],
        leading_icon=ft.Icons.CATEGORY,
        hint_text=t("loading", locale) if categories_loading else None,
        error_text=_field_error(vm, "category_code"),
        disabled=vm.fields_locked or categories_loading,
        expand=True,
        on_select=category_chosen,
    )
    category_picker = named_dropdown(t("category_label", locale), category, chosen)
    category_picker.key = "category"
    controls += [
        category_picker,
        TypedField(
            ref=fields["item"],
            key="item",
            label=t("item_label", locale),
            hint_text=t("item_hint", locale),
            value=vm.item,
            error=_field_error(vm, "item"),
            error_max_lines=3,
            max_length=ITEM_MAX,
            read_only=vm.fields_locked,
            on_change=item_typed,
        ),
        TypedField(
            ref=fields["brand"],
            key="brand",
            label=t("brand_label", locale),
            value=vm.brand,
            error=_field_error(vm, "brand"),
            error_max_lines=3,
            max_length=BRAND_MAX,
            read_only=vm.fields_locked,
            on_change=brand_typed,
        ),
        TypedField(
            ref=fields["description"],
            key="description",
            label=t("description_label", locale),
            hint_text=t("description_hint", locale),
            value=vm.description,
            error=_field_error(vm, "description"),
            error_max_lines=3,
            multiline=True,
            min_lines=3,
            max_lines=6,
            max_length=DESCRIPTION_MAX,
            read_only=vm.fields_locked,
            on_change=description_typed,
        ),
    ]
    return controls


def _photos(vm: RequestFormViewModel, locale: Locale, device: Device | None) -> list[ft.Control]:
    async def pick() -> None:
        if device is not None:
            await vm.pick_photos(PhotoPicker(device))

    thumbs: list[ft.Control] = []
    for i, photo in enumerate(vm.photos):
        n = i + 1

        async def remove(_: object = None, i: int = i) -> None:  # the event comes first
            vm.remove_photo(i)

        layers: list[ft.Control] = [
            ft.Image(
                src=photo.thumbnail,
                width=THUMB_SIZE,
                height=THUMB_SIZE,
                fit=ft.BoxFit.COVER,
                border_radius=8,
                semantics_label=t("photo_alt", locale, n=n),
            ),
        ]
        # Once the request exists, a photo the backend has stays: only those not sent yet can be taken out.
        if vm.request_id is None or vm.can_remove_photo(i):
            layers.append(ft.Container(content=icon_button(ft.Icons.CLOSE, t("remove_photo", locale, n=n), remove),
                                       right=0, top=0))
        thumbs.append(
            ft.Stack(
                key=f"photo-{photo.local_id}",  # by the photo: the one after a removed photo keeps its ids
                controls=layers,
                width=THUMB_SIZE,
                height=THUMB_SIZE,
            )
        )
    controls: list[ft.Control] = [
        ft.Text(t("photos_label", locale, max=MAX_PHOTOS_PER_REQUEST), weight=ft.FontWeight.W_600,
                key="photos-title"),
    ]
    if thumbs:
        controls.append(ft.Row(thumbs, wrap=True, spacing=8, run_spacing=8, key="photos"))
    controls.append(
        ft.OutlinedButton(
            t("add_photo", locale),
            icon=ft.Icons.ADD_A_PHOTO,
            disabled=vm.busy or not vm.can_add_photo,
            on_click=pick,
            key="add-photo",
        )
    )
    if vm.photo_progress:
        controls += [ft.Semantics(live_region=True, content=ft.Text(vm.photo_progress), key="photo-progress-text"),
                     ft.ProgressBar(key="photo-progress")]
    if vm.photo_error:
        controls.append(error_message(vm.photo_error, key="photo-error"))
    return controls


def _location(
    vm: RequestFormViewModel, locale: Locale, device: Device | None, map_tile_url: str, fields: Fields
) -> list[ft.Control]:
    async def use_gps() -> None:
        if device is None:
            return
        try:
            lat, lon = await device.current_position()
        except LocationDeniedForever:
            vm.location_unavailable(denied=True, for_good=True)
        except LocationDenied:
            vm.location_unavailable(denied=True)
        except LocationUnavailable:
            vm.location_unavailable(denied=False)
        else:
            await vm.locate(lat, lon, LocationSource.GPS)

    async def tapped(e: ftm.MapTapEvent) -> None:
        await vm.locate(float(e.coordinates.latitude), float(e.coordinates.longitude), LocationSource.MAP)

    has_pin = vm.lat is not None and vm.lon is not None
    centre = (vm.lat, vm.lon) if vm.lat is not None and vm.lon is not None else DEFAULT_CENTRE
    markers = (
        [
            ftm.Marker(
                content=ft.Icon(ft.Icons.LOCATION_ON, color=ft.Colors.RED, size=36),
                coordinates=ftm.MapLatitudeLongitude(centre[0], centre[1]),
            )
        ]
        if has_pin
        else []
    )
    if vm.lat is not None and vm.lon is not None:
        if vm.location_source == LocationSource.AREA:
            source = t("location_from_area", locale, area=vm.pinned_area)
        else:
            source = t("location_from_gps" if vm.location_source == LocationSource.GPS else "location_from_map",
                       locale)
        where = f"{t('location_value', locale, lat=f'{vm.lat:.5f}', lon=f'{vm.lon:.5f}')} ({source})"
    else:
        where = t("location_none", locale)
    controls: list[ft.Control] = [
        ft.Text(t("location_label", locale), weight=ft.FontWeight.W_600, key="location-title"),
        ft.OutlinedButton(t("use_gps", locale), icon=ft.Icons.MY_LOCATION, disabled=vm.fields_locked,
                          on_click=use_gps, key="use-gps"),
    ]
    if vm.location_notice:
        controls.append(error_message(vm.location_notice, key="location-notice"))
    if vm.map_open:
        map_hint = muted(t("map_hint", locale))
        map_hint.key = "map-hint"
        controls += [
            map_hint,
            ft.Semantics(
                key="map",
                label=t("map_label", locale),
                content=ftm.Map(
                    height=MAP_HEIGHT,
                    initial_center=ftm.MapLatitudeLongitude(centre[0], centre[1]),
                    initial_zoom=PIN_ZOOM if has_pin else COUNTRY_ZOOM,
                    on_tap=tapped,
                    layers=[ftm.TileLayer(url_template=map_tile_url), ftm.MarkerLayer(markers=markers)],
                ),
            ),
            ft.Row([ft.TextButton(t("map_close", locale), icon=ft.Icons.EXPAND_LESS, on_click=vm.close_map)],
                   key="map-close"),
        ]
    else:
        # A small tile in the map's place: a finger scrolling the form over it scrolls the form (ux21 finding 12).
        controls.append(ft.Semantics(
            key="map-tile",
            button=True,
            label=t("map_open", locale),
            content=ft.Container(
                height=MAP_TILE_HEIGHT,
                border_radius=8,
                bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST,
                padding=12,
                on_click=None if vm.fields_locked else vm.open_map,
                ink=True,
                # The words shown are the tile's label already: left in, a screen reader read them twice
                # ("แตะเพื่อเลือกตำแหน่งบนแผนที่ แตะเพื่อเลือกตำแหน่งบนแผนที่", look22). Only the words are left out, so
                # the tile's tap stays in its node.
                content=ft.Row([ft.Icon(ft.Icons.MAP, color=ft.Colors.PRIMARY),
                                ft.Semantics(exclude_semantics=True, expand=True,
                                             content=ft.Text(t("map_open", locale)))]),
            ),
        ))
    controls.append(ft.Text(where, key="location-value"))
    controls += _error_line(_field_error(vm, "location"), "location-error")
    # Right under the pin it is about, where the eye is when it arrives (not below the consent box).
    hint = duplicates_card(vm, locale)
    if hint is not None:
        hint.key = "duplicates"
        controls.append(hint)

    def address_typed(e: ft.Event[ft.TextField]) -> None:
        vm.set_address(e.control.value)

    controls.append(
        TypedField(
            ref=fields["address"],
            key="address",
            label=t("address_label", locale),
            value=vm.address,
            error=_field_error(vm, "address"),
            error_max_lines=3,
            multiline=True,
            max_lines=3,
            max_length=ADDRESS_MAX,
            read_only=vm.fields_locked,
            on_change=address_typed,
        )
    )
    if vm.address_hint:
        controls.append(ft.Semantics(live_region=True, content=muted(vm.address_hint), key="address-hint"))
    controls += _area(vm, locale)
    return controls


def _area(vm: RequestFormViewModel, locale: Locale) -> list[ft.Control]:
    """Province → district → sub-district, each listing the areas of the one above (optional)."""

    def province_chosen(e: ft.Event[ft.Dropdown]) -> None:
        vm.set_province(e.control.value or "")

    def district_chosen(e: ft.Event[ft.Dropdown]) -> None:
        vm.set_district(e.control.value or "")

    def sub_district_chosen(e: ft.Event[ft.Dropdown]) -> None:
        vm.set_sub_district(e.control.value or "")

    def picker(key: str, value: str, areas: list[Area], on_select: ft.ControlEventHandler[ft.Dropdown]) -> ft.Control:
        label = t(key, locale)
        chosen = next((a.name(locale) for a in areas if a.code == value), "")
        return named_dropdown(
            label,
            ft.Dropdown(
                label=label,
                value=value or None,
                options=[ft.DropdownOption(key=a.code, text=a.name(locale)) for a in areas],
                disabled=vm.fields_locked or not areas,
                menu_height=MENU_HEIGHT,
                expand=True,
                on_select=on_select,
            ),
            chosen,
        )

    controls = keyed("area", [
        muted(t("area_label", locale)),
        picker("province_label", vm.province_code, vm.province_options, province_chosen),
        picker("district_label", vm.district_code, vm.district_options, district_chosen),
        picker("sub_district_label", vm.sub_district_code, vm.sub_district_options, sub_district_chosen),
    ])
    # Without GPS, and for whoever cannot aim at a map: the chosen sub-district's middle as the pin (a geocoder
    # configured), then where it went, read out, to send as it is or move on the map.
    if vm.can_pin_area:
        controls.append(ft.OutlinedButton(t("pin_area", locale), icon=ft.Icons.PIN_DROP, on_click=vm.pin_area,
                                          key="pin-area"))
    if vm.area_pin_hint:
        controls.append(ft.Semantics(live_region=True, content=ft.Text(vm.area_pin_hint), key="pin-area-hint"))
    return controls


def _when_and_contact(vm: RequestFormViewModel, locale: Locale, fields: Fields) -> list[ft.Control]:
    def place_chosen(e: ft.Event[ft.RadioGroup]) -> None:
        vm.set_service_place(e.control.value or "")

    def phone_typed(e: ft.Event[ft.TextField]) -> None:
        vm.set_contact_phone(e.control.value)

    chips: list[ft.Control] = []
    for day in WEEKDAYS:

        def toggled(_: object = None, day: str = day) -> None:  # the event comes first
            vm.toggle_day(day)

        chips.append(
            ft.Chip(
                key=day,
                label=ft.Text(WEEKDAY_LABELS[day].in_(locale), semantics_label=WEEKDAY_NAMES[day].in_(locale)),
                selected=day in vm.preferred_days,
                disabled=vm.fields_locked,
                on_select=toggled,
            )
        )
    controls: list[ft.Control] = [
        ft.Text(t("service_place_label", locale), weight=ft.FontWeight.W_600, key="service-place-title"),
        ft.RadioGroup(
            key="service-place",
            value=vm.service_place,
            disabled=vm.fields_locked,
            on_change=place_chosen,
            content=ft.Row(
                [
                    ft.Radio(value=ServicePlace.CENTRE.value, label=t("service_place_centre", locale)),
                    ft.Radio(value=ServicePlace.HOME.value, label=t("service_place_home", locale)),
                ],
                wrap=True,
            ),
        ),
    ]
    controls += _error_line(_field_error(vm, "service_place"), "service-place-error")
    controls += [
        ft.Text(t("preferred_days_label", locale), weight=ft.FontWeight.W_600, key="days-title"),
        ft.Row(chips, wrap=True, spacing=6, run_spacing=6, key="days"),
    ]
    controls += _error_line(_field_error(vm, "preferred_days"), "days-error")
    controls.append(
        TypedField(
            ref=fields["contact_phone"],
            key="contact_phone",
            label=t("contact_phone_label", locale),
            hint_text=t("phone_hint", locale),
            value=vm.contact_phone,
            error=_field_error(vm, "contact_phone"),
            error_max_lines=3,
            keyboard_type=ft.KeyboardType.PHONE,
            prefix_icon=ft.Icons.PHONE,
            autofill_hints=ft.AutofillHint.TELEPHONE_NUMBER,
            read_only=vm.fields_locked,
            on_change=phone_typed,
        )
    )
    return controls


def _consent(vm: RequestFormViewModel, locale: Locale) -> list[ft.Control]:
    error = _field_error(vm, "pdpa_consent")
    controls: list[ft.Control] = [
        ft.Container(
            key="privacy-notice",
            content=muted(t("privacy_notice", locale)),
            bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST,
            border_radius=8,
            padding=10,
        ),
        labelled_toggle(
            ft.Checkbox(value=vm.pdpa_consent, error=bool(error), disabled=vm.fields_locked),
            t("pdpa_label", locale),
            vm.set_pdpa_consent,
            key="pdpa_consent",
        ),
    ]
    controls += _error_line(error, "pdpa-error")
    return controls


def duplicates_card(vm: RequestFormViewModel, locale: Locale) -> ft.Control | None:
    """Open requests of the same kind nearby this week: worth knowing, never a reason not to send. Only a count
    for the area: the backend never says whose, what or exactly where."""
    found = vm.duplicates
    if found is None:
        return None
    count = f"{found.count}+" if found.capped else str(found.count)
    lines: list[ft.Control] = [
        ft.Row(
            [
                ft.Icon(ft.Icons.INFO_OUTLINE, color=ft.Colors.BROWN_900),
                # Whole, however many lines a large font takes: its only copy, and it says first that the person
                # may send (a cut line lost exactly that).
                ft.Text(t("duplicates_title", locale, count=count), expand=True, color=ft.Colors.BROWN_900,
                        weight=ft.FontWeight.W_600),
            ],
            vertical_alignment=ft.CrossAxisAlignment.START,
        )
    ]
    return ft.Semantics(
        live_region=True,
        content=ft.Container(
            content=ft.Column(lines, spacing=6), bgcolor=ft.Colors.AMBER_50, border_radius=8, padding=10
        ),
    )


def _send(vm: RequestFormViewModel, locale: Locale, fields: Fields) -> list[ft.Control]:
    def typed_now() -> None:
        vm.set_typed({
            name: ref.current.value for name, ref in fields.items()
            if ref.current is not None and ref.current.value is not None
        })

    async def submit() -> None:
        typed_now()
        await vm.submit()

    async def retry() -> None:
        typed_now()
        await vm.retry()

    async def send_as_new() -> None:
        typed_now()
        await vm.send_as_new()

    controls: list[ft.Control] = []
    if vm.form_error:
        controls.append(error_message(vm.form_error, key="form-error"))
    if vm.progress:
        # Read out as it appears and as it counts the photos: the button went grey, and a slow upload says nothing else.
        controls.append(working(vm.progress, key="send-progress"))
    if vm.can_retry:
        # The same request again (same idempotency key), not a second one; keyed apart from send, so a tap aimed
        # at send is not taken for a retry.
        # Disabled while the server asked to wait (a 429's Retry-After), saying from when.
        controls.append(retry_button(locale, retry, vm.retry_at, filled=True, key="retry"))
    else:
        label = t("submit_request" if vm.request_id is None else "send_remaining_photos", locale)
        controls.append(
            ft.FilledButton(label, icon=ft.Icons.SEND, disabled=vm.busy or vm.picking, on_click=submit, key="submit")
        )
    if vm.can_send_as_new:
        # The key's request holds the first details: these go as a request of their own only when the person says.
        controls.append(ft.OutlinedButton(t("send_as_new_request", locale), icon=ft.Icons.ADD_CIRCLE_OUTLINE,
                                          on_click=send_as_new, key="send-as-new"))
    return controls
