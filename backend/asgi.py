"""`uvicorn backend.asgi:app`: the service configured from the environment (any number of copies)."""

from backend.app import create_app

app = create_app()
