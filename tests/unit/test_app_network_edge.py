"""The app's network edge: what a build may talk to, and how answers that are not the backend's (a proxy's page, a
garbled body, a connection that died silently) reach the person. Findings of audit14b."""

from pathlib import Path

import pytest

from mobile.configure import main as configure_main


def test_a_phone_build_refuses_a_plain_http_backend_on_a_public_host(tmp_path: Path) -> None:
    """mobile/configure.py `checked` took any http(s) URL and `main` only printed a note for http: the build then
    carried `http://api…`, and every sign-in code, token, address and phone number of the app would cross the
    network in clear text (on a phone that allows it; where Android or iOS refuses it, a build that cannot reach its
    backend at all). Loopback and the emulator's host (10.0.2.2) are a developer's; a public host is not."""
    toml = tmp_path / "flet.toml"
    toml.write_text('[app]\nbackend_url = "http://127.0.0.1:8000"\n', encoding="utf-8")
    status = configure_main(["--file", str(toml), "--backend-url", "http://api.fixit-centers.example.th"])
    assert status != 0, "written: " + toml.read_text(encoding="utf-8")


@pytest.mark.parametrize(("url", "status"), [
    ("http://127.0.0.1:8000", 0), ("http://localhost:8000", 0), ("http://10.0.2.2:8000", 0), ("http://[::1]:8000", 0),
    ("https://api.fixit-centers.example.th", 0),
    # A school's LAN is a shared Wi-Fi: its codes and phone numbers must not cross it in clear text either.
    ("http://192.168.1.20:8000", 2), ("http://203.0.113.7", 2), ("http://LOCALHOST.example.th", 2),
])
def test_plain_http_is_for_the_developers_own_machine_only(tmp_path: Path, url: str, status: int) -> None:
    toml = tmp_path / "flet.toml"
    toml.write_text('[app]\nport = 9000\n', encoding="utf-8")
    before = toml.read_bytes()
    assert configure_main(["--file", str(toml), "--backend-url", url]) == status
    assert (toml.read_bytes() == before) == (status != 0)


def test_a_hand_edited_plain_http_backend_is_refused_when_shown_too(tmp_path: Path) -> None:
    """`python -m mobile.configure` with no changes (a build script's check of what it will carry) fails too."""
    toml = tmp_path / "flet.toml"
    toml.write_text('[app]\nbackend_url = "http://api.fixit-centers.example.th"\n', encoding="utf-8")
    assert configure_main(["--file", str(toml)]) == 2
