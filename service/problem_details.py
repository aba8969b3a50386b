"""What an error says as RFC 9457 problem details, without Flask: the API's error answers
(:mod:`service.problems`) and a batch item's ``problem`` (:mod:`service.workflow.batches`) are one
and the same body.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from marshmallow import ValidationError

from service.errors import DETAIL_ID, FieldError, ServiceError
from service.schemas import flatten_errors
from service.scoring import ScoringError

__all__ = ["TITLES", "Problem", "describe", "title"]

#: RFC 9110 names where Python 3.11's ``HTTPStatus`` still has the RFC 7231 ones.
TITLES: Mapping[int, str] = {413: "Content Too Large", 414: "URI Too Long", 422: "Unprocessable Content"}


def title(status: int) -> str:
    """The problem's ``title``: the English status phrase (RFC 9110)."""
    return TITLES.get(status) or HTTPStatus(status).phrase


@dataclass(frozen=True)
class Problem:
    """One problem: its status, Indonesian detail, the fields and rules broken, and its kind."""

    status: int
    detail: str
    errors: Sequence[FieldError] = field(default_factory=list)
    slug: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)

    def body(self, type_uri: str) -> dict[str, Any]:
        """The ``application/problem+json`` body, ``type_uri`` being the page of its kind."""
        body: dict[str, Any] = {
            "type": type_uri,
            "title": title(self.status),
            "status": self.status,
            "detail": self.detail or DETAIL_ID.get(self.status, ""),
        }
        if self.errors:
            body["errors"] = [dict(e) for e in self.errors]
        body.update(self.extra)
        return body


def describe(error: ServiceError | ValidationError | ScoringError) -> Problem:
    """The problem an error answers: a service error as it says, a schema or a scoring rule as 422
    naming each field.
    """
    if isinstance(error, ValidationError):
        messages = error.messages if isinstance(error.messages, dict) else {"": error.messages}
        return Problem(422, DETAIL_ID[422], flatten_errors(messages), slug="validation")
    if isinstance(error, ScoringError):
        errors = [{"field": error.field, "message": error.message}]
        return Problem(422, DETAIL_ID[422], errors, slug="validation")
    return Problem(error.status, error.detail, error.errors, error.slug, error.headers, error.extra)
