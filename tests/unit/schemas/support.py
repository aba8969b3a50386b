"""Helpers for the schema tests: examples as a client sends them, and errors by dotted field."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from marshmallow import Schema, ValidationError

from service.schemas import flatten_errors, load_payload
from tests.conftest import EXAMPLES


def example(name: str) -> dict[str, Any]:
    """An example payload parsed as the app parses a request body (numbers as Decimal)."""
    data: dict[str, Any] = json.loads(
        (EXAMPLES / f"{name}.json").read_text(encoding="utf-8"), parse_float=Decimal
    )
    return data


def load(payload: Any, schema: Schema | None = None) -> dict[str, Any]:
    """``payload`` loaded by ``schema``, by default the schema of its type (:func:`load_payload`)."""
    result: dict[str, Any] = schema.load(payload) if schema is not None else load_payload(payload)
    return result


def errors(payload: Any, schema: Schema | None = None) -> dict[str, list[str]]:
    """Every error of a payload that must fail, as ``{dotted field: [messages]}``."""
    with pytest.raises(ValidationError) as caught:
        load(payload, schema)
    messages = caught.value.messages
    out: dict[str, list[str]] = {}
    for item in flatten_errors(messages if isinstance(messages, dict) else {"": messages}):
        out.setdefault(item["field"], []).append(item["message"])
    return out
