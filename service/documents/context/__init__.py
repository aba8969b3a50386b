"""The template context: the validated payload and its ``hasil`` as text, ready for the forms.

Everything a template prints is formatted here, once: numbers the Indonesian way (decimal comma,
thousands dot; scores with 2 decimals), dates as "15 Januari 2025", ids as their printed labels, free
text cleaned of characters XML cannot carry. Every key of :data:`CONTEXT_KEYS` is always present
(empty lists, ``"-"`` or ``False`` when the regime or type does not use it), so one template check
(:mod:`..templates_check`) covers all regimes and a template never meets a missing key.

Pure functions, no I/O. The shared formatting is in :mod:`.common`; each regime's keys are built by
its own module (:mod:`.pp46_2011`, :mod:`.permenpanrb_8_2021`, :mod:`.permenpanrb_6_2022`), those of
the unit documents by :mod:`.unit` and of the coaching records by :mod:`.bimbingan`; ids and labels
come from :mod:`service.scoring.vocabulary`. A unit or coaching payload has no pegawai's SKP: the
regime modules give it their empty defaults.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from service.documents.context import bimbingan, permenpanrb_6_2022, permenpanrb_8_2021, pp46_2011, unit
from service.documents.context.common import (
    BAGI,
    MARKERS,
    angka,
    bilangan,
    clean_text,
    dash,
    get_in,
    orang,
    periode,
    tanggal,
)
from service.documents.context.permenpanrb_6_2022 import ASPEK_BERAKHLAK
from service.scoring.penandatangan import PENANDATANGAN, penandatangan
from service.scoring.vocabulary import SIGNING_ORDER

__all__ = [
    "ASPEK_BERAKHLAK",
    "CONTEXT_KEYS",
    "MARKERS",
    "ROLES",
    "angka",
    "bilangan",
    "build_context",
    "clean_text",
    "tanggal",
]

#: Signer roles, in signing order (api.md; :data:`~service.scoring.vocabulary.SIGNING_ORDER`).
ROLES = SIGNING_ORDER

#: The keys every form shares: document, places and dates, the people, headings, signature markers.
_HEADER_KEYS = frozenset(
    {
        "regime",
        "jenis_dokumen",
        "jpt",
        "kode_verifikasi",
        "instansi",
        "unit_kerja",
        "tempat",
        "tanggal",
        "tempat_tanggal",
        "periode",
        *SIGNING_ORDER,
        "pendekatan",
        "bagi",
        "bagi_8_2021",
        "penanda",
        "ttd",
        # The instance's Garuda and letterhead images: None here (the context is pure); the
        # renderer puts in those the instance has (service.documents.gambar).
        "lambang",
        "kop",
    }
)

#: Top-level keys of every context (what templates may use; checked by :mod:`..templates_check`).
CONTEXT_KEYS = (
    _HEADER_KEYS
    | permenpanrb_6_2022.KEYS
    | permenpanrb_8_2021.KEYS
    | pp46_2011.KEYS
    | unit.KEYS
    | bimbingan.KEYS
)


def build_context(
    payload: Mapping[str, Any],
    hasil: Mapping[str, Any] | None,
    *,
    verification_code: str | None = None,
    signers: Collection[str] | None = None,
) -> dict[str, Any]:
    """Everything the form templates print, as text (keys: :data:`CONTEXT_KEYS`).

    :param payload: the validated payload (docs/architecture.md; JSON-shaped values are accepted too).
    :param hasil: what :func:`service.scoring.score_payload` returned for it (``None``: plan only).
    :param verification_code: the document's verification code, when known.
    :param signers: the roles that sign this document (its ``signers``); by default the form's own
        (:func:`service.scoring.penandatangan.penandatangan`, no instance "Mengetahui"). ``ttd``
        tells a template, per role, whether to print a signing block for it.
    """
    hasil = hasil or {}
    regime = clean_text(payload.get("regime"))
    people = {role: orang(payload.get(role)) for role in SIGNING_ORDER}
    jpt = people["pegawai"]["jenis_jabatan"] == "jpt"
    tempat = dash(payload.get("tempat"))
    hari = tanggal(payload.get("tanggal"))
    return {
        "regime": regime,
        "jenis_dokumen": clean_text(payload.get("type")),
        "jpt": jpt,
        "kode_verifikasi": clean_text(verification_code) or "-",
        "instansi": dash(payload.get("instansi")),
        "unit_kerja": dash(payload.get("unit_kerja") or get_in(payload, "pegawai", "unit_kerja")),
        "tempat": tempat,
        "tanggal": hari,
        "tempat_tanggal": f"{tempat}, {hari}",
        "periode": periode(payload.get("periode")),
        **people,
        "pendekatan": (clean_text(get_in(payload, "skp", "pendekatan")) or "kuantitatif").upper(),
        "bagi": BAGI[jpt],
        "bagi_8_2021": BAGI[jpt].removeprefix("BAGI "),
        "penanda": dict(MARKERS),
        "ttd": dict.fromkeys(SIGNING_ORDER, False) | dict.fromkeys(_signers(payload, signers), True),
        "lambang": None,
        "kop": None,
        **permenpanrb_6_2022.context(payload, hasil),
        **permenpanrb_8_2021.context(payload, hasil, regime),
        **pp46_2011.context(payload, hasil, regime),
        **unit.context(payload, hasil),
        **bimbingan.context(payload),
    }


def _signers(payload: Mapping[str, Any], signers: Collection[str] | None) -> Collection[str]:
    if signers is not None:
        return signers
    form = (payload.get("regime"), payload.get("type"))
    if form not in PENANDATANGAN:
        return ()
    given = [role for role in SIGNING_ORDER if payload.get(role)]
    return penandatangan(str(form[0]), str(form[1]), given=given)
