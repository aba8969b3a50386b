"""Regime choice (rules.md §1): by periode.mulai, explicit regime, override, and the 2021 straddle."""

from __future__ import annotations

from datetime import date

import pytest

from service.scoring.regime import (
    PERMENPANRB_6_2022,
    PERMENPANRB_8_2021,
    PP46_2011,
    REGIME_LABELS,
    REGIMES,
    PeriodeError,
    PeriodeTransisiError,
    regime_fits_period,
    regime_for_date,
    regime_for_period,
)
from tests.unit.schemas.support import errors, example, load


@pytest.mark.parametrize(
    ("mulai", "selesai", "regime"),
    [
        (date(2014, 1, 1), date(2014, 12, 31), PP46_2011),
        (date(2021, 1, 1), date(2021, 6, 30), PP46_2011),
        (date(2021, 6, 30), date(2021, 6, 30), PP46_2011),
        (date(2021, 7, 1), date(2021, 12, 31), PERMENPANRB_8_2021),
        (date(2021, 12, 31), date(2021, 12, 31), PERMENPANRB_8_2021),
        (date(2022, 1, 1), date(2022, 12, 31), PERMENPANRB_6_2022),
        (date(2025, 4, 1), date(2025, 6, 30), PERMENPANRB_6_2022),
    ],
)
def test_regime_follows_the_start_of_the_period(mulai: date, selesai: date, regime: str) -> None:
    assert regime_for_period(mulai, selesai) == regime
    assert regime_for_date(mulai) == regime
    assert regime_fits_period(regime, mulai, selesai)
    assert not any(regime_fits_period(other, mulai, selesai) for other in REGIMES if other != regime)


@pytest.mark.parametrize(
    ("mulai", "selesai"),
    [
        (date(2021, 1, 1), date(2021, 12, 31)),
        (date(2021, 6, 30), date(2021, 7, 1)),
        (date(2020, 7, 1), date(2021, 7, 1)),
    ],
)
def test_a_period_straddling_1_july_2021_is_refused(mulai: date, selesai: date) -> None:
    with pytest.raises(PeriodeTransisiError, match="melintasi 1 Juli 2021") as caught:
        regime_for_period(mulai, selesai)
    assert isinstance(caught.value, ValueError)
    assert "pp46_2011" in caught.value.message
    assert "permenpanrb_8_2021" in caught.value.message
    assert not any(regime_fits_period(regime, mulai, selesai) for regime in REGIMES)


def test_end_before_start_is_refused_and_fits_no_regime() -> None:
    with pytest.raises(PeriodeError) as caught:
        regime_for_period(date(2024, 2, 1), date(2024, 1, 31))
    assert not isinstance(caught.value, PeriodeTransisiError)
    assert not regime_fits_period(PERMENPANRB_6_2022, date(2024, 2, 1), date(2024, 1, 31))


def test_unknown_regime_fits_nothing_and_every_regime_has_a_label() -> None:
    assert not regime_fits_period("permenpanrb_1_2023", date(2024, 1, 1), date(2024, 12, 31))
    assert set(REGIME_LABELS) == set(REGIMES)


# --- through the schema ---------------------------------------------------------------------------


def test_missing_regime_is_chosen_from_periode_mulai() -> None:
    for name, regime in (
        ("pp46_2011_skp", PP46_2011),
        ("permenpanrb_8_2021_skp", PERMENPANRB_8_2021),
        ("permenpanrb_6_2022_skp", PERMENPANRB_6_2022),
    ):
        payload = example(name)
        del payload["regime"]
        assert load(payload)["regime"] == regime
        payload["regime"] = None
        assert load(payload)["regime"] == regime


def test_regime_that_does_not_fit_the_period_is_refused() -> None:
    payload = example("permenpanrb_8_2021_evaluasi")
    payload["periode"] = {"mulai": "2022-01-01", "selesai": "2022-06-30", "jenis": "semester_i"}
    found = errors(payload)
    assert list(found) == ["regime"]
    assert found["regime"][0].startswith(
        "tidak sesuai dengan periode yang dimulai 2022-01-01 (regime permenpanrb_6_2022)"
    )
    assert "regime_override" in found["regime"][0]


def test_regime_override_accepts_the_named_regime() -> None:
    payload = example("permenpanrb_8_2021_evaluasi")
    payload["periode"] = {"mulai": "2022-01-01", "selesai": "2022-06-30", "jenis": "semester_i"}
    payload["regime_override"] = True
    loaded = load(payload)
    assert loaded["regime"] == PERMENPANRB_8_2021
    assert loaded["regime_override"] is True
    payload["regime_override"] = False
    assert "regime" in errors(payload)


def test_regime_override_must_be_a_real_boolean_and_needs_a_regime() -> None:
    payload = example("permenpanrb_6_2022_skp")
    payload["regime_override"] = "true"
    assert errors(payload) == {"regime_override": ["harus true atau false"]}
    del payload["regime"]
    payload["regime_override"] = True
    assert errors(payload) == {"regime_override": ["hanya bermakna bila regime diisi"]}


def test_straddling_period_is_refused_even_with_override() -> None:
    payload = example("pp46_2011_evaluasi")
    payload["periode"] = {"mulai": "2021-01-01", "selesai": "2021-12-31", "jenis": "tahunan"}
    payload["regime_override"] = True
    found = errors(payload)
    assert list(found) == ["periode"]
    assert found["periode"][0].startswith("periode melintasi 1 Juli 2021")


def test_skp_is_validated_by_the_schema_of_the_resolved_regime() -> None:
    payload = example("pp46_2011_skp")
    del payload["regime"]
    payload["periode"] = {"mulai": "2022-01-01", "selesai": "2022-12-31", "jenis": "tahunan"}
    found = errors(payload)
    # Validated as a PermenPANRB 6/2022 skp: kegiatan is not one of its fields.
    assert found["skp.kegiatan"] == ["bidang tidak dikenal"]
    assert found["skp.hasil_kerja"] == ["wajib diisi"]


def test_unknown_regime_is_named_and_skp_waits_for_it() -> None:
    payload = example("pp46_2011_skp")
    payload["regime"] = "pp_46_2011"
    assert errors(payload) == {
        "regime": ["harus salah satu dari pp46_2011, permenpanrb_8_2021, permenpanrb_6_2022"],
        "skp": ["tidak dapat diperiksa sebelum regime atau periode.mulai benar"],
    }


def test_manual_iku_needs_6_2022() -> None:
    payload = example("permenpanrb_8_2021_skp")
    payload["type"] = "manual_iku"
    assert errors(payload)["type"] == ["manual_iku hanya untuk regime permenpanrb_6_2022"]


def test_period_dates_and_kind_are_checked() -> None:
    payload = example("permenpanrb_6_2022_evaluasi")
    payload["periode"] = {"mulai": "2024-04-01", "selesai": "2024-03-31", "jenis": "triwulan_ii"}
    assert errors(payload) == {"periode.selesai": ["tidak boleh sebelum tanggal mulai"]}
    payload["periode"] = {"mulai": "2024-04-01", "selesai": "2024-07-31", "jenis": "triwulan_ii"}
    assert errors(payload) == {
        "periode.jenis": ["tanggal mulai dan selesai tidak sesuai dengan periode triwulan_ii"]
    }
    payload["periode"] = {"mulai": "2024-04-01", "selesai": "2024-05-31", "jenis": "bulanan"}
    assert errors(payload) == {
        "periode.jenis": ["tanggal mulai dan selesai tidak sesuai dengan periode bulanan"]
    }
    payload["periode"] = {"mulai": "2024-05-01", "selesai": "2024-05-31", "jenis": "bulanan"}
    assert load(payload)["periode"]["jenis"] == "bulanan"


@pytest.mark.parametrize(
    "bad", ["2024-02-30", "2024-1-01", "01-01-2024", "20240101", "2024-01-01T00:00:00", 20240101]
)
def test_dates_must_be_iso_calendar_dates(bad: object) -> None:
    payload = example("permenpanrb_6_2022_skp")
    payload["periode"]["mulai"] = bad
    payload["tanggal"] = bad
    found = errors(payload)
    assert found["periode.mulai"] == ["harus berupa tanggal ISO YYYY-MM-DD yang sah"]
    assert found["tanggal"] == ["harus berupa tanggal ISO YYYY-MM-DD yang sah"]
