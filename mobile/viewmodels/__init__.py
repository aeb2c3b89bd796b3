"""Screen state without Flet: plain classes that views render and tests drive directly."""
