"""Numbers whose exponent no arithmetic context can hold are refused as too large, never a crash."""

from __future__ import annotations

import json

import pytest
from marshmallow import ValidationError

from service.jsonio import parse_json
from service.schemas import DocumentPayloadSchema
from tests.conftest import load_example


@pytest.mark.parametrize("number", ["1e9999999999", "-1e9999999999", "1E+999999999999999999"])
def test_a_huge_exponent_is_too_large(number: str) -> None:
    body = load_example("pp46_2011_evaluasi")
    body["skp"]["kegiatan"][0]["target"]["kuantitas"] = "REPLACE"
    text = json.dumps(body).replace('"REPLACE"', number)
    with pytest.raises(ValidationError) as raised:
        DocumentPayloadSchema().load(parse_json(text.encode()))
    assert raised.value.messages["skp"]["kegiatan"][0]["target"]["kuantitas"] == ["angka terlalu besar"]  # type: ignore[index]


def test_a_tiny_exponent_has_too_many_places() -> None:
    body = load_example("pp46_2011_evaluasi")
    body["skp"]["kegiatan"][0]["target"]["kuantitas"] = "REPLACE"
    text = json.dumps(body).replace('"REPLACE"', "1e-9999999999")
    with pytest.raises(ValidationError) as raised:
        DocumentPayloadSchema().load(parse_json(text.encode()))
    assert "belakang koma" in str(raised.value.messages)
