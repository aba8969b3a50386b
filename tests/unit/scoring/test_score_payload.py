"""score_payload: dispatch by regime and type, plan vs full hasil, rounding and labels (api.md)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal, getcontext, localcontext
from typing import Any

import pytest

from service.scoring import score_payload
from service.scoring.common import ScoringError

from . import payloads

D = Decimal


def _walk(value: Any) -> Iterator[tuple[str, Any, dict[str, Any] | None]]:
    """Every (key, value, parent) pair below ``value``."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield key, child, value
            yield from _walk(child)
    elif isinstance(value, list):
        for child in value:
            yield from _walk(child)


@pytest.mark.parametrize(
    "payload",
    [payloads.pp46(), payloads.permenpanrb_8_2021(), payloads.permenpanrb_6_2022()],
    ids=["pp46_2011", "permenpanrb_8_2021", "permenpanrb_6_2022"],
)
def test_every_decimal_is_shown_with_2_decimals_and_every_id_has_a_label(payload: dict[str, Any]) -> None:
    hasil = score_payload(payload)
    ids = 0
    for key, value, parent in _walk(hasil):
        assert not isinstance(value, float)
        if isinstance(value, Decimal):
            assert value.as_tuple().exponent == -2, (key, value)
        if key in {"sebutan", "predikat", "kategori", "rating_hasil_kerja", "saran_rating_hasil_kerja"}:
            ids += 1
            assert parent is not None
            assert parent[f"{key}_label"]
            assert value == value.lower()
            assert " " not in value
    assert ids


def test_final_ids_per_regime() -> None:
    assert score_payload(payloads.pp46())["sebutan"] == "baik"
    assert score_payload(payloads.permenpanrb_8_2021())["predikat"] == "baik"
    assert score_payload(payloads.permenpanrb_6_2022())["predikat"] == "baik"


def test_dokumen_penilaian_gets_the_full_hasil() -> None:
    assert score_payload(payloads.pp46("dokumen_penilaian"))["nilai_prestasi_kerja"] == D("84.70")


@pytest.mark.parametrize("type_", ["skp", "manual_iku"])
def test_plans_get_plan_checks_only(type_: str) -> None:
    pp46 = payloads.pp46(type_)
    for item in pp46["skp"]["kegiatan"]:
        del item["realisasi"]
    del pp46["perilaku_kerja"]
    assert "nilai_skp" not in score_payload(pp46)
    assert score_payload(pp46)["jumlah_kegiatan"] == 2

    pk8 = payloads.permenpanrb_8_2021(type_)
    for item in pk8["skp"]["kinerja_utama"]:
        del item["realisasi"]
    assert score_payload(pk8)["jumlah_kinerja_utama"] == 3

    pk6 = payloads.permenpanrb_6_2022(type_)
    del pk6["evaluasi"]
    hasil = score_payload(pk6)
    assert "predikat" not in hasil
    assert hasil["jumlah_hasil_kerja"] == {"utama": 2, "tambahan": 1}


def test_evaluasi_without_realisasi_is_refused() -> None:
    payload = payloads.pp46()
    del payload["skp"]["kegiatan"][0]["realisasi"]
    with pytest.raises(ScoringError) as info:
        score_payload(payload)
    assert info.value.field == "skp.kegiatan.0.realisasi"
    payload = payloads.permenpanrb_8_2021()
    del payload["skp"]["kinerja_utama"][1]["realisasi"]
    with pytest.raises(ScoringError) as info:
        score_payload(payload)
    assert info.value.field == "skp.kinerja_utama.1.realisasi"


def test_unknown_regime_or_type() -> None:
    payload = payloads.pp46()
    payload["type"] = "laporan"
    with pytest.raises(ScoringError) as info:
        score_payload(payload)
    assert info.value.field == "type"
    payload = payloads.pp46()
    payload["regime"] = "pp53_2010"
    with pytest.raises(ScoringError) as info:
        score_payload(payload)
    assert info.value.field == "regime"


def test_caller_decimal_context_does_not_change_the_result() -> None:
    # A thread whose context has 6 digits would shorten 266/3 to 88.6667; scoring uses its own context.
    expected = score_payload(payloads.pp46())
    with localcontext() as ctx:
        ctx.prec = 6
        assert score_payload(payloads.pp46()) == expected
    assert getcontext().prec == 28


def test_payload_is_not_modified() -> None:
    payload = payloads.permenpanrb_8_2021()
    before = repr(payload)
    score_payload(payload)
    assert repr(payload) == before
