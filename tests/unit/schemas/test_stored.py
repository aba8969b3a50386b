"""The validated payload kept once: it loads back equal, with the same types, without the schema."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from marshmallow import ValidationError

from service.schemas import DocumentPayloadSchema, load_payload
from service.schemas.stored import dump_validated, load_validated
from tests.conftest import EXAMPLES, load_example


def _types(value: Any, path: str = "") -> dict[str, type]:
    if isinstance(value, dict):
        found: dict[str, type] = {}
        for key, item in value.items():
            found.update(_types(item, f"{path}.{key}"))
        return found
    if isinstance(value, list):
        found = {}
        for index, item in enumerate(value):
            found.update(_types(item, f"{path}.{index}"))
        return found
    return {path: type(value)}


@pytest.mark.parametrize("example", sorted(p.stem for p in EXAMPLES.glob("*.json")))
def test_every_example_round_trips_with_its_types(example: str) -> None:
    payload = load_payload(load_example(example))
    again = load_validated(dump_validated(payload))
    assert again == payload
    assert _types(again) == _types(payload)
    assert any(t is date for t in _types(again).values())


def test_decimal_keeps_its_exponent_and_dates_stay_dates() -> None:
    again = load_validated(dump_validated({"a": Decimal("1.50"), "b": [date(2024, 2, 29)], "c": "$decimal"}))
    assert str(again["a"]) == "1.50"
    assert again["b"] == [date(2024, 2, 29)]
    assert again["c"] == "$decimal"


def test_a_client_object_cannot_pose_as_a_tag() -> None:
    body = load_example("permenpanrb_6_2022_skp")
    body["periode"] = {"$date": "2024-01-01"}
    with pytest.raises(ValidationError) as raised:
        DocumentPayloadSchema().load(body)
    assert "periode" in str(raised.value.messages)


def test_values_a_payload_never_holds_are_refused() -> None:
    with pytest.raises(TypeError):
        dump_validated({"x": object()})
