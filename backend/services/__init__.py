"""Use cases: SQL against a connection that already runs as the right identity."""
