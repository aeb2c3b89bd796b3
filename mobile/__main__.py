"""`python -m mobile`: serve the web app (see flet.toml for host and port)."""

from mobile.server import serve

serve()
