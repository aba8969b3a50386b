"""The signing page ``/sign/<token>``: works without JavaScript; the checks live in the operations.

Each view loads the request, calls one of :mod:`service.workflow.signing_links` and renders it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, request

from service.composition import get_services
from service.db import get_session
from service.jsonio import parse_json
from service.pages import error_page, png_response
from service.readable import ringkasan
from service.schemas.requests import MAX_P12, MIN_PASSPHRASE
from service.scoring.vocabulary import PENYEDIA_LABEL, PERAN_LABEL, TYPE_LABEL
from service.security import require_csrf
from service.workflow import page_images, signing_links
from service.workflow.enrollment import mask_email
from service.workflow.signing_links import DecisionFormError, OpenLink

bp = Blueprint("signing_page", __name__, url_prefix="/sign")


def _page(link: OpenLink, status: int = 200, **extra: Any) -> tuple[str, int]:
    return render_template(
        "sign.html",
        signer=link.signer,
        document=link.document,
        payload=link.payload,
        peran_label=PERAN_LABEL,
        type_label=TYPE_LABEL.get(link.document.type, link.document.type),
        first_use=link.first_use,
        reenroll=link.reenroll,
        channel=link.channel,
        penyedia=link.penyedia,
        penyedia_label=PENYEDIA_LABEL.get(link.penyedia, link.penyedia),
        provider_status=link.status,
        mask_email=mask_email,
        min_passphrase=MIN_PASSPHRASE,
        locked=link.locked,
        pages=link.pages,
        ringkasan=ringkasan(link.payload, parse_json(link.document.hasil_json)),
        large_width=page_images.LARGE_WIDTH,
        **extra,
    ), status


@bp.get("/<token>")
def show(token: str) -> tuple[str, int]:
    """The document, the signing order and the decision form (``?daftar_ulang=1``: the form to
    enroll a new key, for an official who lost their passphrase). A locked link answers 423 with
    the document and no form.
    """
    link = signing_links.open_link(
        get_session(),
        get_services(),
        token,
        ip=request.remote_addr,
        reenroll=request.args.get("daftar_ulang") == "1",
    )
    return _page(link, 423 if link.locked else 200)


@bp.get("/<token>/halaman/<int:page>.png")
def page_image(token: str, page: int) -> Response:
    """Page ``page`` (1-based) of the document as an image (``?lebar=1600``: the larger one)."""
    width = request.args.get("lebar", default=page_images.DEFAULT_WIDTH, type=int)
    return png_response(signing_links.link_page(get_session(), get_services(), token, page, width))


@bp.get("/<token>/ditandatangani.pdf")
def signed_copy(token: str) -> Response:
    """The revision the official signed, for a short time after signing (the "done" page's link)."""
    stored = signing_links.signed_copy(get_session(), get_services(), token, ip=request.remote_addr)
    response = Response(stored.data, mimetype=stored.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{stored.filename}"'
    return response


@bp.get("/<token>/dokumen.pdf")
def pdf(token: str) -> Response:
    """The PDF as it stands, shown inline to the holder of the link only."""
    stored = signing_links.link_pdf(get_session(), get_services(), token)
    response = Response(stored.data, mimetype=stored.mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="{stored.filename}"'
    return response


@bp.post("/<token>")
def decide(token: str) -> tuple[str, int]:
    """Sign or refuse; a form that cannot be carried out is shown again with the reason."""
    require_csrf()
    form: dict[str, Any] = request.form.to_dict()
    upload = request.files.get("p12")
    if upload is not None and upload.filename:
        form["p12"] = upload.read(MAX_P12 + 1)
    try:
        decided = signing_links.decide_by_link(
            get_session(), get_services(), token, form, ip=request.remote_addr
        )
    except DecisionFormError as error:
        return _page(error.link, error.status, error=error.detail)
    return render_template(
        "sign_done.html",
        document=decided.document,
        signer=decided.signer,
        rejected=decided.rejected,
        copy_minutes=int(signing_links.SIGNED_COPY_TTL.total_seconds() // 60),
    ), 200


@bp.after_request
def _no_store(response: Response) -> Response:
    """A signing page or its PDF is for the holder of the link only: nothing may cache it."""
    response.headers["Cache-Control"] = "no-store"
    return response


bp.register_error_handler(Exception, error_page)
