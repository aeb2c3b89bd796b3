"""AppSettings: flet.toml gives the values, FIXIT_APP_* variables override them."""

from pathlib import Path

import pytest
from pydantic_settings import SettingsConfigDict

from mobile.settings import SETTINGS_FILE, AppSettings
from shared.text import Locale


def settings_from(toml: Path) -> AppSettings:
    class FromFile(AppSettings):
        model_config = SettingsConfigDict(**{**AppSettings.model_config, "toml_file": toml})

    return FromFile()


def test_project_flet_toml_is_read_and_complete() -> None:
    assert SETTINGS_FILE.name == "flet.toml" and SETTINGS_FILE.exists()
    settings = AppSettings()
    assert settings.backend_url.startswith("http")
    assert settings.default_locale == Locale.TH
    assert "{z}" in settings.map_tile_url and "{x}" in settings.map_tile_url


def test_file_values_are_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FIXIT_APP_PORT", raising=False)
    toml = tmp_path / "flet.toml"
    toml.write_text('[app]\nbackend_url = "http://10.0.2.2:9000"\nport = 9100\ndefault_locale = "en"\n')
    settings = settings_from(toml)
    assert settings.backend_url == "http://10.0.2.2:9000"
    assert settings.port == 9100
    assert settings.default_locale == Locale.EN
    assert settings.host == "127.0.0.1"  # not in the file: the default


def test_environment_wins_over_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    toml = tmp_path / "flet.toml"
    toml.write_text("[app]\nport = 9100\nrequest_timeout_seconds = 3\n")
    monkeypatch.setenv("FIXIT_APP_PORT", "9200")
    monkeypatch.setenv("FIXIT_APP_BACKEND_URL", "https://api.example.th")
    settings = settings_from(toml)
    assert settings.port == 9200
    assert settings.backend_url == "https://api.example.th"
    assert settings.request_timeout_seconds == 3
