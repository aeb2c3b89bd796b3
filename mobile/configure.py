"""Set the app's settings for a build: `python -m mobile.configure --backend-url https://api.example.th`.

A phone has no environment variables: what an APK/IPA knows is the flet.toml packaged with it. This rewrites values
in that file's [app] table in place (comments and the other values stay as they are), after checking them the way
the app will read them, then prints what a build made now would carry. Run it before `flet build apk|ipa`:

    python -m mobile.configure --backend-url https://api.example.th
    python -m mobile.configure --set default_locale=en --set request_timeout_seconds=15
    FIXIT_APP_BACKEND_URL=https://api.example.th python -m mobile.configure --from-env   # e.g. in CI
    python -m mobile.configure                                                         # only show the values

FIXIT_APP_* variables are not read by a built app; on a development machine they still win over the file at run
time (`./fixit run` sets them), which is why `--from-env` exists to write them down for a build.
"""

import argparse
import ipaddress
import json
import os
import re
import sys
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

from mobile.settings import SETTINGS_FILE, AppSettings

ENV_PREFIX = "FIXIT_APP_"
TABLE = "app"
# Hosts a plain-http backend_url may name: the developer's own machine, as a phone reaches it through `adb reverse`
# (loopback) or from Android's emulator (10.0.2.2). Anything else carries every sign-in code, token, address and
# phone number of the app across networks in clear text, so a build wants https for it.
DEVELOPER_HOSTS = frozenset({"localhost", "10.0.2.2"})


class ConfigureError(Exception):
    """A value the app could not use, or a file this tool cannot rewrite."""


def build_settings(path: Path, **overrides: Any) -> AppSettings:
    """The settings an app built with `path` as its flet.toml reads (with `overrides` on top), the environment left
    out: a phone has none. The same TOML source as the app, only pointed at `path`."""

    class BuildSettings(AppSettings):
        model_config = SettingsConfigDict(toml_file=path)

        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            return (init_settings, TomlConfigSettingsSource(settings_cls))

    return BuildSettings(**overrides)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    raise ConfigureError(f"cannot write {value!r} to TOML")


def parse_assignment(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ConfigureError(f"--set wants KEY=VALUE, got {text!r}")
    return key.strip().lower(), value.strip()


def from_environment(environ: Mapping[str, str]) -> dict[str, str]:
    return {
        name[len(ENV_PREFIX):].lower(): value
        for name, value in environ.items()
        if name.startswith(ENV_PREFIX) and name[len(ENV_PREFIX):]
    }


def checked(path: Path, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The changes as the typed values the app would read; unknown keys and bad values are refused."""
    known = AppSettings.model_fields
    unknown = sorted(set(changes) - set(known))
    if unknown:
        raise ConfigureError(f"unknown setting(s): {', '.join(unknown)} (known: {', '.join(known)})")
    try:
        settings = build_settings(path, **changes)
    except ValidationError as e:
        raise ConfigureError(str(e)) from e
    check_backend_url(settings.backend_url)
    dumped = settings.model_dump(mode="json")
    return {key: dumped[key] for key in changes}


def check_backend_url(backend_url: str) -> None:
    """An https URL, or plain http to the developer's own machine only (`DEVELOPER_HOSTS`, loopback)."""
    url = urlsplit(backend_url)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise ConfigureError(f"backend_url must be an http(s) URL, got {backend_url!r}")
    if url.scheme == "http" and not is_developer_host(url.hostname):
        raise ConfigureError(
            f"backend_url {backend_url!r} is plain http to {url.hostname}: the app would send sign-in codes, tokens, "
            "addresses and phone numbers in clear text. Use https (plain http is for the developer's own machine "
            f"only: {', '.join(sorted(DEVELOPER_HOSTS))}, 127.0.0.1 or ::1; a phone on USB reaches it with "
            "`adb reverse tcp:8000 tcp:8000`)"
        )


def is_developer_host(host: str) -> bool:
    if host.lower() in DEVELOPER_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name: it resolves to whatever the network says


def rewrite(text: str, values: Mapping[str, Any]) -> str:
    """`text` with each key of [app] set to its new value: its line replaced, or added at the end of the table."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    pending = dict(values)
    table: str | None = None
    table_end: int | None = None  # index after the last key line of [app]
    for i, line in enumerate(lines):
        header = re.match(r"\s*\[([^\]]+)\]\s*(#.*)?$", line)
        if header:
            table = header.group(1).strip()
            if table == TABLE:
                table_end = i + 1
            continue
        if table != TABLE:
            continue
        assignment = re.match(r"\s*([A-Za-z0-9_-]+)\s*=", line)
        if assignment:
            table_end = i + 1
            key = assignment.group(1).lower()
            if key in pending:
                lines[i] = f"{key} = {toml_value(pending.pop(key))}\n"
    added = [f"{key} = {toml_value(value)}\n" for key, value in pending.items()]
    if table_end is None:
        lines += ([] if not lines else ["\n"]) + [f"[{TABLE}]\n", *added]
    else:
        lines[table_end:table_end] = added
    return "".join(lines)


def configure(path: Path, changes: Mapping[str, Any]) -> AppSettings:
    """Write `changes` into the [app] table of `path` and return the settings a build would now carry."""
    if changes:
        values = checked(path, changes)
        new_text = rewrite(path.read_text(encoding="utf-8"), values)
        written = tomllib.loads(new_text).get(TABLE, {})
        if any(written.get(key) != value for key, value in values.items()):  # never leave a file we misread
            raise ConfigureError(f"{path}: could not rewrite the [{TABLE}] table safely; edit it by hand")
        path.write_text(new_text, encoding="utf-8")
    settings = build_settings(path)
    check_backend_url(settings.backend_url)  # also a file edited by hand: a build must not carry it
    return settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mobile.configure",
        description="Set the settings a phone build of the app carries (the packaged flet.toml).",
    )
    parser.add_argument("--backend-url", help="where the Fixit API answers, e.g. https://api.example.th")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="any other [app] setting of flet.toml, e.g. default_locale=en (repeatable)")
    parser.add_argument("--from-env", action="store_true",
                        help=f"also take every {ENV_PREFIX}* variable that is set (the names the app reads)")
    parser.add_argument("--file", type=Path, default=SETTINGS_FILE,
                        help=f"the file to rewrite (default {SETTINGS_FILE})")
    args = parser.parse_args(argv)

    changes: dict[str, Any] = {}
    try:
        if args.from_env:
            changes.update(from_environment(os.environ))
        changes.update(parse_assignment(item) for item in args.set)
        if args.backend_url is not None:
            changes["backend_url"] = args.backend_url
        settings = configure(args.file, changes)
    except (ConfigureError, OSError, tomllib.TOMLDecodeError) as e:
        print(f"mobile.configure: {e}", file=sys.stderr)
        return 2
    print(f"{args.file}{' (changed: ' + ', '.join(sorted(changes)) + ')' if changes else ''}")
    for key, value in settings.model_dump(mode="json").items():
        print(f"  {key} = {toml_value(value)}")
    if urlsplit(settings.backend_url).scheme == "http":
        print("note: plain http to the developer's machine only: Android and iOS refuse it unless the build allows "
              "clear text; a build for anyone else wants an https backend_url", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
