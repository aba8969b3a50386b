"""The ``/api/v1`` blueprint object, apart from the package so that views import it without a cycle."""

from typing import Any

from flask import Blueprint, request
from werkzeug.exceptions import NotFound, RequestURITooLarge

__all__ = ["MAX_REQUEST_TARGET", "bp"]

#: Longest request target (path and query, as sent) the API reads: below gunicorn's request-line
#: limit (4094 bytes with the method and version), so that the answer is a problem document.
MAX_REQUEST_TARGET = 4000

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
def _bounded_target() -> None:
    """414 for a request target longer than :data:`MAX_REQUEST_TARGET`, before anything reads it."""
    target = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.full_path
    if len(target) > MAX_REQUEST_TARGET:
        raise RequestURITooLarge


@bp.url_value_preprocessor
def _no_control_characters(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    """A path value with a control character names nothing (404); PostgreSQL would refuse NUL."""
    for value in (values or {}).values():
        if isinstance(value, str) and any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
            raise NotFound
