"""Who is calling from where, for the length of one request: read by the audit trail's database settings."""

from contextvars import ContextVar

# The caller's address as the server saw it (behind a proxy: uvicorn's proxy_headers resolve X-Forwarded-For).
client_address: ContextVar[str | None] = ContextVar("fixit_client_address", default=None)
