"""Browser-facing protection: CSRF tokens in the signed session cookie, security headers, proxies."""

from __future__ import annotations

import hmac
import logging
import re
import secrets
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, abort, request, session
from werkzeug.middleware.proxy_fix import ProxyFix

__all__ = ["TokenRedactingFilter", "csrf_token", "init_app", "require_csrf"]

_CSP = (
    "default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "form-action 'self'; frame-src 'self'; object-src 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
#: One year; no includeSubDomains: other services of an agency's domain may not speak https yet.
_HSTS = "max-age=31536000"


def csrf_token() -> str:
    """This browser session's CSRF token (created on first use)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    token: str = session["csrf"]
    return token


def require_csrf() -> None:
    """Refuse a form post whose ``csrf_token`` does not match the session's (400)."""
    sent = request.form.get("csrf_token", "")
    expected = session.get("csrf")
    if not expected or not sent or not hmac.compare_digest(str(expected), sent):
        abort(400, "Formulir kedaluwarsa atau tidak sah (CSRF); muat ulang halaman.")


def _headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    # https as the client saw it: directly, or from a trusted proxy's X-Forwarded-Proto (ProxyFix).
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", _HSTS)
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", _CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Cache-Control", "no-store")
    return response


_SIGN_PATH = re.compile(r"(/sign/)[^/\s?\"']+")
#: Loggers that write request lines: werkzeug (development server), gunicorn (access and errors).
_REQUEST_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")


class TokenRedactingFilter(logging.Filter):
    """Replace the token in ``/sign/<token>`` by ``[redacted]`` before any handler sees the record.

    A signing token is a bearer credential: whoever reads an access log could sign with it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the token of a signing path in ``record``; never drops a record."""
        message = record.getMessage()
        if "/sign/" in message:
            record.msg = _SIGN_PATH.sub(r"\1[redacted]", message)
            record.args = None
        return True


_REDACT = TokenRedactingFilter()


def init_app(app: Flask) -> None:
    """Install the token filter, CSRF token helper, security headers and the trusted proxies."""
    proxies = app.config["PROXY_COUNT"]
    if proxies:
        # X-Forwarded-For / -Proto as set by that many proxies, each appending its peer's address:
        # the client's address is the one the outermost trusted proxy added, whatever it sent itself.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    # Filters on a logger see only records logged to that logger, so each one gets it.
    for name in (*_REQUEST_LOGGERS, app.logger.name):
        logging.getLogger(name).addFilter(_REDACT)
    # Flask's own defaults already hold these keys (SameSite None), so setdefault would do nothing.
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    if app.config.get("SESSION_COOKIE_SAMESITE") not in ("Lax", "Strict"):
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    if app.config["PUBLIC_URL"].startswith("https://"):
        app.config["SESSION_COOKIE_SECURE"] = True
    app.after_request(_headers)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.filters["urlencode_args"] = _urlencode_args


def _urlencode_args(args: Any, **override: str) -> str:
    merged = {k: v for k, v in args.items() if k not in override}
    merged.update(override)
    return urlencode(merged)
