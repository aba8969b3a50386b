"""JSON without the web: numbers parse as ``Decimal`` and ``Decimal`` writes back as a number."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

__all__ = ["json_number", "parse_json"]


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} bukan angka JSON yang sah")


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(f"kunci {key!r} muncul lebih dari sekali dalam satu objek")
        found[key] = value
    return found


def parse_json(data: bytes | str) -> Any:
    """Parse JSON keeping every number exact; NaN and Infinity are not JSON and are refused, and so
    is a key given twice in one object (which value was meant cannot be known).
    """
    return json.loads(
        data, parse_float=Decimal, parse_constant=_refuse_constant, object_pairs_hook=_refuse_duplicates
    )


def json_number(value: Any) -> Any:
    """``default=`` hook for :func:`json.dumps`: a ``Decimal`` becomes a JSON number."""
    if isinstance(value, Decimal):
        # Values are rounded to 2 dp before they get here; a float's repr of such a value
        # prints the same digits, so the number on the wire equals the Decimal.
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
