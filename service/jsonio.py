"""JSON in and out: request bodies parse numbers as ``Decimal``; responses write ``Decimal`` as numbers."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from flask import request
from flask.json.provider import DefaultJSONProvider

from service.errors import ServiceError, UnsupportedMediaTypeError

__all__ = ["DecimalJSONProvider", "json_body", "json_number", "parse_json"]


class MalformedJSONError(ServiceError):
    status = 400


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} bukan angka JSON yang sah")


def parse_json(data: bytes) -> Any:
    """Parse JSON keeping every number exact; NaN and Infinity are not JSON and are refused."""
    return json.loads(data, parse_float=Decimal, parse_constant=_refuse_constant)


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 415/400 problem saying what is wrong with it."""
    if not request.is_json:
        raise UnsupportedMediaTypeError("Isi permintaan harus berjenis application/json.")
    data = request.get_data(cache=True)
    try:
        body = parse_json(data)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise MalformedJSONError(f"JSON tidak valid: {error}") from None
    if not isinstance(body, dict):
        raise MalformedJSONError("Isi permintaan harus berupa objek JSON.")
    return body


def json_number(value: Any) -> Any:
    """``default=`` hook for :func:`json.dumps`: a ``Decimal`` becomes a JSON number."""
    if isinstance(value, Decimal):
        # Values are rounded to 2 dp before they get here; a float's repr of such a value
        # prints the same digits, so the number on the wire equals the Decimal.
        return int(value) if value == value.to_integral_value() else float(value)
    return DefaultJSONProvider.default(value)


class DecimalJSONProvider(DefaultJSONProvider):
    """Flask's provider, but ``Decimal`` becomes a JSON number, not a string."""

    default = staticmethod(json_number)
    sort_keys = False
    ensure_ascii = False
