"""The officials' inbox ``/kotak-masuk`` (Indonesian, works without JavaScript).

Each view loads the request, calls one operation of :mod:`service.workflow.inbox` and renders it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, ParamSpec, TypeVar

from flask import Blueprint, Response, current_app, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from service.composition import get_services
from service.db import get_session
from service.errors import ServiceError
from service.pages import error_page
from service.scoring.vocabulary import PENYEDIA_LABEL, TYPE_LABEL
from service.security import require_csrf
from service.workflow import inbox
from service.workflow.inbox import Official
from service.workflow.signing_ops import WrongPassphraseServiceError

bp = Blueprint("inbox", __name__, url_prefix="/kotak-masuk")

P = ParamSpec("P")
R = TypeVar("R")

#: What the login form answers whoever asks (it must not tell who exists).
_SENT = (
    "Bila NIP dan e-mail itu milik penanda tangan yang sedang ditunggu tanda tangannya, tautan masuk "
    "telah dikirim ke e-mail tersebut (berlaku 30 menit, sekali pakai). Periksa kotak masuk e-mail Anda."
)


def _official() -> Official | None:
    if "official" not in g:
        g.official = inbox.current_official(get_session(), get_services(), request.cookies.get(inbox.COOKIE))
    official: Official | None = g.official
    return official


def official_required(view: Callable[P, R]) -> Callable[P, R | BaseResponse]:
    """Send anyone without a live inbox session to the login form."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | BaseResponse:
        if _official() is None:
            return redirect(url_for("inbox.login"))
        return view(*args, **kwargs)

    return wrapper


def _signed_in(token: str) -> BaseResponse:
    response = redirect(url_for("inbox.list_page"), code=303)
    # The cookie carries the session's random id only; the session itself stays here.
    response.set_cookie(
        inbox.COOKIE,
        token,
        path=bp.url_prefix or "/",
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )
    return response


@bp.post("/dari-tautan/<token>")
def from_link(token: str) -> BaseResponse:
    """The signing page's "Lihat semua dokumen yang menunggu Anda": the link opens a session."""
    require_csrf()
    return _signed_in(inbox.open_from_link(get_session(), get_services(), token, ip=request.remote_addr))


@bp.route("/masuk", methods=["GET", "POST"])
def login() -> tuple[str, int]:
    """Ask for a one-time login link by e-mail (NIP + e-mail); the same answer for everyone."""
    if request.method == "GET":
        return render_template("inbox_login.html"), 200
    require_csrf()
    inbox.request_login_link(
        get_session(),
        get_services(),
        nip=request.form.get("nip", "")[:40],
        email=request.form.get("email", "")[:300],
        ip=request.remote_addr,
    )
    return render_template("inbox_login.html", sent=_SENT), 200


@bp.get("/masuk/<token>")
def login_link(token: str) -> tuple[str, int]:
    """A mailed login link: a button to sign in (a GET must not use it up: mail scanners open links)."""
    inbox.login_link_usable(get_session(), get_services(), token)
    return render_template("inbox_login.html", token=token), 200


@bp.post("/masuk/<token>")
def redeem(token: str) -> BaseResponse:
    """Use the login link (once) and open the inbox."""
    require_csrf()
    return _signed_in(inbox.redeem_login_link(get_session(), get_services(), token, ip=request.remote_addr))


@bp.post("/keluar")
def logout() -> BaseResponse:
    """End the official's session on the server too."""
    require_csrf()
    inbox.end_session(
        get_session(), get_services(), request.cookies.get(inbox.COOKIE), ip=request.remote_addr
    )
    response = redirect(url_for("inbox.login"), code=303)
    response.delete_cookie(inbox.COOKIE, path=bp.url_prefix or "/")
    return response


def _list(
    status: int = 200, headers: Mapping[str, str] | None = None, **extra: Any
) -> tuple[str, int, dict[str, str]]:
    official = _official()
    assert official is not None  # noqa: S101  (official_required ran first)
    services = get_services()
    items = inbox.waiting(get_session(), services, official)
    kinds = {item.penyedia for item in items}
    return (
        render_template(
            "inbox.html",
            official=official,
            items=items,
            kinds=kinds,
            penyedia_label=PENYEDIA_LABEL,
            **extra,
        ),
        status,
        dict(headers or {}),
    )


@bp.get("/")
@official_required
def list_page() -> tuple[str, int, dict[str, str]]:
    """Every document waiting for this official's signature now, each with a checkbox."""
    return _list()


@bp.post("/tandatangani")
@official_required
def sign_batch() -> tuple[str, int, dict[str, str]] | BaseResponse:
    """Sign the chosen documents with one passphrase (or PIN/OTP); the result page follows it."""
    require_csrf()
    official = _official()
    assert official is not None  # noqa: S101
    form = request.form
    if form.get("keputusan") == "kirim_totp":
        try:
            count = inbox.request_totp(get_session(), get_services(), official)
        except ServiceError as error:
            return _list(error.status, error=error.detail)
        return _list(notice=f"TOTP untuk {count} dokumen telah dikirim ke aplikasi BeSign Mobile Anda.")
    try:
        batch_id = inbox.start_batch(
            get_session(),
            get_services(),
            official,
            form.getlist("dokumen")[:500],
            every=form.get("semua") == "1",
            passphrase=form.get("passphrase", "")[:500],
            pin=form.get("pin", "")[:200],
            otp=form.get("otp", "").strip()[:100],
            totp=form.get("totp", "").strip()[:20],
            ip=request.remote_addr,
        )
    except ServiceError as error:
        # Nothing chosen, a secret missing, a wrong passphrase (counted once), a locked first link:
        # the list again, with why.
        detail = error.detail
        if isinstance(error, WrongPassphraseServiceError):
            left = error.attempts_left
            detail = (
                f"{detail} Tidak ada dokumen yang ditandatangani. Tautan dokumen pertama terkunci bila "
                f"salah {left} kali lagi."
                if left > 0
                else f"{detail} Tidak ada dokumen yang ditandatangani; tautan dokumen pertama kini terkunci."
            )
        return _list(error.status, error=detail, headers=error.headers)
    return redirect(url_for("inbox.batch_page", batch_id=batch_id), code=303)


@bp.get("/batch/<batch_id>")
@official_required
def batch_page(batch_id: str) -> tuple[str, int]:
    """Progress of a batch; refreshes itself until every document has its outcome."""
    official = _official()
    assert official is not None  # noqa: S101
    services = get_services()
    view = inbox.view_batch(get_session(), services, official, batch_id)
    return render_template("inbox_batch.html", view=view, type_label=TYPE_LABEL), 200


@bp.after_request
def _no_store(response: Response) -> Response:
    """An official's list and their batches are theirs only: nothing may cache them."""
    response.headers["Cache-Control"] = "no-store"
    return response


bp.register_error_handler(Exception, error_page)
