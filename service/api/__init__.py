"""The ``/api/v1`` blueprint: thin views that load a schema, call one operation and dump the result."""

from service.api import documents, integrators, openapi, scores, verify  # the views register on the blueprint
from service.api.blueprint import bp

__all__ = ["bp", "documents", "integrators", "openapi", "scores", "verify"]
