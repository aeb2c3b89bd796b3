"""ux26 #2: a refused change of a kind of notification that is not the account's names the kind as the settings
name it (the `kind_<x>` texts) in each language, never its internal code (e.g. `job_taken_back`)."""

from mobile.strings import notification_kind_label
from shared.notifications import KIND_NOT_YOURS, Kind, kind_label
from shared.text import Locale, bilingual, error_text


def test_every_kinds_refusal_names_it_in_each_language_and_never_by_its_code() -> None:
    for kind in Kind:
        label = kind_label(kind.value)
        assert label == bilingual(f"kind_{kind.value}")
        said = error_text(KIND_NOT_YOURS, kind=label)
        assert said.th.endswith(label.th) and said.en.endswith(label.en), kind
        assert kind.value not in said.th, kind  # the Thai sentence holds no English code
        if "_" in kind.value:
            assert kind.value not in said.en, kind
        for locale in Locale:
            assert notification_kind_label(kind.value, locale) == label.in_(locale)


def test_a_kind_with_no_name_yet_is_said_with_the_general_name() -> None:
    """A newer backend's kind on an older app: the general name naming its code, not a KeyError mid-render."""
    assert kind_label("brand_new_kind") == bilingual("kind_other", kind="brand_new_kind")
    said = error_text(KIND_NOT_YOURS, kind=kind_label("brand_new_kind"))
    assert "brand_new_kind" in said.th and "brand_new_kind" in said.en
