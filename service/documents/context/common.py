"""Formatting shared by every form: text, numbers, dates, identities, the period and signature markers.

Numbers are printed the Indonesian way (decimal comma, thousands dot; scores with 2 decimals), dates
as "15 Januari 2025", free text without the characters XML cannot carry. Every helper accepts any
value (the validated payload or JSON-shaped input) and returns text, ``"-"`` when there is nothing to
print.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from docxtpl import Listing

from service.scoring.vocabulary import COACHING_TYPES, PEJABAT_NEGARA, SIGNING_ORDER, UNIT_TYPES

__all__ = [
    "BAGI",
    "BULAN",
    "MARKERS",
    "angka",
    "as_date",
    "bilangan",
    "clean_text",
    "dash",
    "get_in",
    "grouped",
    "label",
    "listing",
    "numbered",
    "orang",
    "per_pegawai",
    "periode",
    "rupiah",
    "tanggal",
    "to_decimal",
]

#: The invisible text each signature block carries, found again in the PDF by :mod:`..placement`.
MARKERS: Mapping[str, str] = {role: f"[[ttd:{role}]]" for role in SIGNING_ORDER}

BULAN = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)

#: Whom the form is for, by ``jpt`` (the 6/2022 and 8/2021 headings; 8/2021 prints it without "BAGI ").
BAGI = {
    True: "BAGI PEJABAT PIMPINAN TINGGI DAN PIMPINAN UNIT KERJA MANDIRI",
    False: "BAGI PEJABAT ADMINISTRASI DAN PEJABAT FUNGSIONAL",
}

#: How a period kind is printed when it is not merely its id in capitals (forms.md: "AKHIR").
_PERIODE_JENIS_CETAK = {"tahunan": "AKHIR"}

_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"[ \t\r\n\x0b\x0c\u2028\u2029]+")


# --- text --------------------------------------------------------------------------------------------


def clean_text(value: object, *, multiline: bool = False) -> str:
    """Text without the characters XML 1.0 cannot hold; one line unless ``multiline``."""
    if value is None:
        return ""
    text = _CONTROL.sub("", str(value))
    if multiline:
        lines = [_SPACES.sub(" ", line).strip() for line in re.split(r"\r\n|[\r\n\u2028\u2029]", text)]
        return "\n".join(lines).strip()
    return _SPACES.sub(" ", text).strip()


def dash(value: object) -> str:
    """One line of text, or ``"-"`` when there is none."""
    text = clean_text(value)
    return text or "-"


def listing(value: object) -> Listing | str:
    """Free text that may span lines (docxtpl turns newlines into line breaks, escaping the rest)."""
    text = clean_text(value, multiline=True)
    return Listing(text) if text else "-"


def label(value: object) -> str:
    """An id as a printed label: ``sangat_baik`` → ``"Sangat Baik"``; nothing → ``"-"``."""
    text = clean_text(value)
    return text.replace("_", " ").title() if text else "-"


# --- numbers -----------------------------------------------------------------------------------------


def to_decimal(value: object) -> Decimal | None:
    """A finite number from a Decimal, number or numeric text; ``None`` for anything else."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _group_thousands(integer: str) -> str:
    sign = "-" if integer.startswith("-") else ""
    digits = integer.lstrip("-")
    groups: list[str] = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return sign + ".".join(groups)


def angka(value: object, places: int = 2) -> str:
    """A score as printed: ``87.5`` → ``"87,50"``, ``1234.5`` → ``"1.234,50"``; not a number → ``"-"``."""
    number = to_decimal(value)
    if number is None:
        return "-"
    quantum = Decimal(1).scaleb(-places)
    text = f"{number.quantize(quantum, rounding=ROUND_HALF_UP):f}"
    integer, _, fraction = text.partition(".")
    return _group_thousands(integer) + ("," + fraction if fraction else "")


def bilangan(value: object) -> str:
    """A quantity as written: ``12`` → ``"12"``, ``0.5`` → ``"0,5"``, at most 2 decimals."""
    number = to_decimal(value)
    if number is None:
        return dash(value)
    text = angka(number, 2)
    if "," in text:
        text = text.rstrip("0").rstrip(",")
    return text


def rupiah(value: object) -> str:
    """An amount of money: ``1500000`` → ``"Rp 1.500.000"``; not a number → ``"-"``."""
    number = to_decimal(value)
    if number is None:
        return "-"
    return "Rp " + angka(number, 0)


# --- dates -------------------------------------------------------------------------------------------


def tanggal(value: object) -> str:
    """``2025-01-15`` (a date or ISO text) → ``"15 Januari 2025"``; anything else as text or ``"-"``."""
    day: dt.date | None = None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return dash(value)
    if day is None:
        return dash(value)
    return f"{day.day} {BULAN[day.month - 1]} {day.year}"


def as_date(value: object) -> dt.date | None:
    """A date from a date, datetime or ISO text; ``None`` for anything else."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


# --- payload parts -----------------------------------------------------------------------------------


def orang(data: object) -> dict[str, Any]:
    """A person on the form (pegawai, pejabat penilai, atasan): ``ada`` is ``False`` when not given."""
    person: Mapping[str, Any] = data if isinstance(data, Mapping) else {}
    pangkat = clean_text(person.get("pangkat"))
    golongan = clean_text(person.get("golongan"))
    nip = clean_text(person.get("nip"))
    return {
        "ada": bool(person),
        "nama": dash(person.get("nama")),
        "nip": nip or "-",
        "nip_teks": _nip_teks(nip, person.get("jenis_jabatan")),
        "pangkat": pangkat or "-",
        "golongan": golongan or "-",
        "pangkat_golongan": ", ".join(p for p in (pangkat, golongan) if p) or "-",
        "jabatan": dash(person.get("jabatan")),
        "unit_kerja": dash(person.get("unit_kerja")),
        "jenis_jabatan": clean_text(person.get("jenis_jabatan")),
    }


def _nip_teks(nip: str, jenis_jabatan: object) -> str:
    if nip:
        return f"NIP. {nip}"
    # A political official (pejabat_negara) has no NIP: the line stays blank (forms.md A1).
    return "" if jenis_jabatan == PEJABAT_NEGARA else "NIP. -"


def periode(data: object) -> dict[str, str]:
    """The assessed period in the ways the forms print it."""
    given: Mapping[str, Any] = data if isinstance(data, Mapping) else {}
    mulai, selesai = as_date(given.get("mulai")), as_date(given.get("selesai"))
    jenis = clean_text(given.get("jenis")) or "tahunan"
    teks_mulai, teks_selesai = tanggal(mulai), tanggal(selesai)
    bulan = "-"
    if mulai and selesai:
        bulan = f"{BULAN[mulai.month - 1]} - {BULAN[selesai.month - 1]} {selesai.year}".upper()
    return {
        "mulai": teks_mulai,
        "selesai": teks_selesai,
        "teks": f"{teks_mulai} s.d. {teks_selesai}",
        "penilaian": f"{teks_mulai} SD {teks_selesai}".upper(),
        "jenis": jenis,
        "jenis_label": _PERIODE_JENIS_CETAK.get(jenis, jenis.replace("_", " ").upper()),
        "bulan": bulan,
        "tahun": str(selesai.year if selesai else mulai.year if mulai else "-"),
    }


def per_pegawai(
    payload: Mapping[str, Any], hasil: Mapping[str, Any]
) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """The payload and hasil a per-person regime module reads: nothing for a unit or coaching document
    (no SKP, no one pegawai's scores), so that module gives its empty defaults.
    """
    if payload.get("type") in (*UNIT_TYPES, *COACHING_TYPES):
        return {}, {}
    return payload, hasil


def numbered(items: Iterable[object]) -> list[dict[str, Any]]:
    """Free-text items as numbered rows ``{"no", "uraian"}``."""
    return [{"no": str(i), "uraian": listing(item)} for i, item in enumerate(items, start=1)]


def get_in(mapping: object, *path: object) -> Any:
    """The value at ``path`` (keys and list indexes), or ``None`` where the path leaves the data."""
    current: Any = mapping
    for key in path:
        if isinstance(current, Mapping):
            current = current.get(key)
        elif isinstance(current, Sequence) and not isinstance(current, str) and isinstance(key, int):
            current = current[key] if -len(current) <= key < len(current) else None
        else:
            return None
    return current


def grouped(rows: Sequence[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Consecutive rows with the same ``_group`` value form one group (its cells span the group's rows)."""
    groups: list[dict[str, Any]] = []
    for row in rows:
        if groups and groups[-1]["_key"] == row["_group"]:
            groups[-1]["baris"].append(row)
            continue
        groups.append({"_key": row["_group"], "no": str(len(groups) + 1), key: row[key], "baris": [row]})
    for group in groups:
        del group["_key"]
    return groups
