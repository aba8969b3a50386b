"""The document as pages on the signing page, dates and events as people read them, locked links
shown as locked on opening, and Plt/Plh officials as officials expect (issue 13).
"""

from __future__ import annotations

import ast
import io
import re
from datetime import timedelta
from pathlib import Path
from typing import cast

import pypdfium2 as pdfium
from docx import Document as Word
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from PIL import Image

from service.audit import document_events as audit_events
from service.composition import get_services
from service.db import get_session
from service.documents.context.common import BULAN
from service.documents.render import render_document
from service.jsonio import parse_json
from service.readable import PERISTIWA, periode, waktu
from service.workflow import operations, page_images
from service.workflow.history import build_history_docx
from service.workflow.links import token_for
from service.workflow.pipeline import PACKAGED_TEMPLATES, printed_payload
from service.workflow.revisions import read_revision
from service.workflow.signing_links import signed_revision
from service.workflow.signing_ops import MAX_FAILED_ATTEMPTS
from service.workflow.stored import payload_of
from tests.functional.clock import movable_clock
from tests.functional.support import FIELD_BOX, document, kode_for, ready_document

PASS = "frasa-sandi-pegawai"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SERVICE = Path(__file__).resolve().parents[2] / "service"
PLT = {
    "jenis": "plt",
    "nama": "Drs. Bambang Sutrisno, M.Si.",
    "nip": "197001011995031002",
    "jabatan": "Plt. Kepala Bidang Pengembangan",
}


def _path(app: Flask, document_id: str, urutan: int = 1) -> str:
    with app.app_context():
        signer = document(app, document_id).signers[urutan - 1]
        token = token_for(signer, secret=app.config["SECRET_KEY"])
    assert token is not None
    return f"/sign/{token}"


def _csrf(client: FlaskClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    match = CSRF.search(page.text)
    assert match is not None
    return match.group(1)


def _sign(app: Flask, client: FlaskClient, document_id: str, urutan: int, passphrase: str) -> str:
    """Sign through the page as the official does; the done page's HTML."""
    path = _path(app, document_id, urutan)
    csrf = _csrf(client, path)
    with app.app_context():
        kode = kode_for(get_session(), get_services(), document(app, document_id), urutan)
    form = {
        "csrf_token": csrf,
        "keputusan": "tandatangani",
        "passphrase": passphrase,
        "kode_verifikasi": kode,
    }
    if kode:
        form["passphrase_konfirmasi"] = passphrase
    done = client.post(path, data=form)
    assert done.status_code == 200, done.text
    assert "ditandatangani" in done.text
    return done.text


def _page_sizes(app: Flask, document_id: str) -> list[tuple[float, float]]:
    with app.app_context():
        doc = document(app, document_id)
        pdf = read_revision(get_session(), get_services().store, doc, doc.current_revision)
    opened = pdfium.PdfDocument(pdf)
    try:
        return [opened[i].get_size() for i in range(len(opened))]
    finally:
        opened.close()


# --- page images -------------------------------------------------------------------------------------


def test_each_page_is_a_png_of_the_width_asked_and_none_beyond_the_last(
    app: Flask, client: FlaskClient
) -> None:
    document_id = ready_document(app)
    path = _path(app, document_id)
    sizes = _page_sizes(app, document_id)
    assert len(sizes) == 2
    page = client.get(path)
    # The page shows every page as an image, each a tap away from its larger one, the PDF beside.
    for n in (1, 2):
        assert f'src="{path}/halaman/{n}.png"' in page.text
        assert f'href="{path}/halaman/{n}.png?lebar=1600"' in page.text
    assert f'href="{path}/dokumen.pdf"' in page.text
    assert "halaman/3.png" not in page.text
    for n, (width_pt, height_pt) in enumerate(sizes, start=1):
        for lebar in (800, 1600):
            answer = client.get(f"{path}/halaman/{n}.png?lebar={lebar}")
            assert answer.status_code == 200
            assert answer.mimetype == "image/png"
            assert answer.headers["Cache-Control"] == "no-store"
            image = Image.open(io.BytesIO(answer.data))
            assert image.format == "PNG"
            assert image.width == lebar
            assert abs(image.height - round(lebar * height_pt / width_pt)) <= 1
    default = client.get(f"{path}/halaman/1.png")
    assert Image.open(io.BytesIO(default.data)).width == 800
    # Made once: the second answer is the stored image.
    with app.app_context():
        store = get_services().store
        assert store.exists(document_id, "halaman-r0001-p001-w800.png")
        assert store.get(document_id, "halaman-r0001-p001-w800.png") == default.data
    for missing in (3, 0, 99):
        gone = client.get(f"{path}/halaman/{missing}.png")
        assert gone.status_code == 404
        assert "tidak memiliki halaman" in gone.text
    assert client.get(f"{path}/halaman/1.png?lebar=123").status_code == 422
    # A link that is not this document's: 404, nothing rendered.
    assert client.get("/sign/1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/halaman/1.png").status_code == 404


def test_a_used_link_shows_no_page_but_downloads_the_revision_signed_for_a_short_time(
    app: Flask, client: FlaskClient
) -> None:
    document_id = ready_document(app)
    clock = movable_clock(app)
    path = _path(app, document_id)
    done = _sign(app, client, document_id, 1, PASS)
    assert f'href="{path}/ditandatangani.pdf"' in done
    assert client.get(f"{path}/halaman/1.png").status_code == 410
    assert client.get(f"{path}/dokumen.pdf").status_code == 410
    copy = client.get(f"{path}/ditandatangani.pdf")
    assert copy.status_code == 200
    assert copy.mimetype == "application/pdf"
    assert copy.headers["Cache-Control"] == "no-store"
    with app.app_context():
        doc = document(app, document_id)
        number = signed_revision(get_session(), doc, doc.signers[0])
        assert number == doc.current_revision == 2
        assert copy.data == read_revision(get_session(), get_services().store, doc, number)
    # The next signer's link downloads nothing of the kind (it has not signed).
    assert client.get(f"{_path(app, document_id, 2)}/ditandatangani.pdf").status_code == 404
    clock.advance(timedelta(minutes=31))
    assert client.get(f"{path}/ditandatangani.pdf").status_code == 410


def test_the_summary_above_the_pages_names_nilai_predikat_periode_and_pegawai(
    app: Flask, client: FlaskClient
) -> None:
    document_id = ready_document(app)
    page = client.get(_path(app, document_id)).text
    summary = page[page.index('id="ringkasan"') : page.index('id="dokumen"')]
    with app.app_context():
        hasil = parse_json(document(app, document_id).hasil_json)
    assert hasil["predikat_label"] == "Sangat Baik"
    assert '<td id="ringkasan-nilai">115,31</td>' in summary
    assert '<td id="ringkasan-predikat">Sangat Baik</td>' in summary
    assert "1 Juli 2021 s.d. 31 Desember 2021" in summary
    assert "Yohanes Kristianto, S.T." in summary
    # The summary comes before the pages.
    assert page.index('id="ringkasan"') < page.index('id="halaman-1"')


# --- readable for people -------------------------------------------------------------------------------


def test_the_readable_helpers_speak_indonesian_in_the_instance_zone() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    assert periode("2024-01-01", "2024-12-31") == "1 Januari 2024 s.d. 31 Desember 2024"
    assert periode({"mulai": "2024-01-01", "selesai": "2024-12-31"}) == "1 Januari 2024 s.d. 31 Desember 2024"
    at = datetime(2024, 12, 31, 17, 5, 9, tzinfo=UTC)
    assert waktu(at, ZoneInfo("Asia/Jakarta")) == "1 Januari 2025 00.05 WIB"
    assert waktu(at, ZoneInfo("Asia/Makassar"), detik=True) == "1 Januari 2025 01.05.09 WITA"
    assert waktu(at.replace(tzinfo=None), ZoneInfo("Asia/Jayapura")) == "1 Januari 2025 02.05 WIT"
    assert waktu(None, ZoneInfo("Asia/Jakarta")) == "-"


def test_dates_and_times_are_indonesian_on_every_page_and_in_the_riwayat(
    app: Flask, client: FlaskClient
) -> None:
    document_id = ready_document(app)
    with app.app_context():
        code = document(app, document_id).verification_code
    first = client.get(_path(app, document_id)).text
    assert "periode 1 Juli 2021 s.d. 31 Desember 2021" in first
    done = _sign(app, client, document_id, 1, PASS)
    with app.app_context():
        doc = document(app, document_id)
        signed_at = doc.signers[0].signed_at
        assert signed_at is not None
        shown = waktu(signed_at, get_services().settings.timezone)
        events = audit_events(get_session(), document_id)
    assert shown.endswith(" WIB")
    assert f"pada {shown}" in done  # the done page
    second = client.get(_path(app, document_id, 2)).text
    assert shown in second
    assert "UTC" not in second
    verify = client.get(f"/v/{code}").text
    assert "1 Juli 2021 s.d. 31 Desember 2021" in verify
    bulan = "|".join(BULAN)
    assert re.search(rf"\d{{1,2}} ({bulan}) \d{{4}} \d\d\.\d\d WIB", verify)
    assert "UTC" not in verify
    with app.app_context():
        doc = document(app, document_id)
        word = Word(io.BytesIO(build_history_docx(doc, events, get_services().settings.timezone)))
    text = "\n".join(
        [p.text for p in word.paragraphs]
        + [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    )
    assert "periode 1 Juli 2021 s.d. 31 Desember 2021" in text
    assert "Ditandatangani (WIB)" in text
    assert "Waktu (WIB)" in text
    assert waktu(signed_at, get_services_zone(app), detik=True) in text
    assert "Tautan tanda tangan dibuka" in text
    assert "Ditandatangani" in text
    assert "link_opened" not in text
    assert "UTC" not in text


def get_services_zone(app: Flask):  # type: ignore[no-untyped-def]
    with app.app_context():
        return get_services().settings.timezone


def test_the_archive_page_shows_times_in_the_zone_and_events_by_name(
    app: Flask, runner: FlaskCliRunner
) -> None:
    document_id = ready_document(app)
    client = app.test_client()
    _sign(app, client, document_id, 1, PASS)
    archive = _archivist(app, runner)
    page = archive.get(f"/arsip/dokumen/{document_id}")
    assert page.status_code == 200, page.text
    trail = page.text[page.text.index('id="jejak-audit"') :]
    assert "Dokumen disegel layanan" in trail
    assert "Tautan tanda tangan dibuka" in trail
    assert ">sealed<" not in trail
    assert " WIB" in trail
    assert "UTC" not in page.text


def _archivist(app: Flask, runner: FlaskCliRunner) -> FlaskClient:
    """A browser logged in to the archive as an archivist of every instansi."""
    password = "kata-sandi-arsip-yang-panjang"
    created = runner.invoke(
        args=["skp", "users", "create", "arsip1", "--role", "arsiparis", "--password", password]
    )
    assert created.exit_code == 0, created.output
    archive = app.test_client()
    csrf = CSRF.search(archive.get("/arsip/login").text)
    assert csrf is not None
    entered = archive.post(
        "/arsip/login", data={"csrf_token": csrf.group(1), "username": "arsip1", "password": password}
    )
    assert entered.status_code in (200, 302, 303), entered.text
    return archive


def _recorded_events() -> set[str]:
    """Every event name the code passes to ``audit.record`` (literally, or through a variable
    assigned a literal in the same function).
    """
    found: set[str] = set()
    for path in SERVICE.rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef | ast.Module):
                continue
            for call in ast.walk(function):
                if not isinstance(call, ast.Call):
                    continue
                name = (
                    call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
                )
                if name != "record":
                    continue
                for keyword in call.keywords:
                    if keyword.arg != "event":
                        continue
                    value = keyword.value
                    if isinstance(value, ast.Constant) and isinstance(value.value, str):
                        found.add(value.value)
                    elif isinstance(value, ast.Name):
                        found |= _assigned(function, value.id)
                    else:
                        found.add(f"<not a literal in {path.name}:{call.lineno}>")
    return found


def _assigned(scope: ast.AST, variable: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(scope):
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            if isinstance(target, ast.Name) and target.id == variable:
                # ``event = "a" if … else "b"``: both.
                value = node.value
                values = [value.body, value.orelse] if isinstance(value, ast.IfExp) else [value]
            elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                values = [
                    v
                    for t, v in zip(target.elts, node.value.elts, strict=False)
                    if isinstance(t, ast.Name) and t.id == variable
                ]
            else:
                continue
            for value in values:
                for constant in ast.walk(value):
                    if isinstance(constant, ast.Constant) and isinstance(constant.value, str):
                        names.add(constant.value)
                        break
    return names


def test_every_event_the_code_records_has_an_indonesian_label() -> None:
    recorded = _recorded_events()
    # The walk finds what it should (a literal, and one through a variable).
    assert {"signed", "link_opened", "certificate_revoked", "certificate_revocation_failed"} <= recorded
    unlabelled = sorted(event for event in recorded if event not in PERISTIWA)
    assert unlabelled == []


# --- locked link -----------------------------------------------------------------------------------------


def test_a_locked_link_is_shown_locked_when_the_page_opens(app: Flask, client: FlaskClient) -> None:
    document_id = ready_document(app)
    path = _path(app, document_id)
    for _ in range(MAX_FAILED_ATTEMPTS):
        csrf = _csrf(client, path)
        wrong = client.post(
            path,
            data={
                "csrf_token": csrf,
                "keputusan": "tandatangani",
                "passphrase": PASS,
                "passphrase_konfirmasi": PASS,
                "kode_verifikasi": "00000000",
            },
        )
        assert wrong.status_code in (422, 423), wrong.text
    opened = client.get(path)
    assert opened.status_code == 423
    assert 'id="terkunci"' in opened.text
    assert "terkunci" in opened.text
    assert "tombol-tandatangani" not in opened.text
    assert 'name="passphrase"' not in opened.text
    assert f'action="{path}"' not in opened.text  # no decision form (sign or refuse)
    # The document can still be read.
    assert 'id="halaman-1"' in opened.text
    assert client.get(f"{path}/halaman/1.png").status_code == 200


# --- Plt/Plh -------------------------------------------------------------------------------------------


def _delegate(app: Flask, document_id: str, urutan: int) -> None:
    from service.tenancy import Caller, Tenancy

    with app.app_context():
        session = get_session()
        doc = document(app, document_id)
        operations.delegate_signer(
            session, get_services(), doc, urutan, delegate=PLT, actor="client:test", ip=None
        )
        del Caller, Tenancy


def test_a_plt_signs_with_their_name_under_plt_role_and_the_riwayat_says_whom_they_replaced(
    app: Flask, client: FlaskClient
) -> None:
    """Rendered before the delegation: the printed form keeps the official it names (its text is
    sealed), and the stamp in the block carries the Plt's name, NIP and "Plt. <role>".
    """
    from signing import validate

    document_id = ready_document(app)
    with app.app_context():
        original = document(app, document_id).signers[1].nama
    _sign(app, client, document_id, 1, PASS)
    _delegate(app, document_id, 2)
    page = client.get(_path(app, document_id, 2)).text
    assert "Anda menandatangani sebagai Plt. Pejabat Penilai Kinerja" in page
    assert f"menggantikan {original}" in page
    _sign(app, client, document_id, 2, "frasa-sandi-plt-penilai")
    with app.app_context():
        services = get_services()
        doc = document(app, document_id)
        pdf = read_revision(get_session(), services.store, doc, doc.current_revision)
        result = validate(pdf, trust=services.trust())
        events = audit_events(get_session(), document_id)
        word = Word(io.BytesIO(build_history_docx(doc, events, services.settings.timezone)))
    second = next(s for s in result.signatures if s.field_name == doc.signers[1].field_name)
    assert second.role == "Plt. Pejabat Penilai Kinerja"
    assert PLT["nama"] in str(second.signer_name)
    # The stamp's own text: the Plt's name and NIP, "Plt." before the role.
    stamp = _stamp_text(pdf, doc.signers[1].field_name)
    assert PLT["nama"] in stamp
    assert f"NIP. {PLT['nip']}" in stamp
    assert "Plt. Pejabat Penilai Kinerja" in stamp
    # The form below prints the official it was rendered for: the stamp says whom the Plt replaced.
    assert f"menggantikan {original}" in stamp
    # The page image the next signer reads shows the stamps (PDFium draws widget appearances).
    image = Image.open(io.BytesIO(page_images.render_page(pdf, 2, 1600))).convert("L")
    opened = pdfium.PdfDocument(pdf)
    width_pt, height_pt = opened[1].get_size()
    opened.close()
    scale = image.width / width_pt
    x1, y1, x2, y2 = FIELD_BOX["pejabat_penilai"]
    box = (
        round(x1 * scale),
        round((height_pt - y2) * scale),
        round(x2 * scale),
        round((height_pt - y1) * scale),
    )
    darkest, _lightest = cast("tuple[int, int]", image.crop(box).getextrema())
    assert darkest < 64
    cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    assert "Plt. Pejabat Penilai Kinerja" in cells
    assert any(PLT["nama"] in c and f"Plt. menggantikan {original}" in c for c in cells)
    assert "Penanda tangan digantikan (Plt/Plh)" in cells


def _stamp_text(pdf: bytes, field_name: str) -> str:
    """The text drawn in a signature field's appearance (what the stamp prints)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf))
    for reference in reader.root["/AcroForm"]["/Fields"]:
        field = reference.get_object()
        if field.get("/T") == field_name:
            stream = field["/AP"]["/N"].get_object()
            return _decoded(stream)
    raise AssertionError(f"no field {field_name}")


def _decoded(stream) -> str:  # type: ignore[no-untyped-def]
    """The text of an appearance and the forms it draws (pyHanko's stamp nests its text)."""
    parts = [stream.data.decode("latin-1")]
    resources = stream.get("/Resources")
    if resources is not None and "/XObject" in resources:
        for xobject in resources["/XObject"].values():
            parts.append(_decoded(xobject.get_object()))
    raw = "\n".join(parts)
    # Literal strings ``(...) Tj`` and hex strings ``<...> Tj``.
    texts = [_unescape(t) for t in re.findall(r"\((.*?)(?<!\\)\)\s*Tj", raw)]
    for hexed in re.findall(r"<([0-9A-Fa-f]+)>\s*Tj", raw):
        data = bytes.fromhex(hexed)
        texts.append(data.decode("utf-16-be", "ignore") if len(data) % 2 == 0 else data.decode("latin-1"))
    return "\n".join(texts) + "\n" + raw


def _unescape(literal: str) -> str:
    """A PDF literal string's escapes (``\\056`` is ".")."""
    return re.sub(
        r"\\([0-7]{1,3}|.)",
        lambda m: chr(int(m.group(1), 8)) if m.group(1).isdigit() else m.group(1),
        literal,
    )


def test_a_plt_named_before_the_render_is_printed_under_the_block(app: Flask) -> None:
    """Rendered after the delegation: the form prints the Plt's name and NIP under the block."""
    document_id = ready_document(app)
    with app.app_context():
        session = get_session()
        doc = document(app, document_id)
        original = doc.signers[1].nama
        # As if the render had not run yet (delegating is allowed while queued or rendering).
        _delegate(app, document_id, 2)
        doc = document(app, document_id)
        payload = payload_of(doc)
        printed = printed_payload(doc, payload)
        docx = render_document(
            printed,
            parse_json(doc.hasil_json),
            packaged_dir=PACKAGED_TEMPLATES,
            instance_dir=None,
            verification_code=doc.verification_code,
            signers=[s.peran for s in doc.signers],
        )
        del session
    text = "\n".join(p.text for p in Word(io.BytesIO(docx)).paragraphs) + "\n".join(
        cell.text for table in Word(io.BytesIO(docx)).tables for row in table.rows for cell in row.cells
    )
    assert PLT["nama"] in text
    assert f"NIP. {PLT['nip']}" in text
    # Stored payload unchanged: the original official stays on record.
    assert payload["pejabat_penilai"]["nama"] == original
    assert printed["pejabat_penilai"]["nama"] == PLT["nama"]


def test_the_archive_page_says_whom_a_plt_replaced(app: Flask, runner: FlaskCliRunner) -> None:
    document_id = ready_document(app)
    with app.app_context():
        original = document(app, document_id).signers[1].nama
    _delegate(app, document_id, 2)
    page = _archivist(app, runner).get(f"/arsip/dokumen/{document_id}").text
    assert f"Plt. menggantikan {original}" in page
    assert "Plt. Pejabat Penilai Kinerja" in page
    assert "Penanda tangan digantikan (Plt/Plh)" in page
