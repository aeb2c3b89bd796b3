"""Signing people in: Supabase-format JWTs, the local phone + code issuer, the request's identity."""
