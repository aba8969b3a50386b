"""Arithmetic shared by the three regimes (rules.md §0); the ids and labels are in :mod:`.vocabulary`.

Everything is :class:`decimal.Decimal`: several boundaries are exact (efficiency 24 %, capaian 100 %,
nilai 110) and binary floats land on the wrong side of them. Values keep full precision until they are
shown; :func:`round2` is the only rounding of a shown value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Any

from service.scoring.vocabulary import JABATAN_STRUKTURAL, LABELS

__all__ = [
    "CONTEXT",
    "JABATAN_STRUKTURAL",
    "LABELS",
    "ScoringError",
    "angka",
    "angka_opsional",
    "label",
    "mean",
    "periksa_kepemimpinan",
    "round2",
    "round2_opsional",
    "round_whole",
    "to_decimal",
    "with_label",
]

#: Working precision for a scoring run. 50 significant digits keep divisions such as 266 / 3 far
#: beyond anything shown, whatever the caller's thread context says.
CONTEXT = Context(prec=50)

HUNDRED = Decimal(100)
_CENT = Decimal("0.01")
_ONE = Decimal(1)


class ScoringError(ValueError):
    """A rule the schema cannot see was broken; the web layer answers 422 with ``field``.

    :param field: dotted path into the payload (``skp.kegiatan.2.target.waktu``).
    :param message: Indonesian, shown to the official next to the field.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def to_decimal(value: object, field: str = "") -> Decimal:
    """Convert a JSON number or numeric string through ``str`` (never via float arithmetic)."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, float, str)):
        raise ScoringError(field, "harus berupa angka")
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise ScoringError(field, "harus berupa angka") from None
    if not number.is_finite():
        raise ScoringError(field, "harus berupa angka yang terhingga")
    return number


def round2(value: Decimal) -> Decimal:
    """Round half-up to 2 decimals: the value as shown on the form and in the API (rules.md §0)."""
    # Enough digits for the integer part, so quantize never runs out of precision on a large value.
    context = Context(prec=max(28, value.adjusted() + 4), rounding=ROUND_HALF_UP)
    return value.quantize(_CENT, context=context)


def round2_opsional(value: Decimal | None) -> Decimal | None:
    """:func:`round2` for a value that may be absent (biaya without target, an empty rater group)."""
    return None if value is None else round2(value)


def round_whole(value: Decimal) -> Decimal:
    """Round half-up to a whole number (used for the 8/2021 capaian policy)."""
    context = Context(prec=max(28, value.adjusted() + 2), rounding=ROUND_HALF_UP)
    return value.quantize(_ONE, context=context)


def mean(values: Iterable[Decimal]) -> Decimal:
    """Arithmetic mean at full precision; callers make sure there is at least one value."""
    items = list(values)
    return sum(items, Decimal(0)) / len(items)


def label(id_: str) -> str:
    """The Indonesian label of an id: ``sangat_baik`` → ``Sangat Baik``."""
    return LABELS.get(id_) or id_.replace("_", " ").title()


def with_label(key: str, id_: str) -> dict[str, str]:
    """``{key: id, key_label: label}``: every id in a response has its label beside it (api.md)."""
    return {key: id_, f"{key}_label": label(id_)}


def periksa_kepemimpinan(dinilai: bool, jenis_jabatan: str, field: str) -> None:
    """Kepemimpinan is rated exactly for jabatan struktural (rules.md §2; §3 applies the same rule).

    :raises ScoringError: kepemimpinan given for a non-struktural jabatan, or missing for a struktural one.
    """
    if jenis_jabatan in JABATAN_STRUKTURAL and not dinilai:
        raise ScoringError(field, "wajib diisi untuk jabatan struktural (JPT, administrator, pengawas)")
    if jenis_jabatan not in JABATAN_STRUKTURAL and dinilai:
        raise ScoringError(field, "hanya dinilai untuk jabatan struktural (JPT, administrator, pengawas)")


def angka_opsional(
    data: Mapping[str, Any],
    key: str,
    field: str,
    *,
    lebih_dari_nol: bool = False,
    maksimum: Decimal | None = None,
) -> Decimal | None:
    """Read an optional number from a payload mapping, checking what scoring divides by or bounds.

    The schema validates these already; scoring checks again because it is also called directly,
    and a zero target would otherwise surface as a division error instead of a 422.
    """
    if data.get(key) is None:
        return None
    path = f"{field}.{key}" if field else key
    number = to_decimal(data[key], path)
    if lebih_dari_nol and number <= 0:
        raise ScoringError(path, "harus lebih dari 0")
    if number < 0:
        raise ScoringError(path, "tidak boleh negatif")
    if maksimum is not None and number > maksimum:
        raise ScoringError(path, f"paling tinggi {maksimum}")
    return number


def angka(
    data: Mapping[str, Any],
    key: str,
    field: str,
    *,
    lebih_dari_nol: bool = False,
    maksimum: Decimal | None = None,
) -> Decimal:
    """Read a required number; see :func:`angka_opsional`."""
    number = angka_opsional(data, key, field, lebih_dari_nol=lebih_dari_nol, maksimum=maksimum)
    if number is None:
        raise ScoringError(f"{field}.{key}" if field else key, "wajib diisi")
    return number
