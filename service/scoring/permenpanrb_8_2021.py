"""PP 30/2019 + PermenPANRB 8/2021: Penilaian Kinerja (rules.md §3, seeds 001 and 003).

Nilai kinerja = 70 % nilai SKP + 30 % nilai perilaku (atasan langsung alone) or 60 % + 40 % (survei
tertutup, 360°). Nilai SKP comes from the capaian of each indikator kinerja individu (IKI) through the
piecewise nilai table. :func:`hasil` turns the result into the rounded ``hasil`` object of api.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from service.scoring import policy
from service.scoring.common import (
    HUNDRED,
    ScoringError,
    angka,
    angka_opsional,
    label,
    mean,
    periksa_kepemimpinan,
    round2,
    round2_opsional,
    with_label,
)
from service.scoring.vocabulary import (
    ASPEK_PERMENPANRB_8_2021,
    KATEGORI_PERMENPANRB_8_2021,
    KEPEMIMPINAN,
    MODE_PERILAKU,
    PREDIKAT_PERMENPANRB_8_2021,
)

__all__ = [
    "ASPEK_PERILAKU",
    "KATEGORI",
    "PREDIKAT",
    "CapaianRencana",
    "HasilKinerja",
    "Iki",
    "NilaiIki",
    "NilaiPerilaku",
    "PenilaianKinerja",
    "PenilaianPerilaku",
    "Rentang",
    "bobot",
    "capaian_iki",
    "capaian_rencana_kinerja",
    "hasil",
    "hasil_rencana",
    "kategori_nilai",
    "nilai_capaian_iki",
    "nilai_iki",
    "nilai_integrasi_2021",
    "nilai_kinerja",
    "nilai_perilaku",
    "nilai_perilaku_penilai",
    "nilai_skp",
    "penilaian_dari_payload",
    "penilaian_kinerja",
    "predikat",
    "predikat_sesuai_nilai",
    "rencana_kinerja",
]

#: Predikat ids from best to worst (PP 30/2019 Pasal 41), from :mod:`.vocabulary`.
PREDIKAT = PREDIKAT_PERMENPANRB_8_2021

#: Kategori ids of the nilai capaian IKI table, best to worst (same words as the predikat).
KATEGORI = KATEGORI_PERMENPANRB_8_2021

#: Perilaku aspects (seed 001); kepemimpinan, the last, only for those who lead.
ASPEK_PERILAKU = ASPEK_PERMENPANRB_8_2021
_ASPEK_WAJIB = tuple(name for name in ASPEK_PERILAKU if name != KEPEMIMPINAN)

_NILAI_MAKSIMUM = Decimal(120)
_PERILAKU_MAKSIMUM = Decimal(120)

Mode = Literal["atasan", "survei"]


@dataclass(frozen=True)
class Rentang:
    """A target given as a range [min, max]: any realisasi inside it is 100 %."""

    min: Decimal
    """Lower end, ≥ 0."""

    max: Decimal
    """Upper end, > 0 and ≥ min."""


@dataclass(frozen=True)
class Iki:
    """One indikator kinerja individu of the kinerja utama."""

    target: Decimal | Rentang
    """A single target above 0, or a range."""

    realisasi: Decimal
    """What was achieved, ≥ 0."""

    kondisi_khusus: bool = False
    """Lower is better (e.g. time or cost): capaian = (1 + (1 − R/T)) × 100 %."""

    maksimal: bool = False
    """100 % is the most achievable: meeting the target is Sangat Baik, 120."""

    bobot: Decimal | None = None
    """Weight in the nilai SKP mean; all IKIs carry one or none does (policy)."""


@dataclass(frozen=True)
class NilaiIki:
    """Capaian and nilai of one IKI, unrounded except where the policy rounds."""

    capaian_tepat: Decimal
    """Exact capaian in percent."""

    capaian: Decimal
    """Capaian rounded to a whole percent (half-up): the value the table reads (policy)."""

    kategori: str
    """Kategori id of the table row."""

    nilai: Decimal
    """Nilai capaian IKI, 0–120."""


@dataclass(frozen=True)
class CapaianRencana:
    """Capaian of one rencana kinerja, its IKIs taken together (the JA/JF "Capaian Rencana Kinerja")."""

    iki: tuple[int, ...]
    """Indexes of its IKIs in the kinerja utama list (consecutive, same rencana kinerja text)."""

    kategori: str
    """Kategori id of :attr:`nilai` (:func:`kategori_nilai`)."""

    nilai: Decimal
    """(Weighted) mean of its IKIs' nilai (policy)."""

    nilai_tertimbang: Decimal
    """Its share of the nilai kinerja utama: the sum over all rencana kinerja is ``rata_rata_iki``."""


@dataclass(frozen=True)
class PenilaianPerilaku:
    """Perilaku ratings: each rater's aspects (0–120) by aspect name."""

    mode: Mode
    """``atasan`` (atasan langsung alone, 70/30) or ``survei`` (360°, 60/40)."""

    atasan: Mapping[str, Decimal]
    """The atasan langsung's ratings."""

    rekan: Sequence[Mapping[str, Decimal]] = ()
    """Rekan kerja raters (survei only)."""

    bawahan: Sequence[Mapping[str, Decimal]] = ()
    """Bawahan raters (survei only)."""


@dataclass(frozen=True)
class NilaiPerilaku:
    """Group means and the nilai perilaku they give."""

    atasan: Decimal
    """Mean over the atasan's aspects."""

    rekan: Decimal | None
    """Mean of the rekan raters' means; ``None`` outside survei or when the group is empty."""

    bawahan: Decimal | None
    """Mean of the bawahan raters' means; ``None`` outside survei or when the group is empty."""

    nilai: Decimal
    """Nilai perilaku: the atasan mean, or 60/20/20 of the groups in survei."""


@dataclass(frozen=True)
class PenilaianKinerja:
    """Everything one Penilaian Kinerja needs (the input of :func:`penilaian_kinerja`)."""

    kinerja_utama: Sequence[Iki]
    """At least one IKI."""

    perilaku: PenilaianPerilaku
    """Perilaku ratings."""

    jenis_jabatan: str
    """Decides whether kepemimpinan is rated (jpt, administrator, pengawas)."""

    kinerja_tambahan: Sequence[str] = ()
    """Kategori id of each kinerja tambahan item."""

    ide_baru: bool = False
    """A new idea or way of working that benefited the organisation was recorded."""


@dataclass(frozen=True)
class HasilKinerja:
    """Every intermediate value of a Penilaian Kinerja, unrounded."""

    iki: Sequence[NilaiIki]
    """Per-IKI values, in input order."""

    rata_rata_iki: Decimal
    """(Weighted) mean of the IKI nilai."""

    nilai_kinerja_tambahan: Decimal
    """Sum of the kinerja tambahan points."""

    nilai_skp: Decimal
    """rata_rata_iki + kinerja tambahan, capped at 120."""

    perilaku: NilaiPerilaku
    """Perilaku group means and nilai."""

    bobot: str
    """``"70/30"`` or ``"60/40"``."""

    nilai_kinerja: Decimal
    """Weighted sum of nilai SKP and nilai perilaku."""

    predikat: str
    """Predikat id."""


# --- arithmetic ------------------------------------------------------------------------------------


def _capaian_terhadap(target: Decimal, realisasi: Decimal, kondisi_khusus: bool) -> Decimal:
    rasio = realisasi / target
    return (1 + (1 - rasio)) * HUNDRED if kondisi_khusus else rasio * HUNDRED


def capaian_iki(iki: Iki) -> Decimal:
    """Exact capaian in percent: R/T × 100, or (1 + (1 − R/T)) × 100 under kondisi khusus.

    A range target is compared with its upper end when realisasi is above it, with its lower end when
    below, and gives 100 % inside.
    """
    if isinstance(iki.target, Rentang):
        if iki.realisasi > iki.target.max:
            return _capaian_terhadap(iki.target.max, iki.realisasi, iki.kondisi_khusus)
        if iki.realisasi < iki.target.min:
            return _capaian_terhadap(iki.target.min, iki.realisasi, iki.kondisi_khusus)
        return HUNDRED
    return _capaian_terhadap(iki.target, iki.realisasi, iki.kondisi_khusus)


def nilai_capaian_iki(capaian: Decimal, *, maksimal: bool = False) -> tuple[str, Decimal]:
    """Kategori and nilai of a capaian (whole percent) from the piecewise table.

    101–110 → 110 + 10/9 (C − 101); 100 → 109; 80–99 → 70 + 19/19 (C − 80); 60–79 → 50 + 19/19 (C − 60);
    0–59 → C / 59 × 49; above 110 → 120. A ``maksimal`` target that is met (C ≥ 100) → Sangat Baik, 120.
    """
    c = max(capaian, policy.CAPAIAN_MINIMUM_TABEL)
    if c > 110 or (maksimal and c >= 100):
        return "sangat_baik", _NILAI_MAKSIMUM
    if c >= 101:
        return "sangat_baik", 110 + Decimal(120 - 110) / (110 - 101) * (c - 101)
    if c >= 100:
        return "baik", Decimal(109)
    if c >= 80:
        return "cukup", 70 + Decimal(89 - 70) / (99 - 80) * (c - 80)
    if c >= 60:
        return "kurang", 50 + Decimal(69 - 50) / (79 - 60) * (c - 60)
    return "sangat_kurang", c / 59 * 49


def nilai_iki(iki: Iki) -> NilaiIki:
    """Capaian, rounded capaian, kategori and nilai of one IKI."""
    tepat = capaian_iki(iki)
    bulat = policy.capaian_untuk_tabel(tepat)
    kategori, nilai = nilai_capaian_iki(bulat, maksimal=iki.maksimal)
    return NilaiIki(capaian_tepat=tepat, capaian=bulat, kategori=kategori, nilai=nilai)


def kategori_nilai(nilai: Decimal) -> str:
    """Kategori of a nilai 0–120 as shown, by the predikat bands without the ide baru condition.

    Policy (:data:`~service.scoring.policy.KATEGORI_CAPAIAN_RENCANA_BATAS`): ≥ 110 sangat_baik,
    ≥ 90 baik, ≥ 70 cukup, ≥ 50 kurang, else sangat_kurang. The nilai IKI table gives exactly these
    kategori for its own values (109 is baik, 89 cukup, 69 kurang, 49 sangat_kurang).
    """
    x = round2(nilai)
    for kategori, batas in policy.KATEGORI_CAPAIAN_RENCANA_BATAS:
        if x >= batas:
            return kategori
    return KATEGORI[-1]


def capaian_rencana_kinerja(
    nilai: Sequence[Decimal], bobot: Sequence[Decimal | None], field: str = "skp.kinerja_utama"
) -> tuple[Decimal, Decimal]:
    """Nilai and weight of one rencana kinerja from the nilai and bobot of its IKIs.

    Policy (rules.md §3 weighs IKIs, not rencana kinerja): the nilai is the mean of its IKIs' nilai,
    weighted by bobot when the IKIs carry one; its weight is the sum of those bobot, or the number of
    its IKIs. So the weighted sum over all rencana kinerja is the nilai kinerja utama of
    :func:`penilaian_kinerja`.

    :raises ScoringError: mixed bobot (see :func:`~service.scoring.policy.bobot_iki`).
    """
    if not nilai:
        raise ScoringError(field, "minimal satu indikator kinerja individu")
    weights = policy.bobot_iki(bobot, field)
    return policy.rata_rata_berbobot(nilai, bobot, field), (
        Decimal(len(nilai)) if weights is None else sum(weights, Decimal(0))
    )


def rencana_kinerja(
    rencana: Sequence[str], iki: Sequence[NilaiIki], bobot: Sequence[Decimal | None]
) -> tuple[CapaianRencana, ...]:
    """The capaian of every rencana kinerja: consecutive IKIs with the same text form one.

    :param rencana: the rencana kinerja text of each IKI, in input order.
    :param iki: the :func:`nilai_iki` of each IKI.
    :param bobot: each IKI's bobot (all or none).
    :raises ScoringError: lists of different lengths, no IKI, mixed bobot.
    """
    if not (len(rencana) == len(iki) == len(bobot)):
        raise ScoringError("skp.kinerja_utama", "jumlah rencana kinerja, IKI dan bobot tidak sama")
    if not iki:
        raise ScoringError("skp.kinerja_utama", "minimal satu indikator kinerja individu")
    policy.bobot_iki(bobot, "skp.kinerja_utama")
    groups: list[list[int]] = []
    for index, text in enumerate(rencana):
        if groups and rencana[groups[-1][0]] == text:
            groups[-1].append(index)
        else:
            groups.append([index])
    parts = [capaian_rencana_kinerja([iki[i].nilai for i in g], [bobot[i] for i in g]) for g in groups]
    total = sum((weight for _, weight in parts), Decimal(0))
    return tuple(
        CapaianRencana(
            iki=tuple(g),
            kategori=kategori_nilai(nilai),
            nilai=nilai,
            nilai_tertimbang=nilai * weight / total,
        )
        for g, (nilai, weight) in zip(groups, parts, strict=True)
    )


def nilai_skp(rata_rata_iki: Decimal, nilai_kinerja_tambahan: Decimal) -> Decimal:
    """Nilai SKP = mean IKI nilai + kinerja tambahan points, capped at 120."""
    return min(rata_rata_iki + nilai_kinerja_tambahan, _NILAI_MAKSIMUM)


def nilai_perilaku_penilai(aspek: Mapping[str, Decimal], jenis_jabatan: str, field: str) -> Decimal:
    """One rater's value: the mean over the rated aspects (5 with kepemimpinan, 4 without).

    :param field: dotted path of the rater's ratings, for the error.
    :raises ScoringError: a missing aspect, or kepemimpinan against the jabatan (same rule as §2).
    """
    for name in _ASPEK_WAJIB:
        if name not in aspek:
            raise ScoringError(f"{field}.{name}", "wajib diisi")
    periksa_kepemimpinan(KEPEMIMPINAN in aspek, jenis_jabatan, f"{field}.{KEPEMIMPINAN}")
    return mean(aspek[name] for name in ASPEK_PERILAKU if name in aspek)


def nilai_perilaku(perilaku: PenilaianPerilaku, jenis_jabatan: str) -> NilaiPerilaku:
    """Nilai perilaku: the atasan alone, or atasan 60 %, rekan 20 %, bawahan 20 % (group means).

    :raises ScoringError: an empty rater group in survei mode (policy), or a rater's aspect error.
    """
    atasan = nilai_perilaku_penilai(perilaku.atasan, jenis_jabatan, "perilaku_kerja.atasan")
    if perilaku.mode == "atasan":
        return NilaiPerilaku(atasan=atasan, rekan=None, bawahan=None, nilai=atasan)
    groups: dict[str, Decimal] = {"atasan": atasan}
    for name, raters in (("rekan", perilaku.rekan), ("bawahan", perilaku.bawahan)):
        if raters:
            groups[name] = mean(
                nilai_perilaku_penilai(r, jenis_jabatan, f"perilaku_kerja.{name}.{i}")
                for i, r in enumerate(raters)
            )
        elif policy.SURVEI_KELOMPOK_KOSONG_DITOLAK:
            raise ScoringError(
                f"perilaku_kerja.{name}",
                "survei tertutup memerlukan minimal satu penilai pada setiap kelompok "
                "(atasan, rekan kerja, bawahan)",
            )
    weights = {name: policy.BOBOT_SURVEI[name] for name in groups}
    total = sum(weights.values(), Decimal(0))
    nilai = sum((groups[name] * weights[name] for name in groups), Decimal(0)) / total
    return NilaiPerilaku(atasan=atasan, rekan=groups.get("rekan"), bawahan=groups.get("bawahan"), nilai=nilai)


def bobot(mode: Mode) -> tuple[Decimal, Decimal, str]:
    """Weights of nilai SKP and nilai perilaku: 70/30 (atasan) or 60/40 (survei)."""
    if mode == "survei":
        return Decimal("0.6"), Decimal("0.4"), "60/40"
    return Decimal("0.7"), Decimal("0.3"), "70/30"


def nilai_kinerja(nilai_skp: Decimal, nilai_perilaku: Decimal, mode: Mode) -> Decimal:
    """Nilai kinerja = weighted sum of nilai SKP and nilai perilaku (see :func:`bobot`)."""
    skp, perilaku, _ = bobot(mode)
    return skp * nilai_skp + perilaku * nilai_perilaku


def predikat(nilai_kinerja: Decimal, *, ide_baru: bool) -> str:
    """Predikat of a nilai kinerja as shown (PP 30/2019 Pasal 41).

    110 ≤ x ≤ 120 with an ide baru → sangat_baik (without it, baik); 90 ≤ x → baik; 70 ≤ x < 90 → cukup;
    50 ≤ x < 70 → kurang; x < 50 → sangat_kurang. A nilai is never above 120 (capped); were one given,
    it is read as the top band, so the predikat never falls as the nilai rises.
    """
    x = round2(nilai_kinerja)
    if x >= 110 and ide_baru:
        return "sangat_baik"
    if x >= 90:
        return "baik"
    if x >= 70:
        return "cukup"
    if x >= 50:
        return "kurang"
    return "sangat_kurang"


def predikat_sesuai_nilai(nilai_kinerja: Decimal, predikat_diberikan: str) -> str | None:
    """Why a predikat cannot be the one of a nilai kinerja, or ``None`` when it can (pemeringkatan).

    The predikat follows from the nilai (:func:`predikat`), except that 110 ≤ x ≤ 120 is Sangat Baik
    only with an ide baru, which a ranking list does not carry: there both Sangat Baik and Baik fit.
    """
    with_ide, without = predikat(nilai_kinerja, ide_baru=True), predikat(nilai_kinerja, ide_baru=False)
    if predikat_diberikan in (with_ide, without):
        return None
    fits = " atau ".join(label(p) for p in dict.fromkeys((with_ide, without)))
    shown = f"{round2(nilai_kinerja):f}".replace(".", ",")
    return f"tidak sesuai dengan nilai kinerja {shown} (predikatnya {fits})"


def penilaian_kinerja(penilaian: PenilaianKinerja) -> HasilKinerja:
    """The whole Penilaian Kinerja, every intermediate value kept.

    :raises ScoringError: no IKI, an unknown kinerja tambahan kategori, a bobot or perilaku error.
    """
    if not penilaian.kinerja_utama:
        raise ScoringError("skp.kinerja_utama", "minimal satu indikator kinerja individu")
    for index, kategori in enumerate(penilaian.kinerja_tambahan):
        if kategori not in policy.KINERJA_TAMBAHAN_NILAI:
            raise ScoringError(
                f"skp.kinerja_tambahan.{index}.kategori", "harus salah satu dari " + ", ".join(KATEGORI)
            )
    iki = [nilai_iki(item) for item in penilaian.kinerja_utama]
    rata_rata = policy.rata_rata_berbobot(
        [i.nilai for i in iki], [i.bobot for i in penilaian.kinerja_utama], "skp.kinerja_utama"
    )
    tambahan = policy.nilai_kinerja_tambahan(penilaian.kinerja_tambahan)
    skp = nilai_skp(rata_rata, tambahan)
    perilaku = nilai_perilaku(penilaian.perilaku, penilaian.jenis_jabatan)
    kinerja = nilai_kinerja(skp, perilaku.nilai, penilaian.perilaku.mode)
    return HasilKinerja(
        iki=tuple(iki),
        rata_rata_iki=rata_rata,
        nilai_kinerja_tambahan=tambahan,
        nilai_skp=skp,
        perilaku=perilaku,
        bobot=bobot(penilaian.perilaku.mode)[2],
        nilai_kinerja=kinerja,
        predikat=predikat(kinerja, ide_baru=penilaian.ide_baru),
    )


def nilai_integrasi_2021(nilai_pp46_2011: Decimal, nilai_permenpanrb_8_2021: Decimal) -> Decimal:
    """2021 annual value: the mean of Jan–Jun (PP 46/2011) and Jul–Dec (PermenPANRB 8/2021) (rules.md §5)."""
    return (nilai_pp46_2011 + nilai_permenpanrb_8_2021) / 2


# --- payload adapter -------------------------------------------------------------------------------


def _target(item: Mapping[str, Any], field: str) -> Decimal | Rentang:
    target = item.get("target")
    if isinstance(target, Mapping):
        bawah = angka(target, "min", f"{field}.target")
        atas = angka(target, "max", f"{field}.target", lebih_dari_nol=True)
        if bawah > atas:
            raise ScoringError(f"{field}.target.min", "tidak boleh lebih besar dari max")
        return Rentang(min=bawah, max=atas)
    return angka(item, "target", field, lebih_dari_nol=True)


def _utama(payload: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    items: list[Mapping[str, Any]] = list((payload.get("skp") or {}).get("kinerja_utama") or [])
    if not items:
        raise ScoringError("skp.kinerja_utama", "minimal satu indikator kinerja individu")
    return items


def _bobot(item: Mapping[str, Any], field: str) -> Decimal | None:
    return angka_opsional(item, "bobot", field)


def _penilai(data: object, field: str) -> dict[str, Decimal]:
    if not isinstance(data, Mapping):
        raise ScoringError(field, "wajib diisi")
    return {
        name: angka(data, name, field, maksimum=_PERILAKU_MAKSIMUM)
        for name in ASPEK_PERILAKU
        if data.get(name) is not None
    }


def penilaian_dari_payload(payload: Mapping[str, Any]) -> PenilaianKinerja:
    """Read the validated payload (docs/architecture.md) into the input dataclass."""
    iki = []
    for index, item in enumerate(_utama(payload)):
        field = f"skp.kinerja_utama.{index}"
        iki.append(
            Iki(
                target=_target(item, field),
                realisasi=angka(item, "realisasi", field),
                kondisi_khusus=bool(item.get("kondisi_khusus", False)),
                maksimal=bool(item.get("maksimal", False)),
                bobot=_bobot(item, field),
            )
        )
    data = payload.get("perilaku_kerja")
    if not isinstance(data, Mapping):
        raise ScoringError("perilaku_kerja", "wajib diisi untuk penilaian")
    mode = data.get("mode", "atasan")
    if mode not in MODE_PERILAKU:
        raise ScoringError("perilaku_kerja.mode", "harus atasan atau survei")
    survei = mode == "survei"
    perilaku = PenilaianPerilaku(
        mode="survei" if survei else "atasan",
        atasan=_penilai(data.get("atasan"), "perilaku_kerja.atasan"),
        rekan=tuple(_penilai(r, f"perilaku_kerja.rekan.{i}") for i, r in enumerate(data.get("rekan") or []))
        if survei
        else (),
        bawahan=tuple(
            _penilai(r, f"perilaku_kerja.bawahan.{i}") for i, r in enumerate(data.get("bawahan") or [])
        )
        if survei
        else (),
    )
    tambahan = (payload.get("skp") or {}).get("kinerja_tambahan") or []
    return PenilaianKinerja(
        kinerja_utama=tuple(iki),
        perilaku=perilaku,
        jenis_jabatan=str((payload.get("pegawai") or {}).get("jenis_jabatan", "")),
        kinerja_tambahan=tuple(str(item.get("kategori")) for item in tambahan),
        ide_baru=policy.ide_baru_tercatat(payload.get("ide_baru")),
    )


def hasil(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The full ``hasil`` of an evaluasi or dokumen penilaian (api.md), rounded for showing."""
    penilaian = penilaian_dari_payload(payload)
    result = penilaian_kinerja(penilaian)
    rencana = rencana_kinerja(
        [str(item.get("rencana_kinerja", "")) for item in _utama(payload)],
        result.iki,
        [item.bobot for item in penilaian.kinerja_utama],
    )
    return {
        "iki": [
            {
                "capaian": round2(i.capaian),
                "capaian_tepat": round2(i.capaian_tepat),
                **with_label("kategori", i.kategori),
                "nilai": round2(i.nilai),
                "bobot": round2_opsional(item.bobot),
            }
            for i, item in zip(result.iki, penilaian.kinerja_utama, strict=True)
        ],
        "rencana_kinerja": [
            {
                "iki": list(r.iki),
                **with_label("kategori", r.kategori),
                "nilai": round2(r.nilai),
                "nilai_tertimbang": round2(r.nilai_tertimbang),
            }
            for r in rencana
        ],
        "rata_rata_iki": round2(result.rata_rata_iki),
        "kinerja_tambahan": {
            "jumlah": len(penilaian.kinerja_tambahan),
            "nilai": round2(result.nilai_kinerja_tambahan),
        },
        "nilai_skp": round2(result.nilai_skp),
        "perilaku_kerja": {
            "mode": penilaian.perilaku.mode,
            "atasan": round2(result.perilaku.atasan),
            "rekan": round2_opsional(result.perilaku.rekan),
            "bawahan": round2_opsional(result.perilaku.bawahan),
        },
        "nilai_perilaku": round2(result.perilaku.nilai),
        "bobot": result.bobot,
        "nilai_kinerja": round2(result.nilai_kinerja),
        "ide_baru": penilaian.ide_baru,
        **with_label("predikat", result.predikat),
    }


def hasil_rencana(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Plan checks of an SKP without realisasi.

    ``jumlah_kinerja_utama``, ``jumlah_kinerja_tambahan`` and ``jumlah_bobot`` (the sum of the IKI
    weights, ``None`` when none is weighted; a form shows it next to the expected 100). Targets are
    checked as the evaluation will read them (above 0, range min ≤ max, bobot on all or none).
    """
    utama = _utama(payload)
    weights = []
    for index, item in enumerate(utama):
        field = f"skp.kinerja_utama.{index}"
        _target(item, field)
        weights.append(_bobot(item, field))
    given = policy.bobot_iki(weights, "skp.kinerja_utama")
    return {
        "jumlah_kinerja_utama": len(utama),
        "jumlah_kinerja_tambahan": len((payload.get("skp") or {}).get("kinerja_tambahan") or []),
        "jumlah_bobot": None if given is None else round2(sum(given, Decimal(0))),
    }
