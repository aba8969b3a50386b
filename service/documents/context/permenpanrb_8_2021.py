"""Context keys of the PermenPANRB 8/2021 forms: kinerja utama and tambahan, perilaku, the nilai."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from service.documents.context.common import (
    angka,
    bilangan,
    clean_text,
    dash,
    get_in,
    grouped,
    label,
    per_pegawai,
    to_decimal,
)
from service.scoring import policy
from service.scoring.vocabulary import (
    ASPEK_LABEL,
    ASPEK_PERMENPANRB_8_2021,
    KATEGORI_PERMENPANRB_8_2021,
    PERMENPANRB_8_2021,
    PERSPEKTIF_LABEL,
)

__all__ = ["KEYS", "context"]

#: The keys :func:`context` fills.
KEYS = frozenset({"kinerja_utama", "kinerja_tambahan", "perilaku_8_2021", "nilai", "skp_8_2021"})

#: Title of the model pengembangan penilaian (FORMAT D.2.2 administrasi, D.2.3 fungsional; forms.md B2).
_JUDUL_PENGEMBANGAN = {True: "PENILAIAN SKP PEJABAT FUNGSIONAL", False: "PENILAIAN SKP PEJABAT ADMINISTRASI"}


def _target(target: object) -> str:
    if isinstance(target, Mapping):
        return f"{bilangan(target.get('min'))} – {bilangan(target.get('max'))}"
    return bilangan(target)


def _kinerja_utama(payload: Mapping[str, Any], hasil: Mapping[str, Any]) -> list[dict[str, Any]]:
    items = [i for i in get_in(payload, "skp", "kinerja_utama") or [] if isinstance(i, Mapping)]
    scored = hasil.get("iki") if isinstance(hasil.get("iki"), Sequence) else []
    weights = [to_decimal(i.get("bobot")) for i in items]
    total = sum((w for w in weights if w is not None), Decimal(0))
    rows = []
    for index, item in enumerate(items):
        score = get_in(scored, index) or {}
        nilai = to_decimal(score.get("nilai"))
        tertimbang = None
        if nilai is not None:
            weight = weights[index]
            if weight is not None and total:
                tertimbang = nilai * weight / total
            elif not any(w is not None for w in weights):
                tertimbang = nilai / len(items)
        rencana = dash(item.get("rencana_kinerja"))
        given = item.get("standar_kinerja")
        standar: Mapping[str, Any] = given if isinstance(given, Mapping) else {}
        rows.append(
            {
                "_group": rencana,
                "_index": index,
                "rencana_kinerja": rencana,
                "rencana_kinerja_atasan": dash(item.get("rencana_kinerja_atasan")),
                "aspek": label(item.get("aspek")),
                "perspektif": PERSPEKTIF_LABEL.get(clean_text(item.get("perspektif")), "-"),
                "standar": {key: dash(standar.get(key)) for key in KATEGORI_PERMENPANRB_8_2021},
                "iki": dash(item.get("iki")),
                "target": _target(item.get("target")),
                "realisasi": bilangan(item.get("realisasi")),
                "capaian": bilangan(score.get("capaian")) + " %" if score.get("capaian") is not None else "-",
                "kategori": dash(score.get("kategori_label")),
                "nilai": angka(score.get("nilai")),
                "bobot": bilangan(item.get("bobot")) + " %" if item.get("bobot") is not None else "-",
                "nilai_tertimbang": angka(tertimbang),
            }
        )
    groups = grouped(rows, "rencana_kinerja")
    capaian = _capaian_rencana(hasil)
    for group in groups:
        first = group["baris"][0]
        group["rencana_kinerja_atasan"] = first["rencana_kinerja_atasan"]
        group.update(capaian.get(first["_index"], _TANPA_CAPAIAN))
        for row in group["baris"]:
            del row["_index"]
    return groups


_TANPA_CAPAIAN = {"capaian_kategori": "-", "capaian_nilai": "-", "capaian_tertimbang": "-"}


def _capaian_rencana(hasil: Mapping[str, Any]) -> dict[int, dict[str, str]]:
    """The "Capaian Rencana Kinerja" of :func:`service.scoring.permenpanrb_8_2021.rencana_kinerja`, by the
    index of each rencana kinerja's first IKI (empty for a plan, which has no hasil).
    """
    out: dict[int, dict[str, str]] = {}
    for item in hasil.get("rencana_kinerja") or []:
        indexes = get_in(item, "iki")
        if not isinstance(item, Mapping) or not isinstance(indexes, Sequence) or not indexes:
            continue
        out[int(indexes[0])] = {
            "capaian_kategori": dash(item.get("kategori_label")),
            "capaian_nilai": angka(item.get("nilai")),
            "capaian_tertimbang": angka(item.get("nilai_tertimbang")),
        }
    return out


def _kinerja_tambahan(payload: Mapping[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for item in get_in(payload, "skp", "kinerja_tambahan") or []:
        if not isinstance(item, Mapping):
            continue
        kategori = clean_text(item.get("kategori"))
        out.append(
            {
                "no": str(len(out) + 1),
                "uraian": dash(item.get("uraian")),
                "kategori": label(kategori),
                "nilai": angka(policy.KINERJA_TAMBAHAN_NILAI.get(kategori)),
            }
        )
    return out


def _perilaku(payload: Mapping[str, Any]) -> list[dict[str, Any]]:
    data = payload.get("perilaku_kerja")
    perilaku: Mapping[str, Any] = data if isinstance(data, Mapping) else {}

    def mean(groups: object, key: str) -> str:
        if not isinstance(groups, Sequence) or not groups:
            return "-"
        values = [to_decimal(get_in(g, key)) for g in groups]
        present = [v for v in values if v is not None]
        return angka(sum(present, Decimal(0)) / len(present)) if present else "-"

    out: list[dict[str, Any]] = []
    for key in ASPEK_PERMENPANRB_8_2021:
        atasan = get_in(perilaku, "atasan", key)
        rekan, bawahan = mean(perilaku.get("rekan"), key), mean(perilaku.get("bawahan"), key)
        if atasan is None and rekan == "-" and bawahan == "-":
            continue
        out.append(
            {
                "no": str(len(out) + 1),
                "aspek": ASPEK_LABEL[key],
                "atasan": angka(atasan),
                "rekan": rekan,
                "bawahan": bawahan,
            }
        )
    return out


def _nilai(hasil: Mapping[str, Any]) -> dict[str, str]:
    bobot = clean_text(hasil.get("bobot")) or "70/30"
    skp_bobot, _, perilaku_bobot = bobot.partition("/")
    nilai_skp, nilai_perilaku = to_decimal(hasil.get("nilai_skp")), to_decimal(hasil.get("nilai_perilaku"))
    return {
        "rata_rata_iki": angka(hasil.get("rata_rata_iki")),
        "kinerja_tambahan": angka(get_in(hasil, "kinerja_tambahan", "nilai")),
        "skp": angka(nilai_skp),
        "perilaku": angka(nilai_perilaku),
        "perilaku_atasan": angka(get_in(hasil, "perilaku_kerja", "atasan")),
        "perilaku_rekan": angka(get_in(hasil, "perilaku_kerja", "rekan")),
        "perilaku_bawahan": angka(get_in(hasil, "perilaku_kerja", "bawahan")),
        "bobot_skp": f"{skp_bobot} %",
        "bobot_perilaku": f"{perilaku_bobot or '30'} %",
        "skp_tertimbang": angka(
            nilai_skp * Decimal(skp_bobot) / 100 if nilai_skp is not None and skp_bobot.isdigit() else None
        ),
        "perilaku_tertimbang": angka(
            nilai_perilaku * Decimal(perilaku_bobot) / 100
            if nilai_perilaku is not None and perilaku_bobot.isdigit()
            else None
        ),
        "kinerja": angka(hasil.get("nilai_kinerja")),
        "predikat": dash(hasil.get("predikat_label")).upper(),
    }


def _skp(payload: Mapping[str, Any]) -> dict[str, Any]:
    fungsional = get_in(payload, "pegawai", "jenis_jabatan") == "fungsional"
    model = clean_text(get_in(payload, "skp", "model")) or "dasar"
    return {
        "model": model,
        "pengembangan": model == "pengembangan",
        "judul_pengembangan": _JUDUL_PENGEMBANGAN[fungsional],
        "keterangan": clean_text(get_in(payload, "evaluasi", "keterangan"), multiline=True) or "-",
    }


def context(payload: Mapping[str, Any], hasil: Mapping[str, Any], regime: str) -> dict[str, Any]:
    """The :data:`KEYS` of a payload; the kinerja and perilaku tables are empty under other regimes
    and for a unit or coaching document (:func:`.common.per_pegawai`).
    """
    payload, hasil = per_pegawai(payload, hasil)
    ours = regime == PERMENPANRB_8_2021
    return {
        "skp_8_2021": _skp(payload),
        "kinerja_utama": _kinerja_utama(payload, hasil) if ours else [],
        "kinerja_tambahan": _kinerja_tambahan(payload) if ours else [],
        "perilaku_8_2021": _perilaku(payload) if ours else [],
        "nilai": _nilai(hasil),
    }
