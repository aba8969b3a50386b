"""UnitCheckSchema: body of POST /api/v1/units/check."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from service.schemas import UnitCheckSchema
from service.scoring import check_unit
from tests.unit.schemas.support import errors, load

NIPS = ["198503152010011001", "198703202011012002", "199001012015031003", "199206152023212004"]


def _body(regime: str, predikat: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "regime": regime,
        "pegawai": [{"nip": n, "predikat": p} for n, p in zip(NIPS, predikat, strict=False)],
        **extra,
    }


def test_a_good_body_loads_and_checks() -> None:
    body = _body(
        "permenpanrb_6_2022", ["sangat_baik", "baik", "baik", "butuh_perbaikan"], capaian_organisasi="baik"
    )
    loaded = load(body, UnitCheckSchema())
    result = check_unit(loaded["regime"], loaded["pegawai"], loaded.get("capaian_organisasi"))
    assert result["distribusi"]["baik"]["jumlah"] == 2


def test_nilai_is_decimal_for_numeric_regimes() -> None:
    body = _body("permenpanrb_8_2021", ["baik", "cukup"])
    body["pegawai"][0]["nilai"] = "103.38"
    body["pegawai"][1]["nilai"] = 85.1
    loaded = load(body, UnitCheckSchema())
    assert [p.get("nilai") for p in loaded["pegawai"]] == [Decimal("103.38"), Decimal("85.1")]
    assert "capaian_organisasi" not in loaded


@pytest.mark.parametrize(
    ("regime", "predikat"),
    [
        ("pp46_2011", "sangat_kurang"),
        ("permenpanrb_8_2021", "butuh_perbaikan"),
        ("permenpanrb_6_2022", "cukup"),
    ],
)
def test_predikat_must_belong_to_the_regime(regime: str, predikat: str) -> None:
    found = errors(_body(regime, ["baik", predikat]), UnitCheckSchema())
    assert list(found) == ["pegawai.1.predikat"]
    assert found["pegawai.1.predikat"][0].startswith("harus salah satu dari ")


def test_unit_rules_all_at_once() -> None:
    body = _body("pp46_2011", ["baik", "baik", "cukup"], capaian_organisasi="baik")
    body["pegawai"][2]["nip"] = body["pegawai"][0]["nip"]
    body["pegawai"][1]["nip"] = "1234"
    assert errors(body, UnitCheckSchema()) == {
        "capaian_organisasi": ["hanya untuk regime permenpanrb_6_2022"],
        "pegawai.1.nip": ["NIP harus terdiri atas 18 angka"],
        "pegawai.2.nip": ["NIP ganda dalam satu unit"],
    }


def test_6_2022_takes_no_nilai_and_needs_pegawai() -> None:
    body = _body("permenpanrb_6_2022", ["baik"])
    body["pegawai"][0]["nilai"] = 100
    assert errors(body, UnitCheckSchema()) == {
        "pegawai.0.nilai": ["tidak digunakan pada regime permenpanrb_6_2022"]
    }
    assert errors({"regime": "permenpanrb_6_2022", "pegawai": []}, UnitCheckSchema()) == {
        "pegawai": ["minimal satu baris"]
    }
    assert errors({}, UnitCheckSchema()) == {"regime": ["wajib diisi"], "pegawai": ["wajib diisi"]}
