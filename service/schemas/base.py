"""The schema every request body is built from: unknown keys refused, Indonesian messages, no ``None``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load

from service.schemas.fields import indonesiakan

__all__ = [
    "MSG_BUKAN_OBJEK",
    "MSG_TIDAK_DIKENAL",
    "BaseSchema",
    "Kesalahan",
    "SkemaIndonesia",
    "daftar",
    "diisi",
    "kosong",
    "objek",
]

MSG_TIDAK_DIKENAL = "bidang tidak dikenal"
MSG_BUKAN_OBJEK = "harus berupa objek JSON"


class SkemaIndonesia(Schema):
    """Every message a client can get from this schema is Indonesian: its own (unknown key, not an
    object) and, through :func:`~.fields.indonesiakan`, marshmallow's defaults on every field it binds.
    """

    error_messages = {  # noqa: RUF012 - marshmallow reads this class attribute
        "unknown": MSG_TIDAK_DIKENAL,
        "type": MSG_BUKAN_OBJEK,
    }

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:  # type: ignore[type-arg]
        """Marshmallow's English defaults of ``field_obj`` become Indonesian."""
        super().on_bind_field(field_name, field_obj)
        indonesiakan(field_obj)


class BaseSchema(SkemaIndonesia):
    """Refuses unknown keys (a misspelt field is an error, never dropped) and speaks Indonesian.

    Optional fields accept ``null`` as "not given": :meth:`_tanpa_null` removes such keys, so the
    validated payload holds only what the client sent (docs/architecture.md).
    """

    class Meta:
        """Unknown keys are an error at every depth."""

        unknown = RAISE

    @post_load
    def _tanpa_null(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {key: value for key, value in data.items() if value is not None}


Path = Sequence[str | int]


# Cross-field rules read presence from the raw input: marshmallow hands a validator the fields that
# loaded, and a partly valid object without its bad field would look as if that field were not sent.


def objek(value: Any) -> Mapping[str, Any]:
    """A raw JSON object, or an empty one for anything else (its own field reports the type error)."""
    return value if isinstance(value, Mapping) else {}


def daftar(value: Any) -> list[Any]:
    """A raw JSON array, or an empty one for anything else."""
    return value if isinstance(value, list) else []


def kosong(value: Any) -> bool:
    """Whether a raw value is "not given": ``null``, or text that is empty or only whitespace (api.md)."""
    return value is None or (isinstance(value, str) and not value.strip())


def diisi(mapping: Any, key: str) -> bool:
    """Whether a raw object gives ``key`` a value (``null`` and blank text count as not given)."""
    return isinstance(mapping, Mapping) and not kosong(mapping.get(key))


class Kesalahan:
    """Collects cross-field errors under dotted paths, then raises them together.

    ``tambah("kegiatan.2.realisasi", "wajib diisi")`` files the message where marshmallow would
    (list indexes as ``int``), so :func:`service.schemas.flatten_errors` prints the same path.
    """

    def __init__(self) -> None:
        self.messages: dict[str | int, Any] = {}

    def tambah(self, path: str | Path, message: str) -> None:
        """Add ``message`` under the dotted ``path`` (or a sequence of keys and indexes)."""
        parts: list[str | int] = (
            [int(p) if p.isdigit() else p for p in path.split(".")] if isinstance(path, str) else list(path)
        )
        node = self.messages
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):  # a message already sits here; keep both
                child = node[part] = {"_schema": child}
            node = child
        leaf = node.setdefault(parts[-1], [])
        if isinstance(leaf, dict):
            leaf.setdefault("_schema", []).append(message)
        elif message not in leaf:
            leaf.append(message)

    def __bool__(self) -> bool:
        return bool(self.messages)

    def raise_if_any(self) -> None:
        """:raises ValidationError: with every message collected, when there is one."""
        if self.messages:
            raise ValidationError(self.messages)
