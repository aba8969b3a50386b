"""The schemas document themselves in OpenAPI 3.1 through apispec."""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from service.schemas import DocumentPayloadSchema, UnitCheckSchema
from service.schemas.dokumen_lain import MAKS_PEGAWAI_UNIT, SCHEMAS
from service.scoring.vocabulary import (
    COACHING_TYPES,
    JAWABAN_UMPAN_BALIK,
    JUMLAH_KRITERIA_UMPAN_BALIK,
    KATEGORI_KONSELOR,
    UNIT_TYPES,
)


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


def test_the_unit_and_coaching_schemas_are_described_field_by_field() -> None:
    """Each of them, and every schema nested in them, is a component with a description per field."""
    spec = APISpec(title="t", version="1", openapi_version="3.1.0", plugins=[MarshmallowPlugin()])
    for kind, schema in SCHEMAS.items():
        spec.components.schema(kind, schema=schema)
    schemas = spec.to_dict()["components"]["schemas"]
    assert set(SCHEMAS) | {
        "Periode",
        "Penilai",
        "Identitas",
        "PegawaiPenetapan",
        "PegawaiPeringkat",
        "Bimbingan",
        "Peserta",
        "UmpanBalik",
        "Konselor",
        "KonselingIsi",
    } <= set(schemas)
    for name, component in schemas.items():
        assert component["additionalProperties"] is False, name
        assert all(p.get("description") for p in component["properties"].values()), name
    for kind in SCHEMAS:
        assert schemas[kind]["properties"]["type"]["enum"] == [*UNIT_TYPES, *COACHING_TYPES]
        assert "type" in schemas[kind]["required"]
    assert set(schemas["penetapan_predikat"]["required"]) == {
        "type",
        "periode",
        "instansi",
        "unit_kerja",
        "capaian_organisasi",
        "dasar_capaian",
        "pimpinan_yang_berwenang",
        "daftar_pegawai",
    }
    daftar = schemas["peringkat"]["properties"]["daftar_pegawai"]
    assert daftar["items"]["$ref"] == "#/components/schemas/PegawaiPeringkat"
    assert daftar["maxItems"] == MAKS_PEGAWAI_UNIT
    jawaban = schemas["UmpanBalik"]["properties"]["jawaban"]
    assert jawaban["minItems"] == jawaban["maxItems"] == JUMLAH_KRITERIA_UMPAN_BALIK
    assert jawaban["items"]["enum"] == list(JAWABAN_UMPAN_BALIK)
    assert schemas["Konselor"]["properties"]["kategori"]["enum"] == list(KATEGORI_KONSELOR)
