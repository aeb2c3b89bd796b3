"""A production start refusal says its Thai line in Thai: the settings a notification channel lacks are joined with
"และ" in Thai and "and" in English (start_notify_missing's Thai line read "... ถ้าไม่มี FIXIT_LINE_CHANNEL_ACCESS_TOKEN
and FIXIT_LINE_CHANNEL_SECRET"; found by audit18d), and the English says "set it" for one, "set them" for two."""

from pydantic import SecretStr

from backend.settings import Settings
from shared.text import and_list


def _notify_refusal(channel: str, **given: object) -> tuple[str, str]:
    settings = Settings(jwt_secret=SecretStr("x" * 48), database_url="postgresql://nowhere/none",
                        notify_channels=[channel], **given)  # type: ignore[arg-type]
    (refusal,) = [p for p in settings._notify_problems() if f"'{channel}'" in p]
    thai, english = refusal.splitlines()
    return thai, english.strip()


def test_the_thai_start_refusal_joins_settings_in_thai() -> None:
    thai, english = _notify_refusal("line")
    assert "FIXIT_LINE_CHANNEL_ACCESS_TOKEN และ FIXIT_LINE_CHANNEL_SECRET" in thai, thai
    assert " and " not in thai, thai
    assert "FIXIT_LINE_CHANNEL_ACCESS_TOKEN and FIXIT_LINE_CHANNEL_SECRET: set them " in english, english


def test_one_missing_setting_is_it_in_english() -> None:
    thai, english = _notify_refusal("line", line_channel_secret=SecretStr("s"))
    assert "ถ้าไม่มี FIXIT_LINE_CHANNEL_ACCESS_TOKEN กรุณาตั้งค่า" in thai, thai
    assert "without FIXIT_LINE_CHANNEL_ACCESS_TOKEN: set it " in english, english


def test_names_join_with_each_languages_and() -> None:
    assert and_list(["A"]).th == and_list(["A"]).en == "A"
    assert (and_list(["A", "B", "C"]).th, and_list(["A", "B", "C"]).en) == ("A, B และ C", "A, B and C")
