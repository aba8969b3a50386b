"""Properties that hold for every input, checked with Hypothesis (rules.md §0, §2, §3, §4)."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from service.scoring import check_unit, permenpanrb_6_2022, permenpanrb_8_2021, pp46_2011, score_payload
from service.scoring.common import ScoringError, round2
from service.scoring.pp46_2011 import Aspek, Kegiatan

from . import payloads

D = Decimal
RATING = permenpanrb_6_2022.RATING
SETTINGS = settings(max_examples=200, deadline=None)

ALLOWED = {
    "pp46_2011": set(pp46_2011.SEBUTAN),
    "permenpanrb_8_2021": set(permenpanrb_8_2021.PREDIKAT),
    "permenpanrb_6_2022": set(permenpanrb_6_2022.PREDIKAT),
}


def decimals(low: str, high: str, places: int = 2) -> st.SearchStrategy[Decimal]:
    return st.decimals(
        min_value=D(low), max_value=D(high), places=places, allow_nan=False, allow_infinity=False
    )


positive = decimals("0.01", "100000")
non_negative = decimals("0", "100000")


# --- pp46_2011 ---------------------------------------------------------------------------------------


@SETTINGS
@given(target=positive, r1=non_negative, r2=non_negative, kualitas=non_negative, waktu=non_negative)
def test_more_realisasi_kuantitas_never_lowers_the_kuantitas_value(
    target: Decimal, r1: Decimal, r2: Decimal, kualitas: Decimal, waktu: Decimal
) -> None:
    low, high = sorted((r1, r2))

    def kuantitas(realisasi: Decimal) -> Decimal:
        kegiatan = Kegiatan(Aspek(target, D(100), D(12)), Aspek(realisasi, kualitas, waktu))
        return pp46_2011.nilai_capaian(kegiatan).kuantitas

    assert kuantitas(low) <= kuantitas(high)


@SETTINGS
@given(target=positive, realisasi=non_negative)
def test_waktu_value_peaks_at_efficiency_24(target: Decimal, realisasi: Decimal) -> None:
    nilai = pp46_2011.nilai_efisiensi(target, realisasi)
    peak = pp46_2011.nilai_efisiensi(target, target * D("0.76"))  # E = 24
    assert peak == 100
    assert nilai <= peak
    assert (nilai == peak) == (realisasi * 100 == target * 76)


@SETTINGS
@given(target=positive, r1=non_negative, r2=non_negative)
def test_waktu_value_rises_to_the_peak_and_falls_after_it(target: Decimal, r1: Decimal, r2: Decimal) -> None:
    low, high = sorted((r1, r2))
    peak_at = target * D("0.76")
    v_low, v_high = pp46_2011.nilai_efisiensi(target, low), pp46_2011.nilai_efisiensi(target, high)
    if high <= peak_at:
        assert v_low <= v_high
    if low >= peak_at:
        assert v_low >= v_high


@SETTINGS
@given(a=decimals("-1000", "1000", 4), b=decimals("-1000", "1000", 4))
def test_sebutan_is_an_allowed_id_and_monotone(a: Decimal, b: Decimal) -> None:
    low, high = sorted((a, b))
    order = pp46_2011.SEBUTAN
    assert pp46_2011.sebutan(low) in order
    assert order.index(pp46_2011.sebutan(low)) >= order.index(pp46_2011.sebutan(high))


# --- permenpanrb_8_2021 --------------------------------------------------------------------------------


@SETTINGS
@given(a=decimals("-1000", "1000", 4), b=decimals("-1000", "1000", 4), ide_baru=st.booleans())
def test_predikat_8_2021_is_an_allowed_id_and_monotone(a: Decimal, b: Decimal, ide_baru: bool) -> None:
    low, high = sorted((a, b))
    order = permenpanrb_8_2021.PREDIKAT
    p_low = permenpanrb_8_2021.predikat(low, ide_baru=ide_baru)
    p_high = permenpanrb_8_2021.predikat(high, ide_baru=ide_baru)
    assert p_low in order
    assert order.index(p_low) >= order.index(p_high)


@SETTINGS
@given(a=st.integers(-100, 300), b=st.integers(-100, 300), maksimal=st.booleans())
def test_nilai_capaian_iki_is_monotone_and_within_0_120(a: int, b: int, maksimal: bool) -> None:
    low, high = sorted((a, b))
    k_low, n_low = permenpanrb_8_2021.nilai_capaian_iki(D(low), maksimal=maksimal)
    k_high, n_high = permenpanrb_8_2021.nilai_capaian_iki(D(high), maksimal=maksimal)
    assert {k_low, k_high} <= set(permenpanrb_8_2021.KATEGORI)
    assert 0 <= n_low <= n_high <= 120


# --- permenpanrb_6_2022 --------------------------------------------------------------------------------


@given(
    hasil=st.sampled_from(permenpanrb_6_2022.RATING),
    perilaku=st.sampled_from(permenpanrb_6_2022.RATING),
    items=st.lists(st.tuples(st.sampled_from(["utama", "tambahan"]), st.sampled_from(RATING))),
)
def test_6_2022_ids_are_allowed(hasil: str, perilaku: str, items: list[tuple[str, str]]) -> None:
    assert permenpanrb_6_2022.kuadran(hasil, perilaku) in permenpanrb_6_2022.PREDIKAT
    ratings = [permenpanrb_6_2022.RatingHasilKerja(jenis=j, rating=r) for j, r in items]  # type: ignore[arg-type]
    saran = permenpanrb_6_2022.saran_rating_hasil_kerja(ratings)
    assert (saran is None) == (not items)
    assert saran is None or saran in permenpanrb_6_2022.RATING


# --- rounding ------------------------------------------------------------------------------------------


@SETTINGS
@given(value=decimals("0", "1000000", 6))
def test_round2_is_half_up(value: Decimal) -> None:
    # reference: floor(x × 100 + 1/2) / 100 with exact fractions
    expected = Fraction(math.floor(Fraction(value) * 100 + Fraction(1, 2)), 100)
    shown = round2(value)
    assert Fraction(shown) == expected
    assert shown.as_tuple().exponent == -2


@given(cents=st.integers(0, 10**9))
def test_exact_ties_round_up(cents: int) -> None:
    # x.xx5 → x.xx + 0.01
    assert round2(D(cents * 10 + 5) / 1000) == D(cents + 1) / 100


# --- score_payload never raises anything but ScoringError ----------------------------------------------

jenis_jabatan = st.sampled_from(["jpt", "administrator", "pengawas", "pelaksana", "fungsional"])
ratings = st.sampled_from(permenpanrb_6_2022.RATING)
small = decimals("0", "200")


@st.composite
def pp46_payload(draw: st.DrawFn) -> dict[str, Any]:
    payload = payloads.pp46(type_=draw(st.sampled_from(["evaluasi", "dokumen_penilaian", "skp"])))
    payload["pegawai"]["jenis_jabatan"] = draw(jenis_jabatan)
    kegiatan = []
    for _ in range(draw(st.integers(1, 4))):
        biaya = draw(st.none() | positive)
        target = {
            "kuantitas": draw(positive),
            "kualitas": draw(positive),
            "waktu": draw(positive),
            "satuan_waktu": "bulan",
            "output": "laporan",
        }
        realisasi = {
            "kuantitas": draw(non_negative),
            "kualitas": draw(non_negative),
            "waktu": draw(non_negative),
        }
        if biaya is not None:
            target["biaya"] = biaya
            realisasi["biaya"] = draw(non_negative)
        kegiatan.append({"uraian": "k", "target": target, "realisasi": realisasi})
    payload["skp"]["kegiatan"] = kegiatan
    payload["skp"]["tugas_tambahan"] = ["t"] * draw(st.integers(0, 9))
    payload["skp"]["kreativitas"] = [
        {"uraian": "k", "tingkat": t}
        for t in draw(st.lists(st.sampled_from(["unit_kerja", "instansi", "nasional"]), max_size=3))
    ]
    for name in list(payload["perilaku_kerja"]):
        payload["perilaku_kerja"][name] = draw(decimals("0", "100"))
    if draw(st.booleans()):
        payload["perilaku_kerja"]["kepemimpinan"] = draw(decimals("0", "100"))
    return payload


@st.composite
def payload_8_2021(draw: st.DrawFn) -> dict[str, Any]:
    type_ = draw(st.sampled_from(["evaluasi", "dokumen_penilaian", "skp"]))
    payload = payloads.permenpanrb_8_2021(type_=type_)
    payload["pegawai"]["jenis_jabatan"] = draw(jenis_jabatan)
    with_bobot = draw(st.sampled_from(["none", "all", "some"]))
    utama = []
    for index in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            low = draw(non_negative)
            target: Any = {"min": low, "max": low + draw(positive)}
        else:
            target = draw(positive)
        item: dict[str, Any] = {
            "rencana_kinerja": "r",
            "iki": "i",
            "target": target,
            "realisasi": draw(small),
            "kondisi_khusus": draw(st.booleans()),
            "maksimal": draw(st.booleans()),
        }
        if with_bobot == "all" or (with_bobot == "some" and index == 0):
            item["bobot"] = draw(positive)
        utama.append(item)
    payload["skp"]["kinerja_utama"] = utama
    payload["skp"]["kinerja_tambahan"] = [
        {"uraian": "t", "kategori": k}
        for k in draw(st.lists(st.sampled_from(permenpanrb_8_2021.KATEGORI), max_size=4))
    ]
    leads = draw(st.booleans())

    def rater() -> dict[str, Decimal]:
        values = {a: draw(decimals("0", "120")) for a in permenpanrb_8_2021.ASPEK_PERILAKU[:-1]}
        if leads:
            values["kepemimpinan"] = draw(decimals("0", "120"))
        return values

    mode = draw(st.sampled_from(["atasan", "survei"]))
    payload["perilaku_kerja"] = {
        "mode": mode,
        "atasan": rater(),
        "rekan": [rater() for _ in range(draw(st.integers(0, 2)))],
        "bawahan": [rater() for _ in range(draw(st.integers(0, 2)))],
    }
    if draw(st.booleans()):
        payload["ide_baru"] = draw(st.text(max_size=10))
    return payload


@st.composite
def payload_6_2022(draw: st.DrawFn) -> dict[str, Any]:
    payload = payloads.permenpanrb_6_2022(
        type_=draw(st.sampled_from(["evaluasi", "dokumen_penilaian", "skp", "manual_iku"]))
    )
    payload["pegawai"]["jenis_jabatan"] = draw(jenis_jabatan)
    rated = draw(st.booleans())
    items = []
    for _ in range(draw(st.integers(0, 5))):
        item: dict[str, Any] = {
            "jenis": draw(st.sampled_from(["utama", "tambahan"])),
            "rencana_hasil_kerja": "r",
            "iki": "i",
            "target": "t",
        }
        if rated:
            item["rating"] = draw(ratings)
        if draw(st.booleans()):
            item["perspektif"] = draw(st.sampled_from(permenpanrb_6_2022.PERSPEKTIF))
        items.append(item)
    payload["skp"]["hasil_kerja"] = items
    payload["evaluasi"]["rating_hasil_kerja"] = draw(ratings)
    payload["evaluasi"]["rating_perilaku_kerja"] = draw(ratings)
    payload["evaluasi"]["capaian_organisasi"] = draw(st.sampled_from(permenpanrb_6_2022.CAPAIAN_ORGANISASI))
    if draw(st.booleans()):
        payload["angka_kredit"] = {
            "jenjang": draw(st.sampled_from(list(permenpanrb_6_2022.KOEFISIEN_TAHUNAN))),
            "bulan": D(draw(st.integers(1, 12))),
        }
    else:
        del payload["angka_kredit"]
    return payload


def _assert_shown(value: Any) -> None:
    if isinstance(value, dict):
        for child in value.values():
            _assert_shown(child)
    elif isinstance(value, list):
        for child in value:
            _assert_shown(child)
    elif isinstance(value, Decimal):
        assert value.as_tuple().exponent == -2


@settings(max_examples=300, deadline=None)
@given(payload=pp46_payload() | payload_8_2021() | payload_6_2022())
def test_score_payload_raises_only_scoring_error(payload: dict[str, Any]) -> None:
    try:
        hasil = score_payload(payload)
    except ScoringError as error:
        # a refusal is allowed (e.g. a survei with no bawahan); it must name a field and say why
        refused: ScoringError | None = error
    else:
        refused = None
    if refused is not None:
        assert refused.field
        assert refused.message
        return
    _assert_shown(hasil)
    if payload["type"] in ("evaluasi", "dokumen_penilaian"):
        final = hasil.get("predikat", hasil.get("sebutan"))
        assert final in ALLOWED[payload["regime"]]


@SETTINGS
@given(
    regime=st.sampled_from(sorted(ALLOWED)),
    data=st.data(),
)
def test_check_unit_counts_and_ranks_consistently(regime: str, data: st.DataObject) -> None:
    predikat = data.draw(st.lists(st.sampled_from(sorted(ALLOWED[regime])), min_size=1, max_size=30))
    pegawai = [
        {"nip": f"{i:018d}", "predikat": p, "nilai": data.draw(st.none() | decimals("0", "120"))}
        for i, p in enumerate(predikat)
    ]
    capaian = data.draw(st.sampled_from(permenpanrb_6_2022.CAPAIAN_ORGANISASI))
    result = check_unit(regime, pegawai, capaian)
    assert sum(d["jumlah"] for d in result["distribusi"].values()) == len(pegawai)
    assert abs(sum(d["persen"] for d in result["distribusi"].values()) - 100) <= D("0.05")
    ranks = [r["peringkat"] for r in result["peringkat"]]
    assert ranks[0] == 1
    assert ranks == sorted(ranks)
    assert all(1 <= r <= i + 1 for i, r in enumerate(ranks))
    assert sorted(r["nip"] for r in result["peringkat"]) == sorted(str(p["nip"]) for p in pegawai)
