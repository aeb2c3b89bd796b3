"""`uvicorn backend.asgi:app`: the service configured from the environment (any number of copies)."""

from backend.app import create_app
from backend.settings import get_settings

_problems = get_settings().production_problems()
if _problems:  # the same refusal as `fixit-backend serve`, for whoever starts uvicorn by hand
    raise SystemExit("Refusing to start in production mode:\n  - " + "\n  - ".join(_problems))

app = create_app()
