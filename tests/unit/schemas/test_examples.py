"""Every example payload loads, is normalised as docs/architecture.md says, and scores."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from service.schemas import DocumentPayloadSchema
from service.scoring import score_payload
from service.scoring.vocabulary import COACHING_TYPES, UNIT_TYPES
from tests.conftest import EXAMPLES
from tests.unit.schemas.support import example, load

NAMES = sorted(p.stem for p in Path(EXAMPLES).glob("*.json"))

EXPECTED = {
    "permenpanrb_6_2022_skp",
    "permenpanrb_6_2022_skp_jpt",
    "permenpanrb_6_2022_skp_kualitatif",
    "permenpanrb_6_2022_manual_iku",
    "permenpanrb_6_2022_evaluasi",
    "permenpanrb_6_2022_evaluasi_tahunan",
    "permenpanrb_6_2022_dokumen_penilaian",
    "permenpanrb_8_2021_skp",
    "permenpanrb_8_2021_skp_jpt",
    "permenpanrb_8_2021_skp_pengembangan",
    "permenpanrb_8_2021_evaluasi",
    "permenpanrb_8_2021_evaluasi_jpt",
    "permenpanrb_8_2021_evaluasi_pengembangan",
    "permenpanrb_8_2021_evaluasi_survei",
    "permenpanrb_8_2021_dokumen_penilaian",
    "pp46_2011_skp",
    "pp46_2011_evaluasi",
    "pp46_2011_dokumen_penilaian",
    "pp46_2011_evaluasi_guru",
    "permenpanrb_6_2022_penetapan_predikat",
    "permenpanrb_8_2021_peringkat",
    "permenpanrb_6_2022_catatan_bimbingan",
    "permenpanrb_6_2022_umpan_balik_bimbingan",
    "permenpanrb_6_2022_konseling",
}


def _walk(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [value, *(v for child in value.values() for v in _walk(child))]
    if isinstance(value, list):
        return [value, *(v for child in value for v in _walk(child))]
    return [value]


def test_the_examples_cover_every_type_and_regime() -> None:
    assert set(NAMES) == EXPECTED
    readme = (Path(EXAMPLES) / "README.md").read_text(encoding="utf-8")
    for name in NAMES:
        assert f"`{name}.json`" in readme


@pytest.mark.parametrize("name", NAMES)
def test_example_loads_and_names_its_regime_and_type(name: str) -> None:
    payload = load(example(name))
    assert name.startswith(payload["regime"] + "_")
    assert name.removeprefix(payload["regime"] + "_").startswith(payload["type"])


@pytest.mark.parametrize("name", NAMES)
def test_example_loads_from_plain_json_floats_too(name: str) -> None:
    # A caller that parsed the body with the stdlib defaults (floats) gets the same Decimals.
    text = (Path(EXAMPLES) / f"{name}.json").read_text(encoding="utf-8")
    assert load(json.loads(text)) == load(json.loads(text, parse_float=Decimal))


@pytest.mark.parametrize("name", NAMES)
def test_loaded_example_holds_decimals_dates_and_no_none(name: str) -> None:
    payload = load(example(name))
    values = _walk(payload)
    assert None not in values
    assert not any(isinstance(v, float) for v in values)
    assert isinstance(payload["periode"]["mulai"], date)
    assert isinstance(payload["periode"]["selesai"], date)
    if "tanggal" in payload:
        assert isinstance(payload["tanggal"], date)
    for key in ("pegawai", "pejabat_penilai"):
        if key not in payload:  # a unit document lists its pegawai instead
            assert payload["type"] in UNIT_TYPES or key == "pejabat_penilai"
            continue
        assert set(payload[key]) <= {
            "nama",
            "nip",
            "pangkat",
            "golongan",
            "jabatan",
            "jenis_jabatan",
            "unit_kerja",
            "email",
        }


@pytest.mark.parametrize("name", NAMES)
def test_example_scores(name: str) -> None:
    payload = load(example(name))
    hasil = score_payload(payload)
    # A bimbingan or konseling record is what was said: nothing is computed.
    assert bool(hasil) is (payload["type"] not in COACHING_TYPES)


def test_numbers_become_decimal() -> None:
    payload = load(example("pp46_2011_evaluasi"))
    kegiatan = payload["skp"]["kegiatan"][2]
    assert kegiatan["target"]["biaya"] == Decimal(45000000)
    assert isinstance(kegiatan["realisasi"]["kuantitas"], Decimal)
    assert isinstance(payload["perilaku_kerja"]["kepemimpinan"], Decimal)
    guru = load(example("pp46_2011_evaluasi_guru"))
    assert [k["angka_kredit"] for k in guru["skp"]["kegiatan"]][:3] == [
        Decimal("16.5"),
        Decimal("0.04"),
        Decimal("0.08"),
    ]


def test_regime_is_filled_from_the_period_when_not_given() -> None:
    raw = example("permenpanrb_8_2021_evaluasi")
    del raw["regime"]
    assert load(raw)["regime"] == "permenpanrb_8_2021"


def test_keys_not_sent_stay_absent() -> None:
    raw = example("permenpanrb_6_2022_skp")
    raw["callback_url"] = None
    raw["pegawai"]["email"] = None
    payload = load(raw)
    assert "callback_url" not in payload
    assert "email" not in payload["pegawai"]
    assert "regime_override" not in payload
    assert "atasan_pejabat_penilai" not in payload
    assert "realisasi" not in payload["skp"]["hasil_kerja"][0]


def test_score_request_schema_takes_the_same_payload() -> None:
    from service.schemas import ScoreRequestSchema

    raw = example("permenpanrb_8_2021_dokumen_penilaian")
    assert ScoreRequestSchema().load(raw) == DocumentPayloadSchema().load(raw)
