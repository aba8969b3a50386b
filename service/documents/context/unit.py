"""Context keys of the unit documents: the penetapan predikat kinerja (forms.md E1) and the
pemeringkatan kinerja (E2). Both print a list of pegawai (``daftar_pegawai``), not one pegawai.

The numbers come from the ``hasil`` (the unit check the scoring ran); the names, NIPs and jabatan
from the payload's ``daftar_pegawai``, joined by NIP.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from docxtpl import Listing

from service.documents.context.common import angka, bilangan, clean_text, dash, listing, to_decimal
from service.documents.context.permenpanrb_6_2022 import KurvaDistribusi, judul_kurva
from service.scoring import ScoringError, policy
from service.scoring.identitas import pangkat_untuk
from service.scoring.permenpanrb_6_2022 import kuadran
from service.scoring.vocabulary import (
    LABELS,
    PREDIKAT_PERMENPANRB_6_2022,
    PREDIKAT_PERMENPANRB_8_2021,
    UNIT_TYPES,
)

__all__ = ["KEYS", "context"]

#: The keys :func:`context` fills.
KEYS = frozenset({"unit", "kurva_unit", "distribusi", "daftar_pegawai", "peringkat"})

#: The predikat most pegawai ideally have, per capaian kinerja organisasi (rules.md §4).
_IDEAL = {
    "istimewa": "sangat_baik",
    "baik": "baik",
    "butuh_perbaikan": "butuh_perbaikan",
    "kurang": "kurang_misconduct",
    "sangat_kurang": "sangat_kurang",
}

_EMPTY_UNIT: Mapping[str, Any] = {
    "capaian_organisasi": "-",
    "dasar_capaian": "-",
    "judul_kurva": "-",
    "pola": "-",
    "catatan": "-",
    "memenuhi_pola": False,
    "jumlah_pegawai": "0",
    "jumlah_persen": "-",
}


def _label(value: object) -> str:
    """An id as the lists print it: ``kurang_misconduct`` → ``Kurang/Misconduct``."""
    text = clean_text(value)
    return LABELS.get(text) or (text.replace("_", " ").title() if text else "-")


def _persen(value: object) -> str:
    number = to_decimal(value)
    return f"{bilangan(number)} %" if number is not None else "-"


def _pangkat_golongan(person: Mapping[str, Any]) -> str:
    golongan = clean_text(person.get("golongan"))
    pangkat = clean_text(person.get("pangkat")) or clean_text(pangkat_untuk(golongan) if golongan else "")
    return ", ".join(p for p in (pangkat, golongan) if p) or "-"


def _people(payload: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    given = payload.get("daftar_pegawai")
    if not isinstance(given, Sequence) or isinstance(given, str):
        return []
    return [p for p in given if isinstance(p, Mapping)]


def _by_nip(rows: object) -> dict[str, Mapping[str, Any]]:
    if not isinstance(rows, Sequence) or isinstance(rows, str):
        return {}
    return {clean_text(r.get("nip")): r for r in rows if isinstance(r, Mapping)}


def _aturan(hasil: Mapping[str, Any], capaian: str) -> list[dict[str, Any]]:
    """The pola distribusi rules of the capaian: the hasil's (with ``terpenuhi``), else the policy's."""
    given = hasil.get("pola_distribusi")
    if isinstance(given, Sequence) and not isinstance(given, str):
        return [
            {
                "uraian": dash(r.get("uraian")),
                "predikat": [clean_text(p) for p in r.get("predikat") or []],
                "terpenuhi": r.get("terpenuhi"),
            }
            for r in given
            if isinstance(r, Mapping)
        ]
    rules = policy.POLA_DISTRIBUSI_6_2022.get(capaian, ())
    return [{"uraian": r.uraian, "predikat": sorted(r.predikat), "terpenuhi": None} for r in rules]


def _aturan_8_2021(hasil: Mapping[str, Any]) -> list[dict[str, Any]]:
    """PermenPANRB 8/2021's distribution rules, each with whether the unit's counts meet it."""
    given = hasil.get("distribusi")
    counts: Mapping[str, Any] = given if isinstance(given, Mapping) else {}

    def jumlah(predikat: str) -> int:
        item = counts.get(predikat)
        return int(item.get("jumlah") or 0) if isinstance(item, Mapping) else 0

    total = sum(jumlah(p) for p in PREDIKAT_PERMENPANRB_8_2021)
    return [
        {
            "uraian": rule.uraian,
            "predikat": sorted(rule.predikat),
            "terpenuhi": rule.terpenuhi(sum(jumlah(p) for p in rule.predikat), total) if total else None,
        }
        for rule in policy.DISTRIBUSI_8_2021
    ]


def _ketentuan(rules: Sequence[Mapping[str, Any]], predikat: str) -> Listing | str:
    lines = []
    for rule in rules:
        if predikat not in rule["predikat"]:
            continue
        status = {True: " (terpenuhi)", False: " (tidak terpenuhi)"}.get(rule["terpenuhi"], "")
        lines.append(f"{rule['uraian'][:1].upper()}{rule['uraian'][1:]}{status}")
    return Listing("\n".join(lines)) if lines else "-"


def _distribusi(
    hasil: Mapping[str, Any], order: Sequence[str], rules: Sequence[Mapping[str, Any]]
) -> list[Any]:
    given = hasil.get("distribusi")
    counts: Mapping[str, Any] = given if isinstance(given, Mapping) else {}
    rows = []
    for number, predikat in enumerate(order, start=1):
        item = counts.get(predikat)
        entry: Mapping[str, Any] = item if isinstance(item, Mapping) else {}
        rows.append(
            {
                "no": str(number),
                "id": predikat,
                "predikat": _label(predikat),
                "jumlah": str(int(entry.get("jumlah") or 0)),
                "persen": _persen(entry.get("persen", 0)),
                "ketentuan": _ketentuan(rules, predikat),
            }
        )
    return rows


def _ada_distribusi(hasil: Mapping[str, Any]) -> bool:
    """Whether the hasil counts anyone at all: without it there is nothing to call "sesuai"."""
    given = hasil.get("distribusi")
    counts: Mapping[str, Any] = given if isinstance(given, Mapping) else {}
    return any(int(item.get("jumlah") or 0) > 0 for item in counts.values() if isinstance(item, Mapping))


def _catatan(hasil: Mapping[str, Any], capaian: str, *, penetapan: bool) -> tuple[Listing | str, bool]:
    """The unit check's warnings in words, or the sentence that the distribution meets the pola
    (a penetapan) or the distribution rules of PermenPANRB 8/2021 (a peringkat); ``"-"`` when the
    hasil has no distribution to judge.
    """
    warnings = hasil.get("warnings")
    pesan = [
        clean_text(w.get("pesan"))
        for w in (warnings if isinstance(warnings, Sequence) and not isinstance(warnings, str) else [])
        if isinstance(w, Mapping) and clean_text(w.get("pesan"))
    ]
    if pesan:
        return Listing("\n".join(f"{i}. {p}" for i, p in enumerate(pesan, start=1))), False
    if not _ada_distribusi(hasil):
        return "-", False
    if not penetapan:
        return "Distribusi predikat kinerja telah sesuai dengan ketentuan distribusi per unit kerja.", True
    if not capaian:
        return "-", False
    return "Distribusi predikat kinerja pegawai telah sesuai dengan pola distribusi.", True


def _pola(capaian: str, rules: Sequence[Mapping[str, Any]]) -> Listing | str:
    """The guidance of the capaian: where most pegawai ideally stand, then each rule."""
    if capaian not in _IDEAL:
        return "-"
    lines = [
        f"Capaian kinerja organisasi {_label(capaian)}: idealnya sebagian besar pegawai berpredikat "
        f"{_label(_IDEAL[capaian])}, dengan ketentuan:"
    ]
    lines += [f"- {rule['uraian']}" for rule in rules]
    return Listing("\n".join(lines))


def _predikat_6(person: Mapping[str, Any], score: Mapping[str, Any]) -> str:
    """The hasil's predikat of one pegawai; without it, the kuadran of the payload's two ratings."""
    if score.get("predikat_label") or score.get("predikat"):
        return dash(score.get("predikat_label") or _label(score.get("predikat")))
    try:
        return _label(
            kuadran(str(person.get("rating_hasil_kerja")), str(person.get("rating_perilaku_kerja")))
        )
    except ScoringError:
        return "-"


def _daftar_pegawai(payload: Mapping[str, Any], hasil: Mapping[str, Any]) -> list[dict[str, str]]:
    """Penetapan: every pegawai in payload order, with both ratings and the predikat."""
    scored = _by_nip(hasil.get("pegawai"))
    rows = []
    for number, person in enumerate(_people(payload), start=1):
        nip = clean_text(person.get("nip"))
        score = scored.get(nip, {})
        rows.append(
            {
                "no": str(number),
                "nama": dash(person.get("nama")),
                "nip": nip or "-",
                "pangkat_golongan": _pangkat_golongan(person),
                "jabatan": dash(person.get("jabatan")),
                "rating_hasil_kerja": _label(person.get("rating_hasil_kerja")),
                "rating_perilaku_kerja": _label(person.get("rating_perilaku_kerja")),
                "predikat": _predikat_6(person, score),
            }
        )
    return rows


def _peringkat(payload: Mapping[str, Any], hasil: Mapping[str, Any]) -> list[dict[str, str]]:
    """Pemeringkatan: the hasil's rank order; each row's name, pangkat and jabatan from the payload."""
    people = {clean_text(p.get("nip")): p for p in _people(payload)}
    ranked = hasil.get("peringkat")
    rows = []
    if isinstance(ranked, Sequence) and not isinstance(ranked, str) and ranked:
        for item in ranked:
            if not isinstance(item, Mapping):
                continue
            nip = clean_text(item.get("nip"))
            person = people.get(nip, {})
            rows.append(
                {
                    "peringkat": dash(item.get("peringkat")),
                    "nama": dash(person.get("nama")),
                    "nip": nip or "-",
                    "pangkat_golongan": _pangkat_golongan(person),
                    "jabatan": dash(person.get("jabatan")),
                    "nilai": angka(item.get("nilai")),
                    "predikat": dash(item.get("predikat_label") or _label(item.get("predikat"))),
                }
            )
        return rows
    # No ranking computed: the payload's order, unranked (never a rank the scoring did not give).
    return [
        {
            "peringkat": "-",
            "nama": dash(p.get("nama")),
            "nip": nip or "-",
            "pangkat_golongan": _pangkat_golongan(p),
            "jabatan": dash(p.get("jabatan")),
            "nilai": angka(p.get("nilai_kinerja")),
            "predikat": _label(p.get("predikat")),
        }
        for nip, p in people.items()
    ]


def context(payload: Mapping[str, Any], hasil: Mapping[str, Any]) -> dict[str, Any]:
    """The :data:`KEYS` of a payload; empty (``"-"``, ``[]``) unless it is a unit document."""
    kind = payload.get("type")
    if kind not in UNIT_TYPES:
        return {
            "unit": dict(_EMPTY_UNIT),
            "kurva_unit": "",
            "distribusi": [],
            "daftar_pegawai": [],
            "peringkat": [],
        }
    penetapan = kind == "penetapan_predikat"
    capaian = (
        clean_text(hasil.get("capaian_organisasi") or payload.get("capaian_organisasi")) if penetapan else ""
    )
    rules = _aturan(hasil, capaian) if penetapan else _aturan_8_2021(hasil)
    order = PREDIKAT_PERMENPANRB_6_2022 if penetapan else PREDIKAT_PERMENPANRB_8_2021
    distribusi = _distribusi(hasil, order, rules)
    catatan, memenuhi = _catatan(hasil, capaian, penetapan=penetapan)
    jumlah = hasil.get("jumlah_pegawai")
    total = int(jumlah) if isinstance(jumlah, int) else len(_people(payload))
    kurva: KurvaDistribusi | str = ""
    if capaian in policy.POLA_DISTRIBUSI_6_2022:
        aktual = {row["id"]: int(row["jumlah"]) for row in distribusi}
        kurva = KurvaDistribusi(capaian, aktual=aktual, lebar_mm=130)
    capaian_label = clean_text(hasil.get("capaian_organisasi_label")) or _label(capaian)
    return {
        "unit": {
            "capaian_organisasi": capaian_label.upper() if capaian else "-",
            "dasar_capaian": listing(payload.get("dasar_capaian")),
            "judul_kurva": judul_kurva(capaian) if capaian in policy.POLA_DISTRIBUSI_6_2022 else "-",
            "pola": _pola(capaian, rules),
            "catatan": catatan,
            "memenuhi_pola": memenuhi,
            "jumlah_pegawai": str(total),
            "jumlah_persen": "100 %" if total else "-",
        },
        "kurva_unit": kurva,
        "distribusi": distribusi,
        "daftar_pegawai": _daftar_pegawai(payload, hasil) if penetapan else [],
        "peringkat": _peringkat(payload, hasil) if not penetapan else [],
    }
