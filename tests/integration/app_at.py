"""The API as one caller sees it, for the tests of per-address and per-window limits (attack26, review26b): its own
app instance with its lifespan, a client at a given address, the clock held where the test says, and Supabase Auth
settings pointing at a mocked GoTrue (respx)."""

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import httpx
from fastapi import FastAPI
from pydantic import SecretStr

from backend.app import create_app
from backend.deps import get_now
from backend.settings import AuthMode, Settings


@asynccontextmanager
async def served_at(settings: Settings, now: datetime) -> AsyncIterator[FastAPI]:
    """The app, started, its clock held at `now` (the limits count in fixed windows)."""
    app = create_app(settings)
    app.dependency_overrides[get_now] = lambda: now
    async with app.router.lifespan_context(app):
        yield app


def caller(app: FastAPI, address: str) -> httpx.AsyncClient:
    """A client of the running `app` at `address`: several addresses may call one app (an app's start took seconds
    on a loaded machine, and the limits are counted in the database, not by the app)."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 40000)),
                             base_url="http://fixit.test")


@asynccontextmanager
async def client_at(settings: Settings, address: str, now: datetime) -> AsyncIterator[httpx.AsyncClient]:
    """The app as a client at `address` sees it, its clock held at `now` (the limits count in fixed windows)."""
    async with served_at(settings, now) as app, caller(app, address) as api:
        yield api


def with_supabase_auth(settings: Settings, supabase_url: str, **overrides: Any) -> Settings:
    """`settings` signing in through Supabase Auth at `supabase_url` (a respx mock), with a fresh JWT secret."""
    return settings.model_copy(update={
        "auth_mode": AuthMode.SUPABASE, "supabase_url": supabase_url, "supabase_anon_key": SecretStr("anon-key"),
        "jwt_secret": SecretStr(secrets.token_urlsafe(48)), **overrides,
    })
