"""The schemas document themselves in OpenAPI 3.1 through apispec."""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from service.schemas import DocumentPayloadSchema, UnitCheckSchema


def _spec() -> dict[str, Any]:
    spec = APISpec(title="t", version="1", openapi_version="3.1.0", plugins=[MarshmallowPlugin()])
    spec.components.schema("DocumentPayload", schema=DocumentPayloadSchema)
    spec.components.schema("UnitCheck", schema=UnitCheckSchema)
    return spec.to_dict()


def test_payload_schema_is_described_field_by_field() -> None:
    schemas = _spec()["components"]["schemas"]
    payload = schemas["DocumentPayload"]
    assert set(payload["required"]) == {"type", "periode", "instansi", "pegawai", "pejabat_penilai", "skp"}
    props = payload["properties"]
    assert props["type"]["enum"] == ["skp", "manual_iku", "evaluasi", "dokumen_penilaian"]
    assert all(p.get("description") for p in props.values())
    assert props["skp"]["x-skema-per-regime"]["pp46_2011"] == "SkpPP46Schema"
    identitas = schemas["Identitas"]["properties"]
    assert identitas["nama"]["maxLength"] == 200
    periode = schemas["Periode"]["properties"]
    assert periode["mulai"]["format"] == "date"


def test_unit_check_schema_is_described() -> None:
    schemas = _spec()["components"]["schemas"]
    assert schemas["UnitCheck"]["properties"]["regime"]["enum"] == [
        "pp46_2011",
        "permenpanrb_8_2021",
        "permenpanrb_6_2022",
    ]
    assert schemas["PegawaiUnit"]["properties"]["nilai"]["type"] == ["number", "null"]
