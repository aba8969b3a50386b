"""Context keys of the coaching records: catatan bimbingan kinerja (forms.md E4), umpan balik
pelaksanaan bimbingan kinerja (FORMAT B.1.8, E3) and pelaksanaan konseling kinerja (E4).

One pegawai each, no SKP; their people (pegawai, pejabat penilai, konselor) are the shared identity
keys of :mod:`service.documents.context`, this module adds what was discussed and decided.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from docxtpl import Listing

from service.documents.context.common import clean_text, dash, get_in, listing, tanggal
from service.scoring.vocabulary import (
    KATEGORI_KONSELOR_LABEL,
    KRITERIA_UMPAN_BALIK,
    TINDAK_LANJUT_KONSELING_LABEL,
)

__all__ = ["KEYS", "context"]

#: The keys :func:`context` fills.
KEYS = frozenset({"bimbingan", "umpan_balik", "konseling"})


def _section(payload: Mapping[str, Any], key: str, kind: str) -> Mapping[str, Any]:
    """The payload's part for ``kind``, or nothing for a payload of another type."""
    data = payload.get(key) if payload.get("type") == kind else None
    return data if isinstance(data, Mapping) else {}


def _list(value: object) -> list[Any]:
    return list(value) if isinstance(value, Sequence) and not isinstance(value, str) else []


def _bimbingan(payload: Mapping[str, Any]) -> dict[str, Any]:
    data = _section(payload, "bimbingan", "catatan_bimbingan")
    bentuk = clean_text(data.get("bentuk"))
    peserta = [p for p in _list(data.get("peserta_lain")) if isinstance(p, Mapping)]
    lines = [
        f"{i}. {dash(p.get('nama'))} (NIP. {dash(p.get('nip'))})" for i, p in enumerate(peserta, start=1)
    ]
    return {
        "tanggal": tanggal(data.get("tanggal")),
        "bentuk": bentuk.upper() or "-",
        "kelompok": bentuk == "kelompok",
        "peserta_lain": [
            {"no": str(i), "nama": dash(p.get("nama")), "nip": dash(p.get("nip"))}
            for i, p in enumerate(peserta, start=1)
        ],
        "peserta_teks": Listing("\n".join(lines)) if lines else "-",
        "topik": listing(data.get("topik")),
        "hasil": listing(data.get("hasil")),
        "tindak_lanjut": listing(data.get("tindak_lanjut")),
        "batas_waktu": tanggal(data.get("batas_waktu")),
    }


def _umpan_balik(payload: Mapping[str, Any]) -> dict[str, Any]:
    """FORMAT B.1.8: each subjek with its kriteria (numbered 1–9 across them) and the pegawai's answer."""
    data = _section(payload, "umpan_balik", "umpan_balik_bimbingan")
    jawaban = _list(data.get("jawaban"))
    subjek = []
    number = 0
    for name, kriteria in KRITERIA_UMPAN_BALIK:
        rows = []
        for text in kriteria:
            answer = clean_text(jawaban[number] if number < len(jawaban) else "")
            number += 1
            rows.append({"no": str(number), "kriteria": text, "jawaban": answer.upper() or "-"})
        subjek.append({"subjek": name, "kriteria": rows})
    return {
        "tanggal_bimbingan": tanggal(data.get("tanggal_bimbingan")),
        "subjek": subjek,
        "catatan": listing(data.get("catatan")),
    }


def _konseling(payload: Mapping[str, Any]) -> dict[str, Any]:
    data = _section(payload, "konseling", "konseling")
    chosen = [clean_text(t) for t in _list(data.get("tindak_lanjut"))]
    labels = [TINDAK_LANJUT_KONSELING_LABEL.get(t, t) for t in chosen if t]
    kategori = clean_text(get_in(payload, "konselor", "kategori")) if data else ""
    return {
        "tanggal": tanggal(data.get("tanggal")),
        "permasalahan": listing(data.get("permasalahan")),
        "hasil": listing(data.get("hasil")),
        "tindak_lanjut": Listing("\n".join(f"- {name}" for name in labels)) if labels else "-",
        "uraian_tindak_lanjut": listing(data.get("uraian_tindak_lanjut")),
        "kategori_konselor": KATEGORI_KONSELOR_LABEL.get(kategori, dash(kategori)),
    }


def context(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The :data:`KEYS` of a payload; each is ``"-"``-filled unless the payload is of its type."""
    return {
        "bimbingan": _bimbingan(payload),
        "umpan_balik": _umpan_balik(payload),
        "konseling": _konseling(payload),
    }
