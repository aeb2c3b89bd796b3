"""Fixit's pure domain core: no I/O, imported by both the backend and the app."""
