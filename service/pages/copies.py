"""``/salinan/<token>``: the pegawai downloads the signed copy of their completed document from
the link in the completion e-mail (:mod:`service.workflow.copies`).
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from service.composition import get_services
from service.db import get_session
from service.pages import error_page
from service.workflow.copies import download_copy

bp = Blueprint("copies_page", __name__, url_prefix="/salinan")


@bp.get("/<token>")
def download(token: str) -> Response:
    """The final PDF, as an attachment; an unknown link is 404 and an expired one 410 (a page)."""
    copy = download_copy(get_session(), get_services(), token, ip=request.remote_addr)
    response = Response(copy.data, mimetype=copy.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{copy.filename}"'
    return response


@bp.after_request
def _private(response: Response) -> Response:
    """The copy is for the holder of the link: nothing may cache it, no page it opens learns the link."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


bp.register_error_handler(Exception, error_page)
