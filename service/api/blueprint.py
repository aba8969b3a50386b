"""The ``/api/v1`` blueprint object, apart from the package so that views import it without a cycle."""

from flask import Blueprint

__all__ = ["bp"]

bp = Blueprint("api", __name__, url_prefix="/api/v1")
