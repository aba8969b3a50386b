"""Fields with the input rules of rules.md §0 and Indonesian messages.

Numbers become :class:`decimal.Decimal` through their text (never via float arithmetic), dates are ISO
``YYYY-MM-DD``, text refuses control characters, and every message a client sees is Indonesian.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from marshmallow import ValidationError, fields, validate
from marshmallow.schema import Schema

__all__ = [
    "MSG_BUKAN_ANGKA",
    "MSG_WAJIB",
    "Angka",
    "Daftar",
    "KosongBerartiTidakAda",
    "Messages",
    "Objek",
    "Panjang",
    "Pesan",
    "Pilihan",
    "Pola",
    "Rentang",
    "SalahSatu",
    "Tanggal",
    "Teks",
    "UrlHttps",
    "YaTidak",
    "indonesiakan",
]

MSG_WAJIB = "wajib diisi"
MSG_KOSONG = "tidak boleh kosong (null)"
MSG_BUKAN_ANGKA = "harus berupa angka"

#: Inputs larger than this (in absolute value) are refused: no SKP quantity or rupiah amount comes
#: near it, and an unbounded exponent would make the arithmetic of the scoring step arbitrarily slow.
ANGKA_MAKSIMUM = Decimal(10) ** 15
#: Most decimal places accepted; more are a sign of a float printed carelessly, not of a measurement.
DESIMAL_MAKSIMUM = 10

#: The type marshmallow declares for ``default_error_messages``.
Messages = dict[str, str | list[Any] | dict[Any, Any]]

_SATU = Decimal(1)
_ANGKA_TEKS = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")
_TANGGAL_TEKS = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Bidirectional overrides and isolates can make a signed name read differently from what is stored.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


#: Indonesian for every message marshmallow itself can raise, keyed by its English default
#: (``marshmallow.fields`` and ``marshmallow.validate``); :func:`indonesiakan` applies it to a field.
PESAN_MARSHMALLOW: Mapping[str, str] = {
    "Missing data for required field.": MSG_WAJIB,
    "Field may not be null.": MSG_KOSONG,
    "Invalid value.": "nilai tidak sah",
    "Invalid input.": "nilai tidak sah",
    "Not a valid string.": "harus berupa teks",
    "Not a valid utf-8 string.": "harus berupa teks UTF-8 yang sah",
    "Not a valid integer.": "harus bilangan bulat",
    "Not a valid number.": MSG_BUKAN_ANGKA,
    "Number too large.": "angka terlalu besar",
    "Special numeric values (nan or infinity) are not permitted.": (
        "harus berupa angka yang terhingga (bukan NaN atau Infinity)"
    ),
    "Not a valid boolean.": "harus true atau false",
    "Not a valid date.": "harus berupa tanggal ISO YYYY-MM-DD yang sah",
    '"{input}" cannot be formatted as a date.': "harus berupa tanggal ISO YYYY-MM-DD yang sah",
    "Not a valid {obj_type}.": "harus berupa tanggal/waktu ISO 8601 yang sah",
    "Not a valid {awareness} {obj_type}.": "harus berupa tanggal/waktu ISO 8601 dengan zona waktu yang tepat",
    '"{input}" cannot be formatted as a {obj_type}.': "harus berupa tanggal/waktu ISO 8601 yang sah",
    "Not a valid period of time.": "harus berupa jangka waktu yang sah",
    "{input!r} cannot be formatted as a timedelta.": "harus berupa jangka waktu yang sah",
    "Not a valid email address.": "harus berupa alamat email yang sah",
    "Not a valid URL.": "harus berupa URL yang sah",
    "Not a valid UUID.": "harus berupa UUID yang sah",
    "Not a valid IP address.": "harus berupa alamat IP yang sah",
    "Not a valid IPv4 address.": "harus berupa alamat IPv4 yang sah",
    "Not a valid IPv6 address.": "harus berupa alamat IPv6 yang sah",
    "Not a valid IP interface.": "harus berupa antarmuka IP yang sah",
    "Not a valid IPv4 interface.": "harus berupa antarmuka IPv4 yang sah",
    "Not a valid IPv6 interface.": "harus berupa antarmuka IPv6 yang sah",
    "Not a valid list.": "harus berupa daftar (array JSON)",
    "Not a valid tuple.": "harus berupa daftar (array JSON)",
    "Not a valid mapping type.": "harus berupa objek JSON",
    "Invalid type.": "harus berupa objek JSON",
    "Must be one of: {choices}.": "harus salah satu dari {choices}",
    "Must be equal to {other}.": "harus sama dengan {other}",
    "One or more of the choices you made was in: {values}.": "tidak boleh memuat {values}",
    "One or more of the choices you made was not in: {choices}.": "hanya boleh memuat {choices}",
    "String does not match expected pattern.": "bentuknya tidak sesuai aturan",
}


class SalahSatu(validate.OneOf):
    """``OneOf`` in Indonesian; the message lists the choices (``harus salah satu dari a, b``)."""

    default_message = PESAN_MARSHMALLOW[validate.OneOf.default_message]


class Pola(validate.Regexp):
    """``Regexp`` in Indonesian (give ``error=`` saying what the pattern asks for, when it can)."""

    default_message = PESAN_MARSHMALLOW[validate.Regexp.default_message]


class Panjang(validate.Length):
    """``Length`` in Indonesian: characters for text, items for a list."""

    message_min = "minimal {min} {satuan}"
    message_max = "paling banyak {max} {satuan}"
    message_all = "harus {min} sampai {max} {satuan}"
    message_equal = "harus tepat {equal} {satuan}"

    def _format_error(self, value: Any, message: str) -> str:
        satuan = "karakter" if isinstance(value, str) else "butir"
        return (self.error or message).format(
            input=value, min=self.min, max=self.max, equal=self.equal, satuan=satuan
        )


class Rentang(validate.Range):
    """``Range`` in Indonesian, with the words of :class:`Angka` (``paling rendah 1``)."""

    def __init__(
        self,
        min: Any = None,
        max: Any = None,
        *,
        min_inclusive: bool = True,
        max_inclusive: bool = True,
        error: str | None = None,
    ) -> None:
        super().__init__(min, max, min_inclusive=min_inclusive, max_inclusive=max_inclusive, error=error)
        bawah = "paling rendah {min}" if min_inclusive else "harus lebih dari {min}"
        atas = "paling tinggi {max}" if max_inclusive else "harus kurang dari {max}"
        self.message_min = bawah
        self.message_max = atas
        both = min_inclusive and max_inclusive
        self.message_all = "harus antara {min} dan {max}" if both else f"{bawah} dan {atas}"


def _validator_indonesia(validator: Any) -> Any:
    """The same rule with an Indonesian message, for a stock marshmallow validator left English."""
    if isinstance(validator, validate.Length) and not isinstance(validator, Panjang) and not validator.error:
        return Panjang(validator.min, validator.max, equal=validator.equal)
    if isinstance(validator, validate.Range) and not isinstance(validator, Rentang) and not validator.error:
        return Rentang(
            validator.min,
            validator.max,
            min_inclusive=validator.min_inclusive,
            max_inclusive=validator.max_inclusive,
        )
    error = getattr(validator, "error", None)
    if isinstance(error, str) and error in PESAN_MARSHMALLOW:
        validator.error = PESAN_MARSHMALLOW[error]
    return validator


def indonesiakan(field: fields.Field) -> None:  # type: ignore[type-arg]
    """Replace every English default message of ``field`` (its own, its validators', and those of
    the fields inside a list, tuple or dict) by its Indonesian one; messages already set stay.

    Called by the base schemas for every field they bind, so a plain marshmallow field or validator
    in a schema still answers in Indonesian.
    """
    field.error_messages = {
        key: PESAN_MARSHMALLOW.get(message, message) if isinstance(message, str) else message
        for key, message in field.error_messages.items()
    }
    field.validators = [_validator_indonesia(v) for v in field.validators]
    inner: list[Any] = [getattr(field, "inner", None), getattr(field, "key_field", None)]
    inner += [getattr(field, "value_field", None), *getattr(field, "tuple_fields", ())]
    for child in inner:
        if isinstance(child, fields.Field):
            indonesiakan(child)


class Pesan:
    """Indonesian defaults for the messages every field can raise."""

    default_error_messages: Messages = {  # noqa: RUF012 - marshmallow merges it along the MRO
        "required": MSG_WAJIB,
        "null": MSG_KOSONG,
        "validator_failed": "nilai tidak sah",
    }


class KosongBerartiTidakAda:
    """An optional text field of an object given as ``""`` or only whitespace is "not given" (api.md
    conventions), never "wajib diisi": it loads as ``None``, which :class:`~.base.BaseSchema` drops.

    Only a field of an object counts: an item of a list (``Daftar(Teks(…))``) is not optional, and a
    blank item is still refused.
    """

    required: bool
    parent: Any

    def deserialize(self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any) -> Any:
        """``None`` for blank text in an optional field of an object; otherwise the field's own."""
        if (
            not self.required
            and isinstance(self.parent, Schema)
            and isinstance(value, str)
            and not value.strip()
        ):
            return None
        return super().deserialize(value, attr, data, **kwargs)  # type: ignore[misc]


def _meta(description: str, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {"description": description, **(extra or {})}


class Angka(Pesan, fields.Decimal):
    """A JSON number or numeric string as an exact ``Decimal``; booleans, NaN and Infinity are refused.

    :param minimum: lowest accepted value; with ``lebih_dari=True`` the value must exceed it.
    :param maksimum: highest accepted value (inclusive).
    """

    default_error_messages: Messages = {  # noqa: RUF012 - marshmallow merges it along the MRO
        "invalid": MSG_BUKAN_ANGKA,
        "special": "harus berupa angka yang terhingga (bukan NaN atau Infinity)",
        "too_large": "angka terlalu besar",
        "places": f"paling banyak {DESIMAL_MAKSIMUM} angka di belakang koma",
    }

    def __init__(
        self,
        description: str,
        *,
        minimum: Decimal | int | None = None,
        maksimum: Decimal | int | None = None,
        lebih_dari: bool = False,
        **kwargs: Any,
    ) -> None:
        self.minimum = None if minimum is None else Decimal(minimum)
        self.maksimum = None if maksimum is None else Decimal(maksimum)
        self.lebih_dari = lebih_dari
        extra: dict[str, Any] = {}
        if self.minimum is not None:
            extra["exclusiveMinimum" if lebih_dari else "minimum"] = _json_angka(self.minimum)
        if self.maksimum is not None:
            extra["maximum"] = _json_angka(self.maksimum)
        super().__init__(metadata=_meta(description, extra), **kwargs)

    def _validated(self, value: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
            raise self.make_error("invalid")
        try:
            text = value.strip() if isinstance(value, str) else str(value)
        except ValueError:  # an int too long for str() (sys.int_info.str_digits_check_threshold)
            raise self.make_error("too_large") from None
        if isinstance(value, str) and not _ANGKA_TEKS.fullmatch(text):
            lowered = text.lower().lstrip("+-")
            raise self.make_error("special" if lowered in {"nan", "snan", "inf", "infinity"} else "invalid")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise self.make_error("invalid") from None
        if not number.is_finite():
            raise self.make_error("special")
        if number.copy_abs() >= ANGKA_MAKSIMUM:  # copy_abs: no context, no Overflow on 1e9999999999
            raise self.make_error("too_large")
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -DESIMAL_MAKSIMUM:
            raise self.make_error("places")
        if isinstance(exponent, int) and exponent > 0:  # "1e2" is shown as 100, not 1E+2
            number = number.quantize(_SATU)
        if number.is_zero():
            number = abs(number)  # no "-0" on a form
        self._batas(number)
        return number

    def _batas(self, number: Decimal) -> None:
        low, high = self.minimum, self.maksimum
        if low is not None and self.lebih_dari and number <= low:
            raise ValidationError(f"harus lebih dari {_teks(low)}")
        below = low is not None and number < low
        above = high is not None and number > high
        if not (below or above):
            return
        if low is not None and high is not None and not self.lebih_dari:
            raise ValidationError(f"harus antara {_teks(low)} dan {_teks(high)}")
        if high is not None and above:
            raise ValidationError(f"paling tinggi {_teks(high)}")
        if low is not None:
            raise ValidationError("tidak boleh negatif" if low == 0 else f"paling rendah {_teks(low)}")


def _teks(number: Decimal) -> str:
    return f"{number:f}"


def _json_angka(number: Decimal) -> int | float:
    # For the OpenAPI document only; bounds are small round numbers, exact as int or float.
    return int(number) if number == number.to_integral_value() else float(number)


#: Every character :func:`periksa_teks` may object to (Cc, Cs, bidi overrides, newline, tab).
_SUSPECT = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff" + "".join(sorted(_BIDI)) + "]")


def periksa_teks(value: str, *, multiline: bool) -> str | None:
    """The message for text with forbidden characters, or ``None``.

    Control characters are refused except newline and tab in multi-line text; so are unpaired
    surrogates (not encodable as UTF-8) and bidirectional overrides.
    """
    if _SUSPECT.search(value) is None:  # the common case, without a per-character loop
        return None
    for char in value:
        if char in "\n\t":
            if not multiline:
                return "tidak boleh memuat baris baru atau tab"
            continue
        category = unicodedata.category(char)
        if category in ("Cc", "Cs") or char in _BIDI:
            return f"memuat karakter kendali yang tidak diizinkan (U+{ord(char):04X})"
    return None


class Teks(KosongBerartiTidakAda, Pesan, fields.String):
    """Text with a maximum length and no control characters; a required text must not be blank.

    :param multiline: allow newlines and tabs (free text such as umpan balik); names do not.
    """

    default_error_messages: Messages = {"invalid": "harus berupa teks"}  # noqa: RUF012

    def __init__(
        self,
        description: str,
        *,
        max_length: int = 300,
        multiline: bool = False,
        boleh_kosong: bool = False,
        **kwargs: Any,
    ) -> None:
        self.max_length = max_length
        self.multiline = multiline
        self.boleh_kosong = boleh_kosong
        extra: dict[str, Any] = {"maxLength": max_length}
        if not boleh_kosong and kwargs.get("required"):
            extra["minLength"] = 1
        super().__init__(metadata=_meta(description, extra), **kwargs)

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not self.boleh_kosong and not text.strip():
            raise ValidationError(MSG_WAJIB)
        if len(text) > self.max_length:
            raise ValidationError(f"paling banyak {self.max_length} karakter")
        problem = periksa_teks(text, multiline=self.multiline)
        if problem:
            raise ValidationError(problem)
        return text


class Pilihan(KosongBerartiTidakAda, Pesan, fields.String):
    """One of a fixed set of ids (lower case, underscores); the message lists them.

    :param listed: the ids the message lists when they are more than this field takes (a document's
        ``type``: each schema takes its own, a client may send any of :data:`DOCUMENT_TYPES`).
    """

    default_error_messages: Messages = {"invalid": "harus berupa teks"}  # noqa: RUF012

    def __init__(
        self, description: str, choices: Iterable[str], *, listed: Iterable[str] | None = None, **kwargs: Any
    ) -> None:
        self.choices = tuple(choices)
        self.listed = tuple(listed) if listed is not None else self.choices
        super().__init__(metadata=_meta(description, {"enum": list(self.choices)}), **kwargs)

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if text not in self.choices:
            raise ValidationError("harus salah satu dari " + ", ".join(self.listed))
        return text


class Tanggal(Pesan, fields.Date):
    """An ISO 8601 calendar date ``YYYY-MM-DD`` as :class:`datetime.date`."""

    default_error_messages: Messages = {  # noqa: RUF012 - marshmallow merges it along the MRO
        "invalid": "harus berupa tanggal ISO YYYY-MM-DD yang sah",
        "format": "harus berupa tanggal ISO YYYY-MM-DD yang sah",
    }

    def __init__(self, description: str, **kwargs: Any) -> None:
        super().__init__(metadata=_meta(description), **kwargs)

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> date:
        parsed = parse_tanggal(value)
        if parsed is None:
            raise self.make_error("invalid")
        return parsed


def parse_tanggal(value: object) -> date | None:
    """``YYYY-MM-DD`` → ``date``; ``None`` for anything else (shared with the regime dispatch)."""
    if not isinstance(value, str) or not _TANGGAL_TEKS.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


class YaTidak(Pesan, fields.Boolean):
    """A JSON ``true`` or ``false``; strings and numbers such as ``"yes"`` or ``1`` are refused."""

    default_error_messages: Messages = {"invalid": "harus true atau false"}  # noqa: RUF012

    def __init__(self, description: str, **kwargs: Any) -> None:
        super().__init__(metadata=_meta(description), **kwargs)

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class UrlHttps(KosongBerartiTidakAda, Pesan, fields.Url):
    """An absolute ``https`` URL (webhooks are never sent in clear text)."""

    default_error_messages: Messages = {"invalid": "harus berupa URL https yang sah"}  # noqa: RUF012

    def __init__(self, description: str, *, max_length: int = 2000, **kwargs: Any) -> None:
        self.max_length = max_length
        super().__init__(
            schemes={"https"},
            require_tld=False,
            metadata=_meta(description, {"maxLength": max_length}),
            **kwargs,
        )

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> Any:
        if isinstance(value, str) and len(value) > self.max_length:
            raise ValidationError(f"paling banyak {self.max_length} karakter")
        return super()._deserialize(value, attr, data, **kwargs)


class Email(KosongBerartiTidakAda, Pesan, fields.Email):
    """An e-mail address (contact data; never shown on a form)."""

    default_error_messages: Messages = {"invalid": "harus berupa alamat email yang sah"}  # noqa: RUF012

    def __init__(self, description: str, **kwargs: Any) -> None:
        super().__init__(
            validate=validate.Length(max=254, error="paling banyak {max} karakter"),
            metadata=_meta(description, {"maxLength": 254}),
            **kwargs,
        )


class Objek(Pesan, fields.Nested):
    """A nested object validated by its own schema (unknown keys refused there)."""

    default_error_messages: Messages = {"type": "harus berupa objek JSON"}  # noqa: RUF012

    def __init__(self, nested: type[Schema], description: str, **kwargs: Any) -> None:
        super().__init__(nested, metadata=_meta(description), **kwargs)


class Daftar(Pesan, fields.List):  # type: ignore[type-arg]
    """A JSON array with a bounded number of items (``minimum`` … ``maksimum``)."""

    default_error_messages: Messages = {"invalid": "harus berupa daftar (array JSON)"}  # noqa: RUF012

    def __init__(
        self,
        item: fields.Field,  # type: ignore[type-arg]
        description: str,
        *,
        minimum: int = 0,
        maksimum: int = 1000,
        **kwargs: Any,
    ) -> None:
        self.minimum = minimum
        self.maksimum = maksimum
        extra: dict[str, Any] = {"maxItems": maksimum}
        if minimum:
            extra["minItems"] = minimum
        super().__init__(item, metadata=_meta(description, extra), **kwargs)

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> Any:
        # Count before validating the items: a list far too long is refused without reading it.
        if isinstance(value, list | tuple):
            if len(value) > self.maksimum:
                raise ValidationError(f"paling banyak {self.maksimum} baris")
            if len(value) < self.minimum:
                message = "minimal satu baris" if self.minimum == 1 else f"minimal {self.minimum} baris"
                raise ValidationError(message)
        return super()._deserialize(value, attr, data, **kwargs)
