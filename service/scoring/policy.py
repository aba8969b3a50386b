"""Every choice the regulations leave open, in one place so an agency can change it (rules.md, "policy").

Each constant or function cites the rule it settles. Regime modules import from here and never restate
a number that is decided here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from service.scoring.common import ScoringError, round_whole

__all__ = [
    "BOBOT_SURVEI",
    "CAPAIAN_MINIMUM_TABEL",
    "DISTRIBUSI_8_2021",
    "KINERJA_TAMBAHAN_NILAI",
    "KREATIVITAS_NILAI",
    "POLA_DISTRIBUSI_6_2022",
    "SARAN_RATING_PERLU_SEMUA_RHK",
    "SURVEI_KELOMPOK_KOSONG_DITOLAK",
    "AturanDistribusi",
    "bobot_iki",
    "capaian_untuk_tabel",
    "ide_baru_tercatat",
    "nilai_kinerja_tambahan",
    "nilai_kreativitas",
    "peringkat_bersama",
    "rata_rata_berbobot",
]

# --- pp46_2011 ------------------------------------------------------------------------------------

#: Points per kreativitas item by its reach (rules.md §2).
KREATIVITAS_NILAI: Mapping[str, Decimal] = {
    "unit_kerja": Decimal(3),
    "instansi": Decimal(6),
    "nasional": Decimal(12),
}


def nilai_kreativitas(tingkat: Iterable[str]) -> Decimal:
    """Kreativitas points. Policy (rules.md §2): the items add up; the regulation is silent on several.

    :raises KeyError: for a tingkat that is not in :data:`KREATIVITAS_NILAI`.
    """
    return sum((KREATIVITAS_NILAI[t] for t in tingkat), Decimal(0))


# --- permenpanrb_8_2021 ---------------------------------------------------------------------------

#: Points per kinerja tambahan item by its rating. Policy from BKN practice (rules.md §3).
KINERJA_TAMBAHAN_NILAI: Mapping[str, Decimal] = {
    "sangat_baik": Decimal("2.4"),
    "baik": Decimal("1.6"),
    "cukup": Decimal("1.0"),
    "kurang": Decimal("0.5"),
    "sangat_kurang": Decimal("0.1"),
}


def nilai_kinerja_tambahan(kategori: Iterable[str]) -> Decimal:
    """Sum of the kinerja tambahan points (rules.md §3); the cap at 120 applies to nilai SKP.

    :raises KeyError: for a kategori that is not in :data:`KINERJA_TAMBAHAN_NILAI`.
    """
    return sum((KINERJA_TAMBAHAN_NILAI[k] for k in kategori), Decimal(0))


def capaian_untuk_tabel(capaian: Decimal) -> Decimal:
    """Capaian IKI rounded to a whole percent, half-up, before the nilai table.

    Policy (rules.md §3): the regulation's example prints 97.9 % as 98 %. Rounding first also closes
    the gaps between the table's integer bands (99 %–100 %, 100 %–101 %).
    """
    return round_whole(capaian)


#: Lowest capaian the nilai table reads. A "kondisi khusus" realisasi above twice its target gives a
#: negative capaian, outside the table's 0 %–59 % row; policy: it scores as 0 % (nilai 0). The capaian
#: itself is still reported unchanged.
CAPAIAN_MINIMUM_TABEL = Decimal(0)


def bobot_iki(bobot: Sequence[Decimal | None], field: str) -> list[Decimal] | None:
    """The IKI weights, or ``None`` when no IKI is weighted.

    Policy (rules.md §3, "weighted by bobot where given"): with no bobot at all the plain mean; with a
    bobot on every IKI the weighted mean; a bobot on some IKIs only is refused (422) rather than
    guessing a weight for the others.

    :param field: dotted path of the IKI list, e.g. ``skp.kinerja_utama``.
    :raises ScoringError: for mixed bobot or a total of 0.
    """
    if all(b is None for b in bobot):
        return None
    weights: list[Decimal] = []
    for index, weight in enumerate(bobot):
        if weight is None:
            raise ScoringError(
                f"{field}.{index}.bobot", "wajib diisi bila bobot diisi pada indikator kinerja lain"
            )
        weights.append(weight)
    if sum(weights, Decimal(0)) <= 0:
        raise ScoringError(f"{field}.0.bobot", "jumlah bobot harus lebih dari 0")
    return weights


def rata_rata_berbobot(nilai: Sequence[Decimal], bobot: Sequence[Decimal | None], field: str) -> Decimal:
    """Mean of the kinerja utama nilai, weighted as :func:`bobot_iki` decides."""
    weights = bobot_iki(bobot, field)
    if weights is None:
        return sum(nilai, Decimal(0)) / len(nilai)
    total = sum(weights, Decimal(0))
    return sum((n * w for n, w in zip(nilai, weights, strict=True)), Decimal(0)) / total


#: Policy (PermenPANRB 8/2021 JA/JF penilaian, "Capaian Rencana Kinerja: Kategori | Nilai"; rules.md
#: is silent): the kategori of a rencana kinerja's nilai, lowest nilai of each kategori, best first.
#: These are the predikat bands of PP 30/2019 Pasal 41 (without the ide baru condition), which also
#: close the gaps of the nilai IKI table (109 → baik, 89 → cukup).
KATEGORI_CAPAIAN_RENCANA_BATAS: tuple[tuple[str, Decimal], ...] = (
    ("sangat_baik", Decimal(110)),
    ("baik", Decimal(90)),
    ("cukup", Decimal(70)),
    ("kurang", Decimal(50)),
)

#: Weights of the rater groups in the 360° (survei tertutup) mode (rules.md §3, seed 003).
BOBOT_SURVEI: Mapping[str, Decimal] = {
    "atasan": Decimal("0.6"),
    "rekan": Decimal("0.2"),
    "bawahan": Decimal("0.2"),
}

#: Policy (rules.md §3): a survei with an empty group (e.g. no bawahan) is refused with a 422 instead of
#: silently shifting that group's weight to the others. Set to False to reweight over the groups present.
SURVEI_KELOMPOK_KOSONG_DITOLAK = True


def ide_baru_tercatat(ide_baru: object) -> bool:
    """Whether the payload records an ide baru (rules.md §3, Sangat Baik).

    Policy: a non-blank text counts; an empty or whitespace-only string does not.
    """
    return isinstance(ide_baru, str) and bool(ide_baru.strip())


# --- permenpanrb_6_2022 ---------------------------------------------------------------------------

#: Policy (rules.md §4, suggested rating hasil kerja): the suggestion is computed only when every
#: rencana hasil kerja carries a rating; ratings on some RHKs only are refused (422), because "most"
#: of a partial set would mislead. Set to False to suggest from the rated RHKs alone.
SARAN_RATING_PERLU_SEMUA_RHK = True


# --- unit check: distribution and ranking ---------------------------------------------------------

Jenis = Literal["paling_tinggi", "paling_rendah", "lebih_dari"]


@dataclass(frozen=True)
class AturanDistribusi:
    """One numeric distribution rule for a unit kerja; a broken rule is a warning, never a block."""

    aturan: str
    """Stable id of the rule, returned as ``warnings[].aturan``."""

    predikat: frozenset[str]
    """The predikat ids whose share the rule bounds (summed)."""

    jenis: Jenis
    """``paling_tinggi`` (share ≤ batas), ``paling_rendah`` (≥ batas) or ``lebih_dari`` (> batas)."""

    batas: Decimal
    """Bound in percent of the unit's pegawai."""

    uraian: str
    """Indonesian description of the expectation, used in the warning."""

    def terpenuhi(self, jumlah: int, total: int) -> bool:
        """Compare the exact share (jumlah / total, not the rounded percent) with the bound."""
        share = Decimal(jumlah) * 100
        bound = self.batas * total
        if self.jenis == "paling_tinggi":
            return share <= bound
        if self.jenis == "paling_rendah":
            return share >= bound
        return share > bound


_BAWAH_8_2021 = frozenset({"cukup", "kurang", "sangat_kurang"})

#: PermenPANRB 8/2021 distribution per unit kerja (rules.md §3, seed 003).
DISTRIBUSI_8_2021: Sequence[AturanDistribusi] = (
    AturanDistribusi(
        "distribusi_8_2021.di_atas_ekspektasi",
        frozenset({"sangat_baik"}),
        "paling_tinggi",
        Decimal(20),
        "predikat Sangat Baik (di atas ekspektasi) paling tinggi 20 %",
    ),
    AturanDistribusi(
        "distribusi_8_2021.sesuai_ekspektasi_min",
        frozenset({"baik"}),
        "paling_rendah",
        Decimal(60),
        "predikat Baik (sesuai ekspektasi) paling rendah 60 %",
    ),
    AturanDistribusi(
        "distribusi_8_2021.sesuai_ekspektasi_maks",
        frozenset({"baik"}),
        "paling_tinggi",
        Decimal(70),
        "predikat Baik (sesuai ekspektasi) paling tinggi 70 %",
    ),
    AturanDistribusi(
        "distribusi_8_2021.di_bawah_ekspektasi",
        _BAWAH_8_2021,
        "paling_tinggi",
        Decimal(20),
        "predikat Cukup, Kurang dan Sangat Kurang (di bawah ekspektasi) paling tinggi 20 %",
    ),
)

#: PermenPANRB 6/2022 pola distribusi by capaian kinerja organisasi (rules.md §4, SE MenPANRB 3/2023).
#: "Majority" is read as more than half (the same reading as "most" in the rating guidance), "some" as
#: at least one pegawai.
POLA_DISTRIBUSI_6_2022: Mapping[str, Sequence[AturanDistribusi]] = {
    "istimewa": (
        AturanDistribusi(
            "pola_distribusi.istimewa.sangat_baik_mayoritas",
            frozenset({"sangat_baik"}),
            "lebih_dari",
            Decimal(50),
            "sebagian besar (lebih dari 50 %) berpredikat Sangat Baik",
        ),
        AturanDistribusi(
            "pola_distribusi.istimewa.sangat_baik_maks",
            frozenset({"sangat_baik"}),
            "paling_tinggi",
            Decimal(70),
            "predikat Sangat Baik paling tinggi 70 %",
        ),
    ),
    "baik": (
        AturanDistribusi(
            "pola_distribusi.baik.baik_mayoritas",
            frozenset({"baik"}),
            "lebih_dari",
            Decimal(50),
            "sebagian besar (lebih dari 50 %) berpredikat Baik",
        ),
        AturanDistribusi(
            "pola_distribusi.baik.baik_maks",
            frozenset({"baik"}),
            "paling_tinggi",
            Decimal(70),
            "predikat Baik paling tinggi 70 %",
        ),
        AturanDistribusi(
            "pola_distribusi.baik.ada_butuh_perbaikan_atau_kurang",
            frozenset({"butuh_perbaikan", "kurang_misconduct"}),
            "lebih_dari",
            Decimal(0),
            "ada pegawai berpredikat Butuh Perbaikan dan/atau Kurang/Misconduct",
        ),
    ),
    "butuh_perbaikan": (
        AturanDistribusi(
            "pola_distribusi.butuh_perbaikan.butuh_perbaikan_min",
            frozenset({"butuh_perbaikan"}),
            "paling_rendah",
            Decimal(60),
            "predikat Butuh Perbaikan paling rendah 60 %",
        ),
        AturanDistribusi(
            "pola_distribusi.butuh_perbaikan.sangat_baik_maks",
            frozenset({"sangat_baik"}),
            "paling_tinggi",
            Decimal(10),
            "predikat Sangat Baik paling tinggi 10 %",
        ),
    ),
    "kurang": (
        AturanDistribusi(
            "pola_distribusi.kurang.kurang_misconduct_min",
            frozenset({"kurang_misconduct"}),
            "paling_rendah",
            Decimal(60),
            "predikat Kurang/Misconduct paling rendah 60 %",
        ),
        AturanDistribusi(
            "pola_distribusi.kurang.butuh_perbaikan_min",
            frozenset({"butuh_perbaikan"}),
            "paling_rendah",
            Decimal(10),
            "predikat Butuh Perbaikan paling rendah 10 %",
        ),
        AturanDistribusi(
            "pola_distribusi.kurang.sangat_baik_maks",
            frozenset({"sangat_baik"}),
            "paling_tinggi",
            Decimal(10),
            "predikat Sangat Baik paling tinggi 10 %",
        ),
    ),
    "sangat_kurang": (
        AturanDistribusi(
            "pola_distribusi.sangat_kurang.sangat_kurang_min",
            frozenset({"sangat_kurang"}),
            "paling_rendah",
            Decimal(60),
            "predikat Sangat Kurang paling rendah 60 %",
        ),
        AturanDistribusi(
            "pola_distribusi.sangat_kurang.kurang_atau_butuh_perbaikan_min",
            frozenset({"kurang_misconduct", "butuh_perbaikan"}),
            "paling_rendah",
            Decimal(10),
            "predikat Kurang/Misconduct atau Butuh Perbaikan paling rendah 10 %",
        ),
        AturanDistribusi(
            "pola_distribusi.sangat_kurang.tanpa_sangat_baik",
            frozenset({"sangat_baik"}),
            "paling_tinggi",
            Decimal(0),
            "tidak ada pegawai berpredikat Sangat Baik",
        ),
    ),
}


def peringkat_bersama(kunci: Sequence[tuple[object, ...]]) -> list[int]:
    """Ranks for already-sorted keys: equal keys share a rank, the next rank skips (1, 2, 2, 4).

    Policy (rules.md §3 "Pemeringkatan" names the order, nilai then predikat, but not ties): pegawai
    with the same nilai and predikat share a rank ("standard competition ranking"), so a tie is never
    broken by something the regulation does not name; the listing order within a tie is by NIP only
    so that the answer is stable.
    """
    ranks: list[int] = []
    for position, key in enumerate(kunci):
        if position and key == kunci[position - 1]:
            ranks.append(ranks[-1])
        else:
            ranks.append(position + 1)
    return ranks
