"""Archive pages ``/arsip`` for archivists: login, search, document page, audited downloads."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from flask import Blueprint, Response, current_app, g, redirect, render_template, request, session, url_for
from marshmallow import ValidationError
from werkzeug.wrappers import Response as BaseResponse

from service import web_sessions
from service.composition import get_services
from service.db import get_session
from service.errors import LockedError, NotFoundError, TooManyAttemptsError
from service.http import file_response
from service.models import User
from service.pages import error_page, mask_nip
from service.readable import ringkasan
from service.scoring.vocabulary import PERAN_LABEL, REGIME_LABEL, STATUS_LABEL, TYPE_LABEL
from service.security import require_csrf
from service.tenancy import Caller
from service.users import log_in, user_caller
from service.workflow import archive, operations

bp = Blueprint("archive", __name__, url_prefix="/arsip")

#: Where a login may send the archivist back to: an archive path of URL-safe characters.
_SAFE_NEXT = re.compile(r"/arsip(?:/[A-Za-z0-9_.~/-]*)?", re.ASCII)

#: What each kind of revision is, as an archivist says it.
REVISION_LABEL = {
    "render": "draf, belum ditandatangani",
    "seal": "disegel layanan",
    "signature": "tanda tangan",
}

P = ParamSpec("P")
R = TypeVar("R")


def _current_user() -> User | None:
    # Once per request: the server-side session is looked up (and its idle clock restarted) once.
    if "archive_user" not in g:
        services = get_services()
        g.archive_user = web_sessions.current_user(
            get_session(),
            request.cookies.get(web_sessions.COOKIE),
            policy=web_sessions.SessionPolicy.of(services.settings),
            now=services.clock.now(),
        )
    user: User | None = g.archive_user
    return user


def login_required(view: Callable[P, R]) -> Callable[P, R | BaseResponse]:
    """Send anyone who is not a signed-in archivist to the login page."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | BaseResponse:
        user = _current_user()
        if user is None or user.role != "arsiparis":
            return redirect(url_for("archive.login", next=request.path))
        return view(*args, **kwargs)

    return wrapper


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """The archivist's login form."""
    error = None
    status = 200
    if request.method == "POST":
        require_csrf()
        try:
            signed_in = log_in(
                get_session(),
                get_services(),
                request.form.get("username", "")[:100],
                request.form.get("password", "")[:500],
                ip=request.remote_addr,
            )
        except (LockedError, TooManyAttemptsError) as refused:
            page = render_template("archive_login.html", error=refused.detail)
            return page, refused.status, refused.headers
        if signed_in is not None:
            session.clear()  # a new CSRF token for the signed-in browser
            target = request.args.get("next", "")
            # Only archive paths of plain characters: never an open redirect, never a control
            # character (CR/LF would split the Location header).
            if not _SAFE_NEXT.fullmatch(target):
                target = url_for("archive.search_page")
            response = redirect(target)
            # The cookie carries the session's random id only; the session itself stays here.
            response.set_cookie(
                web_sessions.COOKIE,
                signed_in.session_token,
                path=bp.url_prefix or "/",
                httponly=True,
                samesite="Lax",
                secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
            )
            return response
        error, status = "Nama pengguna atau kata sandi salah.", 401
    return render_template("archive_login.html", error=error), status


@bp.post("/logout")
def logout() -> BaseResponse:
    """End the archivist's session, on the server too: a copy of the cookie is worth nothing after."""
    require_csrf()
    services = get_services()
    web_sessions.end_session(
        get_session(),
        request.cookies.get(web_sessions.COOKIE),
        policy=web_sessions.SessionPolicy.of(services.settings),
        now=services.clock.now(),
        ip=request.remote_addr,
    )
    session.clear()
    response = redirect(url_for("archive.login"))
    response.delete_cookie(web_sessions.COOKIE, path=bp.url_prefix or "/")
    return response


def _caller() -> Caller:
    """The signed-in archivist (``login_required`` ran first)."""
    user = _current_user()
    if user is None:
        raise NotFoundError()
    return user_caller(user)


@bp.get("/")
@login_required
def search_page() -> Any:
    """The search form and one page of results; a wrong value is reported, never dropped
    (dropping it would widen the search to every document).
    """
    args = request.args
    filled = {key: value.strip() for key, value in args.items() if value.strip()}
    problems: list[str] = []
    page = archive.SearchPage(items=[], next_cursor=None)
    rows: list[archive.ResultRow] = []
    try:
        page, rows = archive.search_results(get_session(), filled, _caller())
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {"": error.messages}
        problems = [str(text) for found in messages.values() for text in found]
    searched = any(v for k, v in args.items() if k != "cursor")
    return render_template(
        "archive_search.html",
        page=page,
        rows=rows,
        ringkasan=ringkasan,
        args=args,
        type_label=TYPE_LABEL,
        status_label=STATUS_LABEL,
        searched=searched,
        user=_current_user(),
        problems=problems,
    ), 422 if problems else 200


@bp.get("/dokumen/<document_id>")
@login_required
def document_page(document_id: str) -> Any:
    """One document: its signers, its verification now, its audit trail."""
    record = archive.document_record(
        get_session(), get_services(), document_id, _caller(), ip=request.remote_addr
    )
    return render_template(
        "archive_document.html",
        document=record.document,
        result=record.verification,
        events=record.events,
        final_revision=record.final_revision,
        payload=record.payload,
        files=record.files,
        revision_label=REVISION_LABEL,
        regime_label=REGIME_LABEL,
        type_label=TYPE_LABEL,
        status_label=STATUS_LABEL,
        peran_label=PERAN_LABEL,
        mask_nip=mask_nip,
        user=_current_user(),
    )


@bp.get("/dokumen/<document_id>/revisi/<int:number>.pdf")
@login_required
def download(document_id: str, number: int) -> Response:
    """A revision of the PDF; audited."""
    session = get_session()
    caller = _caller()
    stored = operations.download_revision(
        session,
        get_services(),
        operations.get_document(session, document_id, caller),
        number,
        actor=caller.actor,
        ip=request.remote_addr,
    )
    return file_response(stored)


@bp.get("/dokumen/<document_id>/<any(docx, riwayat):kind>")
@login_required
def download_file(document_id: str, kind: str) -> Response:
    """The Word form or the riwayat beside the final revision; audited."""
    return file_response(
        archive.download_file(
            get_session(), get_services(), document_id, kind, _caller(), ip=request.remote_addr
        )
    )


bp.register_error_handler(Exception, error_page)
