"""Context keys of the PP 46/2011 forms: kegiatan tugas jabatan, tugas tambahan, kreativitas, perilaku."""

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
    label,
    numbered,
    per_pegawai,
    rupiah,
    to_decimal,
)
from service.scoring.vocabulary import ASPEK_LABEL, ASPEK_PP46_2011, PP46_2011

__all__ = ["KEYS", "context"]

#: The keys :func:`context` fills.
KEYS = frozenset({"kegiatan", "tugas_tambahan", "kreativitas", "perilaku_pp46", "pp46", "guru"})


def _kegiatan(payload: Mapping[str, Any], hasil: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    scored = hasil.get("kegiatan") if isinstance(hasil.get("kegiatan"), Sequence) else []
    for index, item in enumerate(get_in(payload, "skp", "kegiatan") or []):
        if not isinstance(item, Mapping):
            continue
        target: Mapping[str, Any] = item.get("target") or {}
        realisasi: Mapping[str, Any] = item.get("realisasi") or {}
        score = get_in(scored, index) or {}
        output = clean_text(target.get("output"))
        satuan_waktu = "Hari" if target.get("satuan_waktu") == "hari" else "Bulan"

        def kuantitas(data: Mapping[str, Any], output: str = output) -> str:
            if data.get("kuantitas") is None:
                return "-"
            # Only the first letter raised: "konsep SK" prints "Konsep SK", never "Konsep Sk".
            return f"{bilangan(data.get('kuantitas'))} {output[:1].upper()}{output[1:]}".strip()

        def waktu(data: Mapping[str, Any], satuan: str = satuan_waktu) -> str:
            return f"{bilangan(data.get('waktu'))} {satuan}" if data.get("waktu") is not None else "-"

        rows.append(
            {
                "no": str(len(rows) + 1),
                "uraian": dash(item.get("uraian")),
                "ak": bilangan(item.get("angka_kredit")) if item.get("angka_kredit") is not None else "-",
                "target": {
                    "kuantitas": kuantitas(target),
                    "kualitas": bilangan(target.get("kualitas")),
                    "waktu": waktu(target),
                    "biaya": rupiah(target.get("biaya")),
                },
                "realisasi": {
                    "ak": bilangan(realisasi.get("angka_kredit"))
                    if realisasi.get("angka_kredit") is not None
                    else "-",
                    "kuantitas": kuantitas(realisasi),
                    "kualitas": bilangan(realisasi.get("kualitas"))
                    if realisasi.get("kualitas") is not None
                    else "-",
                    "waktu": waktu(realisasi),
                    "biaya": rupiah(realisasi.get("biaya")),
                },
                "penghitungan": angka(score.get("penghitungan")),
                "nilai_capaian": angka(score.get("nilai_capaian")),
            }
        )
    return rows


def _perilaku(payload: Mapping[str, Any], hasil: Mapping[str, Any]) -> list[dict[str, Any]]:
    aspek = get_in(hasil, "perilaku_kerja", "aspek")
    scored: Mapping[str, Any] = aspek if isinstance(aspek, Mapping) else {}
    given = payload.get("perilaku_kerja")
    values: Mapping[str, Any] = given if isinstance(given, Mapping) else {}
    out: list[dict[str, Any]] = []
    for number, key in enumerate(ASPEK_PP46_2011, start=1):
        score = scored.get(key) or {}
        nilai = score.get("nilai", values.get(key))
        out.append(
            {
                "no": str(number),
                "aspek": ASPEK_LABEL[key],
                "nilai": angka(nilai),
                "sebutan": f"({score['sebutan_label']})" if score.get("sebutan_label") else "",
            }
        )
    return out


def _nilai(hasil: Mapping[str, Any]) -> dict[str, str]:
    def teks_sebutan(key: str) -> str:
        value = hasil.get(key)
        return f"({value})" if value else ""

    nilai_skp = to_decimal(hasil.get("nilai_skp"))
    rata_rata = to_decimal(get_in(hasil, "perilaku_kerja", "rata_rata"))
    return {
        "nilai_skp": angka(nilai_skp),
        "sebutan_skp": teks_sebutan("sebutan_skp_label"),
        "nilai_skp_60": angka(nilai_skp * Decimal("0.6") if nilai_skp is not None else None),
        "rata_rata_capaian": angka(hasil.get("rata_rata_capaian")),
        "nilai_tugas_tambahan": angka(get_in(hasil, "tugas_tambahan", "nilai")),
        "nilai_kreativitas": angka(get_in(hasil, "kreativitas", "nilai")),
        "jumlah_perilaku": angka(get_in(hasil, "perilaku_kerja", "jumlah")),
        "rata_rata_perilaku": angka(rata_rata),
        "sebutan_perilaku": f"({get_in(hasil, 'perilaku_kerja', 'sebutan_label')})"
        if get_in(hasil, "perilaku_kerja", "sebutan_label")
        else "",
        "nilai_perilaku_40": angka(rata_rata * Decimal("0.4") if rata_rata is not None else None),
        "nilai_prestasi_kerja": angka(hasil.get("nilai_prestasi_kerja")),
        "sebutan": teks_sebutan("sebutan_label"),
        "jumlah_angka_kredit": angka(hasil.get("jumlah_angka_kredit"), 3),
    }


def context(payload: Mapping[str, Any], hasil: Mapping[str, Any], regime: str) -> dict[str, Any]:
    """The :data:`KEYS` of a payload; the kegiatan and perilaku tables are empty under other regimes
    and for a unit or coaching document (:func:`.common.per_pegawai`).
    """
    payload, hasil = per_pegawai(payload, hasil)
    ours = regime == PP46_2011
    kegiatan = _kegiatan(payload, hasil) if ours else []
    return {
        "kegiatan": kegiatan,
        "tugas_tambahan": numbered(get_in(payload, "skp", "tugas_tambahan") or []),
        "kreativitas": [
            {"no": str(i), "uraian": dash(get_in(k, "uraian")), "tingkat": label(get_in(k, "tingkat"))}
            for i, k in enumerate(get_in(payload, "skp", "kreativitas") or [], start=1)
        ],
        "perilaku_pp46": _perilaku(payload, hasil) if ours else [],
        "pp46": _nilai(hasil),
        "guru": any(k["ak"] != "-" for k in kegiatan),
    }
