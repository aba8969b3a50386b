"""NIP, golongan/ruang and pangkat of civil servants (rules.md §5). Standard library only.

The ``periksa_*`` functions return a list of Indonesian messages, empty when the value is fine, so a
schema can put every message on its field at once; :func:`uraikan_nip` raises instead, for callers
that want the parts of a NIP they already trust.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

__all__ = [
    "GOLONGAN_PNS",
    "GOLONGAN_PPPK",
    "KODE_PPPK",
    "PANGKAT",
    "Nip",
    "NipError",
    "jenis_golongan",
    "pangkat_untuk",
    "periksa_golongan",
    "periksa_nip",
    "periksa_pangkat",
    "uraikan_nip",
]

#: Golongan/ruang of a PNS → pangkat (Peraturan BKN; I/a Juru Muda … IV/e Pembina Utama).
PANGKAT: Mapping[str, str] = {
    "I/a": "Juru Muda",
    "I/b": "Juru Muda Tingkat I",
    "I/c": "Juru",
    "I/d": "Juru Tingkat I",
    "II/a": "Pengatur Muda",
    "II/b": "Pengatur Muda Tingkat I",
    "II/c": "Pengatur",
    "II/d": "Pengatur Tingkat I",
    "III/a": "Penata Muda",
    "III/b": "Penata Muda Tingkat I",
    "III/c": "Penata",
    "III/d": "Penata Tingkat I",
    "IV/a": "Pembina",
    "IV/b": "Pembina Tingkat I",
    "IV/c": "Pembina Utama Muda",
    "IV/d": "Pembina Utama Madya",
    "IV/e": "Pembina Utama",
}

#: Golongan/ruang of a PNS, lowest first.
GOLONGAN_PNS: tuple[str, ...] = tuple(PANGKAT)

#: Golongan of a PPPK (Perpres 98/2020), lowest first; a PPPK has no pangkat.
GOLONGAN_PPPK: tuple[str, ...] = (
    "I",
    "II",
    "III",
    "IV",
    "V",
    "VI",
    "VII",
    "VIII",
    "IX",
    "X",
    "XI",
    "XII",
    "XIII",
    "XIV",
    "XV",
    "XVI",
    "XVII",
)

#: Digits 13–14 of a PPPK's nomor induk: where a PNS NIP has the TMT month, the NI PPPK has ``21``.
KODE_PPPK = "21"

_NIP = re.compile(r"[0-9]{18}")
_TAHUN_MINIMUM = 1900
_TAHUN_MAKSIMUM = 2100
_TINGKAT = re.compile(r"\btk\.?\s*(i+)\b")
_SPASI = re.compile(r"\s+")


class NipError(ValueError):
    """A NIP that is not well formed; ``messages`` holds every problem found, in Indonesian."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class Nip:
    """The parts of an 18-digit NIP (or NI PPPK)."""

    tanggal_lahir: date
    """Digits 1–8, YYYYMMDD."""

    tahun_pengangkatan: int
    """Digits 9–12: the year of the TMT CPNS (or of the PPPK appointment)."""

    bulan_pengangkatan: int | None
    """Digits 13–14: the month of the TMT CPNS; ``None`` for a NI PPPK (code ``21``)."""

    jenis_kelamin: Literal["pria", "wanita"]
    """Digit 15: 1 = pria, 2 = wanita."""

    nomor_urut: int
    """Digits 16–18: sequence number, 1–999."""


def _tanggal_lahir(digits: str) -> date | None:
    try:
        born = date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None
    return born if _TAHUN_MINIMUM <= born.year <= _TAHUN_MAKSIMUM else None


def _periksa(nip: object, pppk: bool | None) -> tuple[list[str], Nip | None]:
    if not isinstance(nip, str) or not _NIP.fullmatch(nip):
        return ["NIP harus terdiri atas 18 angka"], None
    messages = []
    born = _tanggal_lahir(nip[0:8])
    if born is None:
        messages.append("tanggal lahir pada NIP (angka 1–8, YYYYMMDD) bukan tanggal yang sah")
    tahun, bulan_teks = int(nip[8:12]), nip[12:14]
    is_pppk = bulan_teks == KODE_PPPK and pppk is not False
    bulan = None if is_pppk else int(bulan_teks)
    if bulan is not None and not 1 <= bulan <= 12:
        if pppk:
            messages.append(f"angka 13–14 NI PPPK harus {KODE_PPPK}")
        else:
            messages.append("TMT CPNS pada NIP (angka 9–14, YYYYMM) bukan bulan yang sah")
    elif pppk and not is_pppk:
        messages.append(f"angka 13–14 NI PPPK harus {KODE_PPPK}")
    if not _TAHUN_MINIMUM <= tahun <= _TAHUN_MAKSIMUM:
        messages.append("tahun pengangkatan pada NIP (angka 9–12) tidak masuk akal")
    elif born is not None and (tahun, bulan or 12) <= (born.year, born.month):
        messages.append("TMT pengangkatan pada NIP tidak boleh sebelum tanggal lahir")
    if nip[14] not in "12":
        messages.append("kode jenis kelamin pada NIP (angka 15) harus 1 (pria) atau 2 (wanita)")
    if nip[15:18] == "000":
        messages.append("nomor urut pada NIP (angka 16–18) tidak boleh 000")
    if messages or born is None:
        return messages, None
    return messages, Nip(
        tanggal_lahir=born,
        tahun_pengangkatan=tahun,
        bulan_pengangkatan=bulan,
        jenis_kelamin="pria" if nip[14] == "1" else "wanita",
        nomor_urut=int(nip[15:18]),
    )


def periksa_nip(nip: object, *, pppk: bool | None = False) -> list[str]:
    """Every problem of a NIP: 18 digits, birth date, TMT month after birth, sex digit, sequence.

    :param pppk: ``False`` for a PNS (digits 13–14 a month), ``True`` for a PPPK (digits 13–14 must be
        :data:`KODE_PPPK`), ``None`` when either may occur (e.g. a unit list without golongan).
    :returns: Indonesian messages; empty when the NIP is well formed.
    """
    return _periksa(nip, pppk)[0]


def uraikan_nip(nip: str, *, pppk: bool | None = False) -> Nip:
    """The parts of a well-formed NIP.

    :raises NipError: with every message :func:`periksa_nip` finds.
    """
    messages, parts = _periksa(nip, pppk)
    if parts is None:
        raise NipError(messages)
    return parts


def jenis_golongan(golongan: object) -> Literal["pns", "pppk"] | None:
    """``pns`` for I/a … IV/e, ``pppk`` for I … XVII, ``None`` for anything else (exact spelling)."""
    if golongan in PANGKAT:
        return "pns"
    if golongan in GOLONGAN_PPPK:
        return "pppk"
    return None


def periksa_golongan(golongan: object) -> list[str]:
    """A problem with a golongan/ruang, or none: PNS ``I/a`` … ``IV/e`` or PPPK ``I`` … ``XVII``."""
    if jenis_golongan(golongan) is None:
        return ["golongan harus berupa golongan/ruang PNS (I/a … IV/e) atau golongan PPPK (I … XVII)"]
    return []


def pangkat_untuk(golongan: str) -> str | None:
    """The pangkat of a PNS golongan/ruang (``III/a`` → ``Penata Muda``); ``None`` for PPPK or unknown."""
    return PANGKAT.get(golongan)


def _normal(pangkat: str) -> str:
    # "Penata Muda Tk. I" and "penata muda tingkat i" are the same pangkat as "Penata Muda Tingkat I".
    text = _SPASI.sub(" ", pangkat.strip().lower())
    return _TINGKAT.sub(lambda m: f"tingkat {m.group(1)}", text)


def periksa_pangkat(golongan: object, pangkat: object) -> list[str]:
    """Problems with the pangkat for a golongan; nothing is said when the golongan itself is invalid.

    A PNS pangkat must match its golongan/ruang (case, spacing and ``Tk.`` for ``Tingkat`` aside);
    a PPPK has no pangkat.
    """
    jenis = jenis_golongan(golongan)
    if jenis == "pppk":
        return ["PPPK tidak memiliki pangkat; kosongkan pangkat"]
    if jenis is None:
        return []
    expected = PANGKAT[str(golongan)]
    if not isinstance(pangkat, str) or _normal(pangkat) != _normal(expected):
        return [f"tidak sesuai dengan golongan {golongan}; seharusnya {expected}"]
    return []
