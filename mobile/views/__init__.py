"""Thin functions from view-model state to Flet controls; no state and no API calls live here."""
