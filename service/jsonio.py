"""JSON without the web: numbers parse as ``Decimal`` and ``Decimal`` writes back as a number."""

from __future__ import annotations

import json
import re
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
    parsed = json.loads(
        data, parse_float=Decimal, parse_constant=_refuse_constant, object_pairs_hook=_refuse_duplicates
    )
    _refuse_lone_surrogates(parsed)
    return parsed


_SURROGATE = re.compile("[\ud800-\udfff]")


def _refuse_lone_surrogates(value: Any) -> None:
    r"""A ``\ud800`` escape without its pair is no character (RFC 8259 §8.2): no text holds it,
    no column stores it and no answer could be encoded with it, so it is refused here.
    """
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                raise ValueError("teks memuat surrogate UTF-16 tanpa pasangannya (RFC 8259 §8.2)")
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def json_number(value: Any) -> Any:
    """``default=`` hook for :func:`json.dumps`: a ``Decimal`` becomes a JSON number."""
    if isinstance(value, Decimal):
        # Values are rounded to 2 dp before they get here; a float's repr of such a value
        # prints the same digits, so the number on the wire equals the Decimal.
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
