"""Public pages of the problem types: ``/problems/<slug>`` is the ``type`` of an RFC 9457 problem."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, render_template

from service.errors import NotFoundError
from service.pages import error_page
from service.problems import PROBLEM_TYPES, ProblemType, type_uri

__all__ = ["bp"]

bp = Blueprint("problem_pages", __name__, url_prefix="/problems")


def example_body(kind: ProblemType) -> dict[str, Any]:
    """An example ``application/problem+json`` body of this kind, as the API answers it."""
    body: dict[str, Any] = {
        "type": type_uri(kind.slug),
        "title": kind.title,
        "status": kind.status,
        "detail": kind.contoh_detail,
    }
    if kind.contoh_errors:
        body["errors"] = [dict(item) for item in kind.contoh_errors]
    body.update(kind.contoh_extra)
    return body


@bp.get("")
def index() -> str:
    """Every kind of problem the service answers, each linking to its page."""
    kinds = sorted(PROBLEM_TYPES.values(), key=lambda kind: (kind.beragam, kind.status, kind.slug))
    return render_template("problems.html", kind=None, kinds=kinds, type_uri=type_uri)


@bp.get("/<slug>")
def show(slug: str) -> str:
    """What a problem of this kind means, when it happens, what to do, and an example body."""
    kind = PROBLEM_TYPES.get(slug)
    if kind is None:
        raise NotFoundError(f"Jenis masalah {slug!r} tidak dikenal. Daftar lengkapnya ada di /problems.")
    example = json.dumps(example_body(kind), ensure_ascii=False, indent=2)
    return render_template("problems.html", kind=kind, kinds=(), example=example, type_uri=type_uri)


bp.register_error_handler(Exception, error_page)
