"""PP 30/2019 + PermenPANRB 6/2022: Pengelolaan Kinerja (rules.md §4, seeds 000 and 004).

No numeric score: the pejabat penilai rates hasil kerja and perilaku kerja, and the kuadran gives the
predikat. This module also suggests a rating hasil kerja from the per-RHK ratings and converts the
predikat into angka kredit for jabatan fungsional (PermenPANRB 1/2023, PerBKN 3/2023).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from service.scoring import policy
from service.scoring.common import HUNDRED, ScoringError, angka, label, round2, with_label
from service.scoring.vocabulary import (
    CAPAIAN_ORGANISASI,
    JENIS_HASIL_KERJA,
    PERSPEKTIF,
    PERSPEKTIF_LABEL,
    PREDIKAT_PERMENPANRB_6_2022,
    RATING_PERMENPANRB_6_2022,
)

__all__ = [
    "CAPAIAN_ORGANISASI",
    "KOEFISIEN_TAHUNAN",
    "KUADRAN",
    "PERSENTASE_ANGKA_KREDIT",
    "PERSPEKTIF",
    "PREDIKAT",
    "RATING",
    "AngkaKredit",
    "EvaluasiKinerja",
    "HasilEvaluasi",
    "RatingHasilKerja",
    "angka_kredit",
    "evaluasi_dari_payload",
    "evaluasi_kinerja",
    "hasil",
    "hasil_rencana",
    "kuadran",
    "predikat",
    "saran_rating_hasil_kerja",
]

# The ids are the vocabulary's; CAPAIAN_ORGANISASI and PERSPEKTIF are re-exported under their own names.

#: Rating ids, best to worst.
RATING = RATING_PERMENPANRB_6_2022
DI_ATAS, SESUAI, DI_BAWAH = RATING

#: Predikat ids, best to worst.
PREDIKAT = PREDIKAT_PERMENPANRB_6_2022

#: Kuadran kinerja: (rating hasil kerja = y axis, rating perilaku kerja = x axis) → predikat.
KUADRAN: Mapping[tuple[str, str], str] = {
    (DI_ATAS, DI_BAWAH): "kurang_misconduct",
    (DI_ATAS, SESUAI): "baik",
    (DI_ATAS, DI_ATAS): "sangat_baik",
    (SESUAI, DI_BAWAH): "kurang_misconduct",
    (SESUAI, SESUAI): "baik",
    (SESUAI, DI_ATAS): "baik",
    (DI_BAWAH, DI_BAWAH): "sangat_kurang",
    (DI_BAWAH, SESUAI): "butuh_perbaikan",
    (DI_BAWAH, DI_ATAS): "butuh_perbaikan",
}

#: Share of the koefisien tahunan earned per predikat, in percent.
PERSENTASE_ANGKA_KREDIT: Mapping[str, Decimal] = {
    "sangat_baik": Decimal(150),
    "baik": Decimal(100),
    "butuh_perbaikan": Decimal(75),
    "kurang_misconduct": Decimal(50),
    "sangat_kurang": Decimal(25),
}

#: Koefisien angka kredit tahunan per jenjang jabatan fungsional.
KOEFISIEN_TAHUNAN: Mapping[str, Decimal] = {
    "pemula": Decimal("3.75"),
    "terampil": Decimal(5),
    "mahir": Decimal("12.5"),
    "penyelia": Decimal(25),
    "ahli_pertama": Decimal("12.5"),
    "ahli_muda": Decimal(25),
    "ahli_madya": Decimal("37.5"),
    "ahli_utama": Decimal(50),
}

_BULAN_SETAHUN = Decimal(12)


@dataclass(frozen=True)
class RatingHasilKerja:
    """The pejabat's rating of one rencana hasil kerja (RHK)."""

    jenis: Literal["utama", "tambahan"]
    """Priority of the RHK: utama (high) or tambahan (low)."""

    rating: str
    """One of :data:`RATING`."""


@dataclass(frozen=True)
class AngkaKredit:
    """Angka kredit earned in a period and the figures it came from."""

    koefisien: Decimal
    """Koefisien tahunan of the jenjang."""

    persentase: Decimal
    """Percent of the koefisien earned for the predikat (150, 100, 75, 50, 25)."""

    bulan: Decimal
    """Months of the period, 0 < bulan ≤ 12."""

    nilai: Decimal
    """(bulan / 12) × persentase × koefisien."""


@dataclass(frozen=True)
class EvaluasiKinerja:
    """One evaluasi kinerja (periodic or annual); the input of :func:`evaluasi_kinerja`."""

    rating_hasil_kerja: str
    """The pejabat's rating hasil kerja; it wins over the suggestion."""

    rating_perilaku_kerja: str
    """The pejabat's rating perilaku kerja."""

    hasil_kerja: Sequence[RatingHasilKerja] = ()
    """Per-RHK ratings; empty when none were given (then no suggestion)."""

    jenjang: str | None = None
    """Jenjang jabatan fungsional (``ahli_pertama`` …) when angka kredit is wanted."""

    bulan: Decimal | None = None
    """Months the angka kredit covers; given together with ``jenjang``."""


@dataclass(frozen=True)
class HasilEvaluasi:
    """Predikat and the values derived from it."""

    predikat: str
    """Predikat id from the kuadran."""

    saran_rating_hasil_kerja: str | None
    """Suggested rating hasil kerja, ``None`` without per-RHK ratings."""

    angka_kredit: AngkaKredit | None
    """Angka kredit, ``None`` when no jenjang was given."""


def _periksa_rating(rating: str, field: str) -> str:
    if rating not in RATING:
        raise ScoringError(field, "harus salah satu dari " + ", ".join(RATING))
    return rating


def kuadran(rating_hasil_kerja: str, rating_perilaku_kerja: str) -> str:
    """The predikat in the kuadran cell of the two ratings (rows hasil kerja, columns perilaku).

    :raises ScoringError: for a rating id that is not one of :data:`RATING`.
    """
    _periksa_rating(rating_hasil_kerja, "evaluasi.rating_hasil_kerja")
    _periksa_rating(rating_perilaku_kerja, "evaluasi.rating_perilaku_kerja")
    return KUADRAN[rating_hasil_kerja, rating_perilaku_kerja]


predikat = kuadran
"""The predikat is read from the kuadran; the regulation's word for the result, same function."""


def _sebagian_besar(jumlah: int, total: int) -> bool:
    """Whether ``jumlah`` is "most" of ``total``: more than half (rules.md §4)."""
    return 2 * jumlah > total


def saran_rating_hasil_kerja(hasil_kerja: Sequence[RatingHasilKerja]) -> str | None:
    """Suggested rating hasil kerja from per-RHK ratings (seed 000 guidance).

    di atas if most (more than half) or all are above and no utama is below; di bawah if most or all
    are below; otherwise sesuai. ``None`` for no ratings. The pejabat's own rating wins.
    """
    if not hasil_kerja:
        return None
    total = len(hasil_kerja)
    di_atas = sum(1 for h in hasil_kerja if h.rating == DI_ATAS)
    di_bawah = sum(1 for h in hasil_kerja if h.rating == DI_BAWAH)
    utama_di_bawah = any(h.jenis == "utama" and h.rating == DI_BAWAH for h in hasil_kerja)
    if _sebagian_besar(di_atas, total) and not utama_di_bawah:
        return DI_ATAS
    if _sebagian_besar(di_bawah, total):
        return DI_BAWAH
    return SESUAI


def angka_kredit(jenjang: str, predikat: str, bulan: Decimal) -> AngkaKredit:
    """AK = (bulan / 12) × persentase(predikat) × koefisien tahunan(jenjang).

    :raises ScoringError: unknown jenjang or predikat, or bulan outside 0 < bulan ≤ 12.
    """
    if jenjang not in KOEFISIEN_TAHUNAN:
        raise ScoringError("angka_kredit.jenjang", "harus salah satu dari " + ", ".join(KOEFISIEN_TAHUNAN))
    if predikat not in PERSENTASE_ANGKA_KREDIT:
        raise ScoringError("predikat", "harus salah satu dari " + ", ".join(PREDIKAT))
    if not 0 < bulan <= _BULAN_SETAHUN:
        raise ScoringError("angka_kredit.bulan", "harus lebih dari 0 dan paling banyak 12")
    koefisien = KOEFISIEN_TAHUNAN[jenjang]
    persentase = PERSENTASE_ANGKA_KREDIT[predikat]
    nilai = bulan / _BULAN_SETAHUN * (persentase / HUNDRED) * koefisien
    return AngkaKredit(koefisien=koefisien, persentase=persentase, bulan=bulan, nilai=nilai)


def evaluasi_kinerja(evaluasi: EvaluasiKinerja) -> HasilEvaluasi:
    """Predikat, suggested rating hasil kerja and angka kredit of one evaluasi kinerja."""
    for index, item in enumerate(evaluasi.hasil_kerja):
        _periksa_rating(item.rating, f"skp.hasil_kerja.{index}.rating")
    hasil_predikat = kuadran(evaluasi.rating_hasil_kerja, evaluasi.rating_perilaku_kerja)
    ak = None
    if evaluasi.jenjang is not None:
        bulan = evaluasi.bulan if evaluasi.bulan is not None else _BULAN_SETAHUN
        ak = angka_kredit(evaluasi.jenjang, hasil_predikat, bulan)
    return HasilEvaluasi(
        predikat=hasil_predikat,
        saran_rating_hasil_kerja=saran_rating_hasil_kerja(evaluasi.hasil_kerja),
        angka_kredit=ak,
    )


# --- payload adapter -------------------------------------------------------------------------------


def _hasil_kerja(payload: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list((payload.get("skp") or {}).get("hasil_kerja") or [])


def _ratings(payload: Mapping[str, Any]) -> tuple[RatingHasilKerja, ...]:
    items = _hasil_kerja(payload)
    rated = [i for i, item in enumerate(items) if item.get("rating") is not None]
    if rated and len(rated) != len(items) and policy.SARAN_RATING_PERLU_SEMUA_RHK:
        missing = next(i for i, item in enumerate(items) if item.get("rating") is None)
        raise ScoringError(
            f"skp.hasil_kerja.{missing}.rating", "wajib diisi bila rating diisi pada hasil kerja lain"
        )
    return tuple(
        RatingHasilKerja(
            jenis="utama" if items[i].get("jenis") == "utama" else "tambahan", rating=str(items[i]["rating"])
        )
        for i in rated
    )


def evaluasi_dari_payload(payload: Mapping[str, Any]) -> EvaluasiKinerja:
    """Read the validated payload (docs/architecture.md) into the input dataclass."""
    evaluasi = payload.get("evaluasi") or {}
    for key in ("rating_hasil_kerja", "rating_perilaku_kerja"):
        if evaluasi.get(key) is None:
            raise ScoringError(f"evaluasi.{key}", "wajib diisi untuk evaluasi kinerja")
    ak = payload.get("angka_kredit")
    jenjang, bulan = None, None
    if isinstance(ak, Mapping):
        if ak.get("jenjang") is None:
            raise ScoringError("angka_kredit.jenjang", "wajib diisi")
        jenjang = str(ak["jenjang"])
        bulan = angka(ak, "bulan", "angka_kredit") if ak.get("bulan") is not None else None
    return EvaluasiKinerja(
        rating_hasil_kerja=str(evaluasi["rating_hasil_kerja"]),
        rating_perilaku_kerja=str(evaluasi["rating_perilaku_kerja"]),
        hasil_kerja=_ratings(payload),
        jenjang=jenjang,
        bulan=bulan,
    )


def hasil(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The full ``hasil`` of an evaluasi or dokumen penilaian (api.md)."""
    evaluasi = evaluasi_dari_payload(payload)
    result = evaluasi_kinerja(evaluasi)
    out: dict[str, Any] = {
        **with_label("rating_hasil_kerja", evaluasi.rating_hasil_kerja),
        **with_label("rating_perilaku_kerja", evaluasi.rating_perilaku_kerja),
        **with_label("predikat", result.predikat),
    }
    capaian = (payload.get("evaluasi") or {}).get("capaian_organisasi")
    if capaian is not None:
        if capaian not in CAPAIAN_ORGANISASI:
            raise ScoringError(
                "evaluasi.capaian_organisasi", "harus salah satu dari " + ", ".join(CAPAIAN_ORGANISASI)
            )
        out.update(with_label("capaian_organisasi", capaian))
    if result.saran_rating_hasil_kerja is not None:
        out.update(with_label("saran_rating_hasil_kerja", result.saran_rating_hasil_kerja))
        out["rekap_rating_hasil_kerja"] = {
            rating: sum(1 for h in evaluasi.hasil_kerja if h.rating == rating) for rating in RATING
        }
    if result.angka_kredit is not None:
        ak = result.angka_kredit
        out["angka_kredit"] = {
            "jenjang": evaluasi.jenjang,
            "jenjang_label": label(evaluasi.jenjang or ""),
            "koefisien": round2(ak.koefisien),
            "persentase": round2(ak.persentase),
            "bulan": round2(ak.bulan),
            "nilai": round2(ak.nilai),
        }
    return out


def _peringatan(aturan: str, pesan: str) -> dict[str, str]:
    return {"aturan": aturan, "pesan": pesan}


def hasil_rencana(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Plan checks of an SKP or manual IKU, returned as counts and warnings (never a block).

    ``jumlah_hasil_kerja`` per jenis; ``perspektif`` (RHK per perspektif) for JPT or when any RHK names
    one; ``jumlah_manual_iku``; ``jumlah_ekspektasi_khusus`` (BerAKHLAK values with an ekspektasi
    khusus pimpinan); ``peringatan``: no hasil kerja utama, a JPT perspektif with no RHK, an RHK without
    manual IKU in a ``manual_iku`` document.

    :raises ScoringError: a manual IKU without formula under pendekatan kuantitatif (rules.md §4).
    """
    items = _hasil_kerja(payload)
    skp = payload.get("skp") or {}
    kuantitatif = skp.get("pendekatan", "kuantitatif") == "kuantitatif"
    for index, item in enumerate(items):
        manual = item.get("manual_iku")
        if isinstance(manual, Mapping) and kuantitatif and not manual.get("formula"):
            raise ScoringError(
                f"skp.hasil_kerja.{index}.manual_iku.formula", "wajib diisi bila pendekatan kuantitatif"
            )
    jumlah = {jenis: sum(1 for i in items if i.get("jenis") == jenis) for jenis in JENIS_HASIL_KERJA}
    peringatan = []
    if not jumlah["utama"]:
        peringatan.append(_peringatan("rencana.hasil_kerja_utama", "SKP belum memuat hasil kerja utama."))
    out: dict[str, Any] = {"jumlah_hasil_kerja": jumlah}
    jpt = (payload.get("pegawai") or {}).get("jenis_jabatan") == "jpt"
    if jpt or any(i.get("perspektif") for i in items):
        perspektif = {p: sum(1 for i in items if i.get("perspektif") == p) for p in PERSPEKTIF}
        out["perspektif"] = perspektif
        kosong = [PERSPEKTIF_LABEL[p] for p, n in perspektif.items() if not n]
        if jpt and kosong:
            peringatan.append(
                _peringatan(
                    "rencana.perspektif_jpt",
                    "Perspektif tanpa rencana hasil kerja: " + ", ".join(kosong) + ".",
                )
            )
    out["jumlah_manual_iku"] = sum(1 for i in items if isinstance(i.get("manual_iku"), Mapping))
    if payload.get("type") == "manual_iku" and out["jumlah_manual_iku"] < len(items):
        peringatan.append(
            _peringatan(
                "rencana.manual_iku_lengkap",
                f"{len(items) - out['jumlah_manual_iku']} dari {len(items)} rencana hasil kerja belum "
                "memiliki manual IKU.",
            )
        )
    perilaku = payload.get("perilaku_kerja") or {}
    out["jumlah_ekspektasi_khusus"] = sum(
        1 for v in perilaku.values() if isinstance(v, Mapping) and v.get("ekspektasi_khusus")
    )
    out["peringatan"] = peringatan
    return out
