"""HTTP routes: parse, call a service, shape the answer. No SQL here."""
