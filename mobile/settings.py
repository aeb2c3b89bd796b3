"""The app's one settings object: flet.toml, overridden by FIXIT_APP_* variables.

flet.toml and assets/ sit at the root of the folder `flet build` packages (the project root, see pyproject.toml
[tool.flet.app]), one level above this package: on a phone that is the unpacked app, in a checkout the repository.
A phone has no environment, so what the build carries is flet.toml (`python -m mobile.configure` sets it per build);
on a development machine FIXIT_APP_* variables win over the file (`./fixit run` and the tests set them).
"""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from shared.text import Locale

# The packaged folder (= the repository root in a checkout). Resolved from this file, never from the working
# directory: the phone starts the app from wherever its host likes.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
ASSETS_DIR = PROJECT_ROOT / "assets"
SETTINGS_FILE = PROJECT_ROOT / "flet.toml"
DEFAULT_MAP_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


class AppSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="FIXIT_APP_",
        toml_file=SETTINGS_FILE,
        toml_table_header=("app",),
        extra="ignore",
    )

    backend_url: str = "http://127.0.0.1:8000"
    request_timeout_seconds: float = Field(default=10.0, gt=0)
    default_locale: Locale = Locale.TH
    host: str = "127.0.0.1"
    port: int = Field(default=8550, ge=1, le=65535)
    map_tile_url: str = DEFAULT_MAP_TILE_URL
    # Reverse geocoding of the form's pin into an address: "" is off (nothing is ever called).
    geocoder: Literal["", "nominatim"] = ""
    geocoder_domain: str = "nominatim.openstreetmap.org"
    geocoder_user_agent: str = "fixit-app"
    geocoder_timeout_seconds: float = Field(default=5.0, gt=0, le=30)
    # Phone push through OneSignal: the App ID from its dashboard (a UUID). "" (the default) is off: the app never
    # loads the extension (the web app, desktop and tests never do anyway).
    onesignal_app_id: str = Field(default="", pattern=r"^$|^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Earlier sources win: explicit arguments (tests), then the environment, then the file.
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))


@lru_cache
def get_settings() -> AppSettings:
    return AppSettings()
