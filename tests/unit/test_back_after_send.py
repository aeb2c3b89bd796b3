"""The browser's back after a sent request lands on the form's old address: the app shows the home there, not a
blank form; the form still opens from the home as usual."""

from mobile.viewmodels.app import AppViewModel, Screen
from mobile.viewmodels.request_form import FormState
from tests.unit.mobile_fakes import RequestBackend
from tests.unit.mobile_screens import fill_valid, open_form


def screen_of(app: AppViewModel) -> Screen:
    """Read afresh (mypy would keep the narrowed value of an earlier assert)."""
    return app.screen


async def test_back_onto_a_sent_forms_address_shows_the_home() -> None:
    app, form = await open_form(RequestBackend())
    fill_valid(form)
    await form.submit()
    assert form.state == FormState.SENT and app.screen == Screen.HOME
    await app.open_route("/requests/new")  # the browser's back
    assert screen_of(app) == Screen.HOME and app.request_form is None and app.route == "/"
    await app.open_route("/")
    assert screen_of(app) == Screen.HOME


async def test_the_form_still_opens_by_its_address_before_and_after() -> None:
    app, _form = await open_form(RequestBackend())
    await app.open_route("/")  # left untouched: no question
    assert screen_of(app) == Screen.HOME
    await app.open_route("/requests/new")
    assert screen_of(app) == Screen.REQUEST_FORM and app.request_form is not None
