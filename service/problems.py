"""The one place that turns every error into RFC 9457 problem details (``application/problem+json``)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, json
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from service.errors import DETAIL_ID, FieldError, ServiceError
from service.schemas import flatten_errors
from service.scoring import ScoringError

__all__ = ["PROBLEM_JSON", "init_app", "problem"]

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

#: RFC 9110 names where Python 3.11's ``HTTPStatus`` still has the RFC 7231 ones.
TITLES: Mapping[int, str] = {413: "Content Too Large", 414: "URI Too Long", 422: "Unprocessable Content"}


def problem(
    status: int,
    detail: str | None = None,
    *,
    errors: Sequence[FieldError] = (),
    type_: str = "about:blank",
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> Response:
    """An ``application/problem+json`` response (RFC 9457); ``title`` is the English status phrase."""
    body: dict[str, Any] = {
        "type": type_,
        "title": TITLES.get(status) or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail or DETAIL_ID.get(status, ""),
    }
    if errors:
        body["errors"] = list(errors)
    body.update(extra)
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _handle_service_error(error: ServiceError) -> Response:
    return problem(
        error.status,
        error.detail,
        errors=error.errors,
        type_=error.type,
        headers=error.headers,
        **error.extra,
    )


def _handle_validation_error(error: ValidationError) -> Response:
    messages = error.messages if isinstance(error.messages, dict) else {"": error.messages}
    return problem(422, DETAIL_ID[422], errors=flatten_errors(messages))


def _handle_scoring_error(error: ScoringError) -> Response:
    """A rule the schema cannot see (scoring): 422 naming the field, like a schema error."""
    return problem(422, DETAIL_ID[422], errors=[{"field": error.field, "message": error.message}])


def _handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    headers = {k: v for k, v in error.get_headers() if k.lower() not in ("content-type",)}
    headers.pop("Content-Length", None)
    return problem(status, DETAIL_ID.get(status, error.description), headers=headers)


def _handle_unexpected(error: Exception) -> Response:
    log.exception("Unhandled error", exc_info=error)
    return problem(500)


def init_app(app: Flask) -> None:
    """Register the handlers: no error leaves the service as HTML or with a stack trace."""
    app.register_error_handler(ServiceError, _handle_service_error)
    app.register_error_handler(ValidationError, _handle_validation_error)
    app.register_error_handler(ScoringError, _handle_scoring_error)
    app.register_error_handler(HTTPException, _handle_http_exception)
    app.register_error_handler(Exception, _handle_unexpected)
