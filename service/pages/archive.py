"""Archive pages ``/arsip`` for archivists: login, search, document page, audited downloads."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from flask import Blueprint, Response, redirect, render_template, request, session, url_for
from sqlalchemy import select
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response as BaseResponse

from service import audit
from service.db import get_session
from service.errors import ServiceError
from service.models import Document, Revision, User
from service.pages import error_page
from service.pages.signing import TYPE_LABEL
from service.pages.verify import mask_nip
from service.security import require_csrf
from service.services import get_services
from service.users import authenticate_user
from service.workflow import archive
from service.workflow.signing_ops import PERAN_LABEL
from service.workflow.verification import verify_current

bp = Blueprint("archive", __name__, url_prefix="/arsip")

P = ParamSpec("P")
R = TypeVar("R")

STATUS_LABEL = {
    "rendering": "sedang dibuat",
    "awaiting_signature": "menunggu tanda tangan",
    "completed": "selesai",
    "rejected": "ditolak",
    "cancelled": "dibatalkan",
    "failed": "gagal",
}


def _current_user() -> User | None:
    user_id = session.get("user_id")
    return get_session().get(User, user_id) if isinstance(user_id, int) else None


def login_required(view: Callable[P, R]) -> Callable[P, R | BaseResponse]:
    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | BaseResponse:
        user = _current_user()
        if user is None or user.role != "arsiparis":
            return redirect(url_for("archive.login", next=request.path))
        return view(*args, **kwargs)

    return wrapper


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    error = None
    status = 200
    if request.method == "POST":
        require_csrf()
        user = authenticate_user(
            get_session(),
            request.form.get("username", "")[:100],
            request.form.get("password", "")[:500],
            ip=request.remote_addr,
        )
        if user is not None:
            session.clear()
            session["user_id"] = user.id
            target = request.args.get("next", "")
            # Only local paths: never an open redirect.
            if not target.startswith("/arsip") or target.startswith("//"):
                target = url_for("archive.search_page")
            return redirect(target)
        error, status = "Nama pengguna atau kata sandi salah.", 401
    return render_template("archive_login.html", error=error), status


@bp.post("/logout")
def logout() -> BaseResponse:
    require_csrf()
    session.clear()
    return redirect(url_for("archive.login"))


def _search_problems(args: Any) -> list[str]:
    """What is wrong with the search form; a wrong value is reported, never silently dropped
    (dropping it would widen the search to every document)."""
    problems = []
    nip = args.get("nip", "").strip()
    if nip and not re.fullmatch(r"[0-9]{1,18}", nip):
        problems.append("NIP hanya berisi angka, paling banyak 18.")
    periode = args.get("periode", "").strip()
    if periode and not re.fullmatch(r"[0-9]{4}", periode):
        problems.append("Periode diisi tahun empat angka, misalnya 2024.")
    if args.get("type") and args["type"] not in TYPE_LABEL:
        problems.append("Jenis dokumen tidak dikenal.")
    if args.get("status") and args["status"] not in STATUS_LABEL:
        problems.append("Status tidak dikenal.")
    return problems


@bp.get("/")
@login_required
def search_page() -> Any:
    args = request.args
    problems = _search_problems(args)
    periode = args.get("periode", "").strip()
    query = archive.ArchiveQuery(
        nip=args.get("nip", "").strip() or None,
        nama=args.get("nama", "").strip()[:200] or None,
        unit_kerja=args.get("unit_kerja", "").strip()[:300] or None,
        periode=int(periode) if not problems and periode else None,
        type=args.get("type") or None,
        status=args.get("status") or None,
        cursor=args.get("cursor") or None,
        limit=20,
    )
    page = archive.SearchPage(items=[], next_cursor=None)
    if not problems:
        try:
            page = archive.search(get_session(), query)
        except ServiceError:
            problems.append("Tautan halaman berikutnya tidak sah; ulangi pencarian.")
    searched = any(v for k, v in args.items() if k != "cursor")
    return render_template(
        "archive_search.html",
        page=page,
        args=args,
        type_label=TYPE_LABEL,
        status_label=STATUS_LABEL,
        searched=searched,
        user=_current_user(),
        problems=problems,
    ), 422 if problems else 200


def _document(document_id: str) -> Document:
    document = get_session().get(Document, document_id[:40])
    if document is None:
        raise NotFound()
    return document


@bp.get("/dokumen/<document_id>")
@login_required
def document_page(document_id: str) -> Any:
    document = _document(document_id)
    db = get_session()
    services = get_services()
    user = _current_user()
    result = verify_current(
        db, services, document, actor=f"user:{user.username if user else '?'}", ip=request.remote_addr
    )
    events = audit.document_events(db, document.id)
    return render_template(
        "archive_document.html",
        document=document,
        result=result,
        events=events,
        type_label=TYPE_LABEL,
        status_label=STATUS_LABEL,
        peran_label=PERAN_LABEL,
        mask_nip=mask_nip,
        user=user,
    )


@bp.get("/dokumen/<document_id>/revisi/<int:number>.pdf")
@login_required
def download(document_id: str, number: int) -> Response:
    document = _document(document_id)
    db = get_session()
    revision = db.scalar(
        select(Revision).where(Revision.document_id == document.id, Revision.number == number)
    )
    if revision is None:
        raise NotFound()
    data = get_services().store.get(document.id, revision.filename)
    user = _current_user()
    audit.record(
        db,
        event="downloaded",
        actor=f"user:{user.username if user else '?'}",
        document_id=document.id,
        ip=request.remote_addr,
        data={"revision": number, "format": "pdf"},
    )
    db.commit()
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{document.id}-rev{number}.pdf"'
    return response


bp.register_error_handler(Exception, error_page)
