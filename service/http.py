"""Request and response bodies of the web layer: strict JSON in, ``Decimal``-aware JSON out."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from flask import Response, request
from flask.json.provider import DefaultJSONProvider

from service.errors import MalformedRequestError, UnsupportedMediaTypeError
from service.jsonio import json_number, parse_json
from service.workflow.operations import StoredFile

__all__ = ["DecimalJSONProvider", "file_response", "json_body"]


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 415/400 problem saying what is wrong with it."""
    if not request.is_json:
        raise UnsupportedMediaTypeError("Isi permintaan harus berjenis application/json.")
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaTypeError("Isi permintaan JSON harus berkodean UTF-8 (RFC 8259).")
    data = request.get_data(cache=True)
    try:
        text: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    # UTF-16/32 without a BOM decodes as "UTF-8" full of NUL bytes, which JSON text never holds.
    if text is None or "\x00" in text:
        raise MalformedRequestError("Isi permintaan bukan UTF-8 yang sah (RFC 8259).")
    if text.startswith("\ufeff"):
        raise MalformedRequestError("Isi permintaan JSON tidak boleh diawali BOM (RFC 8259 §8.1).")
    try:
        body = parse_json(text)
    except json.JSONDecodeError as error:  # Python's message is English: say where, in Indonesian
        raise MalformedRequestError(
            f"JSON tidak valid pada baris {error.lineno}, kolom {error.colno}."
        ) from None
    except RecursionError:
        raise MalformedRequestError("JSON tidak valid: terlalu banyak tingkat bersarang.") from None
    except ValueError as error:  # the refusals of service.jsonio, already Indonesian
        raise MalformedRequestError(f"JSON tidak valid: {error}") from None
    if not isinstance(body, dict):
        raise MalformedRequestError("Isi permintaan harus berupa objek JSON.")
    return body


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return json_number(value)
    return DefaultJSONProvider.default(value)


class DecimalJSONProvider(DefaultJSONProvider):
    """Flask's provider, but ``Decimal`` becomes a JSON number, not a string."""

    default = staticmethod(_default)
    sort_keys = False
    ensure_ascii = False


def file_response(stored: StoredFile) -> Response:
    """A download: the bytes, their type, and the name to save them under."""
    response = Response(stored.data, mimetype=stored.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{stored.filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Signed forms carry personal data: no shared or browser cache keeps a copy.
    response.headers["Cache-Control"] = "no-store"
    return response
