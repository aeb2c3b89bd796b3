"""`uvicorn backend.asgi:app`: the service configured from the environment (any number of copies)."""

import gc

from pydantic import ValidationError

from backend.app import create_app
from backend.production import invalid_settings, start_refusals
from backend.settings import get_settings
from shared.text import start_heading

try:
    _settings = get_settings()
except ValidationError as _invalid:  # named as they are set (FIXIT_DISPATCH_TICK_SECONDS=0, …), all at once
    raise SystemExit(start_heading("settings_not_valid") + "\n  - "
                     + "\n  - ".join(invalid_settings(_invalid))) from None
_problems = start_refusals(_settings, lambda: _settings.database_url)
if _problems:  # the same refusal as `fixit-backend serve`, for whoever starts uvicorn by hand
    raise SystemExit(start_heading("refusing_to_start") + "\n  - " + "\n  - ".join(_problems))

app = create_app()

# Everything imported and built so far lives as long as the process: out of the cyclic collector's sight, so a full
# collection walks only what requests made since. Without this each full collection walked ~100k startup objects
# and stopped the event loop for 70-200 ms on 2 busy cores, the live events' p99 (bench/live.py, issue 15).
gc.collect()
gc.freeze()
