"""The validated payload, kept once: an exact, typed JSON form that loads back without the schema.

The raw body is stored as sent (nothing a client sent is rewritten); beside it the document keeps the
payload as :class:`~service.schemas.DocumentPayloadSchema` returned it, so that jobs, pages and
webhooks read ``Decimal`` and ``date`` values back exactly, without parsing and validating again.
``Decimal`` and ``date`` are written as one-key objects (``{"$decimal": "1.50"}``,
``{"$date": "2024-01-01"}``); the schema refuses keys it does not know at every depth, so a client's
own object can never look like one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

__all__ = ["dump_validated", "load_validated"]

_DECIMAL = "$decimal"
_DATE = "$date"


def _tag(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {_DECIMAL: str(value)}
    if isinstance(value, date):
        return {_DATE: value.isoformat()}
    raise TypeError(f"{type(value).__name__} is not part of a validated payload")


def _untag(item: dict[str, Any]) -> Any:
    if len(item) == 1:
        if _DECIMAL in item:
            return Decimal(item[_DECIMAL])
        if _DATE in item:
            return date.fromisoformat(item[_DATE])
    return item


def dump_validated(payload: Mapping[str, Any]) -> str:
    """The validated payload as typed JSON text."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=_tag)


def load_validated(text: str) -> dict[str, Any]:
    """The payload :func:`dump_validated` wrote, with the same ``Decimal`` and ``date`` values."""
    payload: dict[str, Any] = json.loads(text, object_hook=_untag)
    return payload
