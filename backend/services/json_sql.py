"""Response bodies built by PostgreSQL (issue 15): the hot read routes pass the database's JSON text through, so a
worker neither decodes rows nor validates and encodes them again. The keys come from the response models themselves,
so a field is named once (shared/wire.py); tests/integration/test_json_reads.py proves the bytes parse to what the
models built from rows gave."""

import types
from collections.abc import Collection
from datetime import datetime
from typing import Union, get_args, get_origin

from pydantic import BaseModel

# A timestamptz written as pydantic writes an aware UTC datetime (ISO 8601, "Z"), whatever the session's TimeZone:
# to_json would write the session's offset, and pinning TimeZone for the transaction would also move the weekly
# chart's date_trunc buckets. Six fractional digits always (pydantic drops them at .000000): the same instant.
UTC_ISO = """'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'"""


def utc_iso(expression: str) -> str:
    return f"to_char(({expression}) at time zone 'UTC', {UTC_ISO})"


def _is_datetime(annotation: object) -> bool:
    if annotation is datetime:
        return True
    if get_origin(annotation) in (Union, types.UnionType):
        return datetime in get_args(annotation)
    return False


def json_object(model: type[BaseModel], alias: str, omit: Collection[str] = (), **expressions: str) -> str:
    """`json_build_object(...)` with one key per field of `model` but those in `omit`, each `alias.<field>` unless
    given in `expressions`; timestamps in UTC as above. Enums, uuids, text and nulls need nothing: PostgreSQL writes
    them as pydantic would (strings and null); Thai text is written as UTF-8, unescaped."""
    unknown = (set(expressions) | set(omit)) - set(model.model_fields)
    if unknown:
        raise ValueError(f"not fields of {model.__name__}: {sorted(unknown)}")
    parts = []
    for name, field in model.model_fields.items():
        if name in omit:
            continue
        expression = expressions.get(name, f"{alias}.{name}")
        if name not in expressions and _is_datetime(field.annotation):
            expression = utc_iso(expression)
        parts.append(f"'{name}', {expression}")
    return "json_build_object(" + ", ".join(parts) + ")"


def as_body(json_expression: str) -> str:
    """The select-list item of a statement that builds a response body: the JSON as UTF-8 bytes (`convert_to`), to be
    fetched in binary as bytea, so neither psycopg decodes it into a str nor the route encodes it back."""
    return f"convert_to(({json_expression})::text, 'UTF8') as body"
