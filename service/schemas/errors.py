"""Marshmallow's nested error messages as the flat ``errors`` list of api.md."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["flatten_errors"]

_SCHEMA = "_schema"


def _join(prefix: str, key: object) -> str:
    return f"{prefix}.{key}" if prefix else str(key)


def _walk(messages: Any, path: str, out: list[dict[str, str]]) -> None:
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            # Schema-level errors belong to the object they were raised for (the root is "").
            _walk(value, path if key == _SCHEMA else _join(path, key), out)
    elif isinstance(messages, list | tuple):
        for item in messages:
            _walk(item, path, out)
    else:
        entry = {"field": path, "message": str(messages)}
        if entry not in out:
            out.append(entry)


def flatten_errors(messages: Mapping[Any, Any]) -> list[dict[str, str]]:
    """``{"skp": {"kegiatan": {2: {"target": {"waktu": ["harus lebih dari 0"]}}}}}`` →
    ``[{"field": "skp.kegiatan.2.target.waktu", "message": "harus lebih dari 0"}]``.

    List indexes are written as numbers; ``_schema`` messages are attached to the path of the object
    that raised them (``""`` at the root). Order follows the input; exact duplicates are dropped.
    """
    out: list[dict[str, str]] = []
    _walk(messages, "", out)
    return out
