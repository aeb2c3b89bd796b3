"""`./fixit run`: Ctrl-C stops everything cleanly, and running it again finds the data again."""

import shutil
import socket
import tempfile
from pathlib import Path
from urllib.parse import urlparse

from tests.e2e.conftest import api_session, run_system


def port_is_free(url: str) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", urlparse(url).port or 0)) != 0


def test_stop_and_run_again_keeps_the_data() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="fixit-rerun-"))
    try:
        with run_system(data_dir, "e2e-run-first.log") as first:
            created = api_session(first.api_url, "0655500001")["profile"]["id"]
        assert first.process.returncode == 0, first.log_path.read_text()[-2000:]
        assert port_is_free(first.api_url) and port_is_free(first.app_url)
        assert "stopping" in first.log_path.read_text(encoding="utf-8")

        with run_system(data_dir, "e2e-run-second.log") as second:
            # the same person: the data survived
            assert api_session(second.api_url, "0655500001")["profile"]["id"] == created
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
