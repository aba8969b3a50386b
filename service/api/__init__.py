"""The ``/api/v1`` blueprint: thin views that load a schema, call a function and dump the result."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from service.api import documents, openapi, scores, verify  # noqa: E402  (views register on bp)

__all__ = ["bp", "documents", "openapi", "scores", "verify"]
