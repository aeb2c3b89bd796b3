"""Fixit's FastAPI service: REST API, auth, dispatch, photo intake, live events and the CLI."""
