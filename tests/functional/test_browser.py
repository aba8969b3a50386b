"""Officials and archivists in a real browser: headless Debian Chromium against the live app.

One Chromium serves the whole module; each test gets its own app, database and live server.
``SKP_SCREENSHOTS=1`` also writes every page to ``docs/screenshots/`` (desktop and phone width).
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterator
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskCliRunner
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from service.composition import get_services
from service.db import get_session
from service.models import AuditEvent, Document, utcnow
from service.workflow.links import issue_link, token_for
from service.workflow.representation import document_dict
from service.workflow.revisions import read_revision
from service.workflow.signing_ops import sign_document
from signing import validate
from tests.conftest import load_example
from tests.functional.browser import (
    SCREENSHOTS,
    browser_session,
    chromium,
    live_server,
    page_text,
    save_screenshot,
    submit,
    tools_available,
)
from tests.functional.support import (
    PROVIDERS,
    document,
    kode_for,
    kode_for_link,
    ready_document,
    ready_with_providers,
)
from tests.outside.bsre_server import BsreContractServer
from tests.outside.pki import PEOPLE
from tests.outside.servers import OutsideServers
from tests.unit.signing.support import make_nss_db, pdfsig

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not tools_available(), reason="needs /usr/bin/chromium and chromedriver"),
]

PASS = {1: "frasa-sandi-pegawai", 2: "frasa-sandi-penilai", 3: "frasa-sandi-atasan"}
ARSIP_PASSWORD = "kata-sandi-arsip-yang-panjang"


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    browser = chromium(tmp_path_factory.mktemp("chromium-profile"))
    yield browser
    browser.quit()


@pytest.fixture
def live(app: Flask, driver: WebDriver) -> Iterator[str]:
    # Cookies belong to the host, not the port: drop the previous test's session cookie.
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    with live_server(app) as url:
        yield url


def _signers(app: Flask, document_id: str) -> list[dict[str, Any]]:
    with app.app_context():
        services = get_services()
        body = document_dict(
            document(app, document_id),
            urls=services.urls,
            secret=app.config["SECRET_KEY"],
            links=True,
            now=services.clock.now(),
        )
    signers: list[dict[str, Any]] = body["signers"]
    return signers


def _sign_url(app: Flask, document_id: str, urutan: int) -> str:
    signers = _signers(app, document_id)
    # Only the signer whose turn it is holds a live link.
    assert [s["sign_url"] is not None for s in signers] == [s["urutan"] == urutan for s in signers]
    url = signers[urutan - 1]["sign_url"]
    assert isinstance(url, str)
    assert url.startswith(app.extensions["skp"].settings.public_url + "/sign/")
    return url


def _events(app: Flask, document_id: str) -> list[AuditEvent]:
    with app.app_context():
        return list(
            get_session().scalars(
                select(AuditEvent).where(AuditEvent.document_id == document_id).order_by(AuditEvent.id)
            )
        )


def _current_pdf(app: Flask, document_id: str) -> bytes:
    with app.app_context():
        doc = document(app, document_id)
        return read_revision(get_session(), get_services().store, doc, doc.current_revision)


def _sign_directly(app: Flask, document_id: str, urutan: int) -> None:
    with app.app_context():
        doc = document(app, document_id)
        sign_document(
            get_session(),
            get_services(),
            doc,
            urutan=urutan,
            passphrase=PASS[urutan],
            actor="test",
            ip="127.0.0.1",
            kode=kode_for(get_session(), get_services(), doc, urutan),
        )


def _heading(driver: WebDriver) -> str:
    return str(driver.find_element(By.TAG_NAME, "h2").text)


def test_three_officials_sign_in_turn_and_the_result_verifies(
    app: Flask, live: str, driver: WebDriver, pki_dir: Path, tmp_path: Path
) -> None:
    document_id = ready_document(app)
    names = [s["nama"] for s in _signers(app, document_id)]
    assert len(names) == 3
    for urutan in (1, 2, 3):
        url = _sign_url(app, document_id, urutan)
        driver.get(url)
        text = page_text(driver)
        assert _heading(driver) == "Dokumen Penilaian/Evaluasi Kinerja Pegawai"
        assert f"{names[urutan - 1]} (Anda)" in text
        # Who signed before is shown as such, who signs after as waiting.
        badges = [b.text for b in driver.find_elements(By.CSS_SELECTOR, "td .lencana")]
        assert badges == (
            ["sudah menandatangani"] * (urutan - 1)
            + ["giliran sekarang"]
            + ["menunggu giliran"] * (3 - urutan)
        )
        # The whole document is there before deciding, served to this token only.
        pdf_href = driver.find_element(By.ID, "buka-pdf").get_attribute("href")
        assert pdf_href is not None
        embedded = requests.get(pdf_href, timeout=30)
        assert embedded.status_code == 200
        assert embedded.headers["Content-Type"] == "application/pdf"
        assert embedded.content.startswith(b"%PDF-")
        if urutan == 1:
            save_screenshot(driver, "tanda-tangan")
        # First use: the page says where the code went; the official reads it from that e-mail.
        assert "kode verifikasi telah dikirim ke e-mail" in page_text(driver)
        driver.find_element(By.ID, "kode_verifikasi").send_keys(kode_for_link(app, url))
        driver.find_element(By.ID, "passphrase").send_keys(PASS[urutan])
        driver.find_element(By.ID, "passphrase_konfirmasi").send_keys(PASS[urutan])
        submit(driver, driver.find_element(By.ID, "tombol-tandatangani"))
        done = driver.find_element(By.CSS_SELECTOR, "p.sukses").text
        assert f"Dokumen telah ditandatangani sebagai {names[urutan - 1]}" in done
        if urutan < 3:
            assert f"Selanjutnya giliran {names[urutan]}" in page_text(driver)
        else:
            assert "Semua tanda tangan telah lengkap" in page_text(driver)
            save_screenshot(driver, "berhasil")
        # The used link is dead at once, for the page and for the PDF behind it.
        driver.get(url)
        assert _heading(driver) == "Tautan tidak berlaku"
        assert "sudah digunakan" in page_text(driver)
        assert requests.get(url, timeout=30).status_code == 410
        assert requests.get(pdf_href, timeout=30).status_code == 410

    with app.app_context():
        doc = document(app, document_id)
        assert doc.status == "completed"
        assert [s.status for s in doc.signers] == ["signed"] * 3
        code = doc.verification_code
    final = _current_pdf(app, document_id)
    with app.app_context():
        report = validate(final, get_services().trust())
    assert report.ok, report.as_dict()
    assert len(report.signatures) == 4
    assert report.pades_level == "B-LTA"
    nss = make_nss_db(tmp_path / "nss", pki_dir / "root-ca.cert.pem")
    entries = pdfsig(final, nssdir=nss, workdir=tmp_path).values()
    # The seal and three approvals, plus the LTA document timestamp (pdfsig calls its type
    # "unknown"; pyHanko above has validated it).
    signatures = [e for e in entries if e.signature_type == "ETSI.CAdES.detached"]
    assert len(signatures) == 4
    assert len(entries) == 5
    assert {e.signature_validation for e in signatures} == {"Signature is Valid."}
    assert {e.certificate_validation for e in signatures} == {"Certificate is Trusted."}
    events = [e.event for e in _events(app, document_id)]
    assert events.count("link_opened") == 3
    assert events.count("signed") == 3
    assert events[-2:] == ["signed", "completed"]

    # The QR code's public page: every signature valid, the NIP masked, the hash of this revision.
    driver.get(f"{live}/v/{code}")
    assert hashlib.sha256(final).hexdigest() not in page_text(driver)  # folded: "rincian teknis"
    driver.find_element(By.CSS_SELECTOR, "#rincian-teknis summary").click()
    text = page_text(driver)
    assert hashlib.sha256(final).hexdigest() in text
    assert text.count("sah dan utuh") == 4
    pegawai_nip = load_example("permenpanrb_8_2021_dokumen_penilaian")["pegawai"]["nip"]
    assert pegawai_nip not in text
    assert f"{pegawai_nip[:4]}{'*' * 10}{pegawai_nip[-4:]}" in text
    save_screenshot(driver, "verifikasi-publik")


def _loaded(driver: WebDriver, *, image: Any, script: str) -> bool:
    return bool(driver.execute_script(script, image))


def test_a_phone_390_px_wide_shows_the_document_as_page_images_with_the_summary_above(
    app: Flask, live: str, driver: WebDriver
) -> None:
    document_id = ready_document(app)
    url = _sign_url(app, document_id, 1)
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True},
    )
    try:
        driver.get(url)
        images = driver.find_elements(By.CSS_SELECTOR, "ol.halaman img")
        assert [i.get_attribute("alt") for i in images] == ["Halaman 1 dari 2", "Halaman 2 dari 2"]
        loaded = "return arguments[0].complete && arguments[0].naturalWidth"
        for image in images:
            driver.execute_script("arguments[0].scrollIntoView();", image)
            WebDriverWait(driver, 30).until(partial(_loaded, image=image, script=loaded))
            natural, shown = driver.execute_script(
                "return [arguments[0].naturalWidth, arguments[0].getBoundingClientRect().width]", image
            )
            # Sharp on a 2x phone, and as wide as the screen allows, never wider.
            assert natural == 800
            assert 300 <= shown <= 390
        # Nothing on the page is wider than the phone: no sideways scrolling to read it.
        assert driver.execute_script("return document.documentElement.scrollWidth") <= 390
        # The summary is above the first page; the PDF download beside the pages.
        summary = driver.find_element(By.ID, "ringkasan")
        assert summary.location["y"] < images[0].location["y"]
        assert "Sangat Baik" in summary.text
        assert "1 Juli 2021 s.d. 31 Desember 2021" in summary.text
        # One tap: the larger image of the page, for zooming.
        large = images[0].find_element(By.XPATH, "..").get_attribute("href")
        assert large is not None
        assert large.endswith("/halaman/1.png?lebar=1600")
        answer = requests.get(large, timeout=30)
        assert answer.status_code == 200
        assert answer.headers["Content-Type"] == "image/png"
        pdf_href = driver.find_element(By.ID, "buka-pdf").get_attribute("href")
        assert pdf_href is not None
        assert pdf_href.endswith("/dokumen.pdf")
        if os.environ.get("SKP_SCREENSHOTS") == "1":
            size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
            shot = driver.execute_cdp_cmd(
                "Page.captureScreenshot",
                {
                    "format": "png",
                    "captureBeyondViewport": True,
                    "clip": {"x": 0, "y": 0, "width": 390, "height": size["height"], "scale": 1},
                },
            )
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            (SCREENSHOTS / "halaman-dokumen-ponsel-390.png").write_bytes(base64.b64decode(shot["data"]))
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_official_refuses_with_a_reason_and_the_document_stops(
    app: Flask, live: str, driver: WebDriver
) -> None:
    document_id = ready_document(app)
    _sign_directly(app, document_id, 1)
    url = _sign_url(app, document_id, 2)
    driver.get(url)
    # Refusing without a reason is not accepted.
    submit(driver, driver.find_element(By.ID, "tombol-tolak"))
    assert "Alasan penolakan wajib diisi." in driver.find_element(By.CSS_SELECTOR, ".galat").text
    alasan = "Realisasi kinerja utama kedua belum sesuai bukti dukung."
    driver.find_element(By.ID, "alasan").send_keys(alasan)
    submit(driver, driver.find_element(By.ID, "tombol-tolak"))
    assert "Anda telah menolak dokumen ini" in driver.find_element(By.CSS_SELECTOR, ".sukses").text
    assert "Proses tanda tangan dihentikan" in page_text(driver)
    save_screenshot(driver, "penolakan")

    with app.app_context():
        doc = document(app, document_id)
        assert doc.status == "rejected"
        assert [s.status for s in doc.signers] == ["signed", "rejected", "waiting"]
        assert doc.signers[1].reject_reason == alasan
        assert doc.current_revision == 2  # seal + one signature; refusing writes no PDF
    assert all(s["sign_url"] is None for s in _signers(app, document_id))
    rejected = [e for e in _events(app, document_id) if e.event == "rejected"]
    assert len(rejected) == 1
    assert alasan in rejected[0].data_json
    # The refusing official's link is dead, and so is any link handed out for a later turn.
    driver.get(url)
    assert _heading(driver) == "Tautan tidak berlaku"
    with app.app_context():
        later = document(app, document_id).signers[2]
        issue_link(later, ttl=timedelta(days=1), now=get_services().clock.now())
        get_session().commit()
        later_token = token_for(later, secret=app.config["SECRET_KEY"])
    assert requests.get(f"{live}/sign/{later_token}", timeout=30).status_code == 410


def test_expired_link_gets_the_410_page(app: Flask, live: str, driver: WebDriver) -> None:
    document_id = ready_document(app)
    url = _sign_url(app, document_id, 1)
    with app.app_context():
        signer = document(app, document_id).signers[0]
        signer.link_expires_at = utcnow() - timedelta(minutes=1)
        get_session().commit()
    driver.get(url)
    assert _heading(driver) == "Tautan tidak berlaku"
    assert "sudah kedaluwarsa" in page_text(driver)
    assert "Kode status: 410" in page_text(driver)
    save_screenshot(driver, "tautan-tidak-berlaku")
    response = requests.get(url, timeout=30)
    assert response.status_code == 410
    assert "link_opened" not in [e.event for e in _events(app, document_id)]


def test_out_of_turn_link_gets_the_409_page(app: Flask, live: str, driver: WebDriver) -> None:
    document_id = ready_document(app)
    with app.app_context():
        waiting = document(app, document_id).signers[1]
        assert waiting.status == "waiting"
        issue_link(waiting, ttl=timedelta(days=1), now=get_services().clock.now())
        get_session().commit()
        token = token_for(waiting, secret=app.config["SECRET_KEY"])
    url = f"{live}/sign/{token}"
    driver.get(url)
    assert _heading(driver) == "Belum giliran Anda"
    assert "Kode status: 409" in page_text(driver)
    assert driver.find_elements(By.ID, "tombol-tandatangani") == []
    save_screenshot(driver, "bukan-giliran")
    assert requests.get(url, timeout=30).status_code == 409
    with app.app_context():
        assert document(app, document_id).current_revision == 1


def test_wrong_passphrase_gets_the_422_page_then_the_right_one_signs(
    app: Flask, live: str, driver: WebDriver
) -> None:
    first = ready_document(app)
    _sign_directly(app, first, 1)  # the pegawai's key now exists under PASS[1]
    second = ready_document(app, idempotency_key="k-2")
    url = _sign_url(app, second, 1)
    driver.get(url)
    # Not the first use any more: one passphrase field, no confirmation.
    assert driver.find_elements(By.ID, "passphrase_konfirmasi") == []
    driver.find_element(By.ID, "passphrase").send_keys("bukan-frasa-yang-benar")
    submit(driver, driver.find_element(By.ID, "tombol-tandatangani"))
    error = driver.find_element(By.CSS_SELECTOR, ".galat").text
    assert "Frasa sandi salah" in error
    assert "4 kali" in error  # attempts left before the link locks
    save_screenshot(driver, "frasa-sandi-salah")
    http = browser_session(driver)
    form = {
        "csrf_token": driver.find_element(By.NAME, "csrf_token").get_attribute("value"),
        "keputusan": "tandatangani",
        "passphrase": "masih-salah-juga",
    }
    assert http.post(url, data=form, timeout=30).status_code == 422
    with app.app_context():
        assert document(app, second).signers[0].failed_attempts == 2
    driver.find_element(By.ID, "passphrase").send_keys(PASS[1])
    submit(driver, driver.find_element(By.ID, "tombol-tandatangani"))
    assert "Dokumen telah ditandatangani" in driver.find_element(By.CSS_SELECTOR, ".sukses").text
    events = [e.event for e in _events(app, second)]
    assert events.count("sign_failed") == 2
    assert events.count("signed") == 1


def _user(runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["skp", "users", "create", "arsip1", "--role", "arsiparis", "--password", ARSIP_PASSWORD]
    )
    assert result.exit_code == 0, result.output
    assert "created" in result.output


def test_archivist_finds_verifies_and_downloads_by_nip(
    app: Flask, runner: FlaskCliRunner, live: str, driver: WebDriver
) -> None:
    example = load_example("permenpanrb_8_2021_dokumen_penilaian")
    nip = example["pegawai"]["nip"]
    document_id = ready_document(app)
    for urutan in (1, 2, 3):
        _sign_directly(app, document_id, urutan)
    other_nip = "199001012015031002"
    other = ready_document(
        app,
        idempotency_key="k-other",
        changes={"pegawai": {**example["pegawai"], "nip": other_nip, "nama": "Rina Lestari"}},
    )
    _user(runner)

    driver.get(f"{live}/arsip/")
    assert driver.current_url.startswith(f"{live}/arsip/login")
    save_screenshot(driver, "arsip-masuk")
    driver.find_element(By.ID, "username").send_keys("arsip1")
    driver.find_element(By.ID, "password").send_keys("salah-sandi-sekali")
    submit(driver, driver.find_element(By.ID, "tombol-masuk"))
    assert "Nama pengguna atau kata sandi salah." in page_text(driver)
    driver.find_element(By.ID, "username").send_keys("arsip1")
    driver.find_element(By.ID, "password").send_keys(ARSIP_PASSWORD)
    submit(driver, driver.find_element(By.ID, "tombol-masuk"))
    assert driver.current_url.rstrip("/") == f"{live}/arsip"

    driver.find_element(By.ID, "nip").send_keys(nip)
    submit(driver, driver.find_element(By.ID, "tombol-cari"))
    rows = driver.find_elements(By.CSS_SELECTOR, "#hasil tr")[1:]
    assert len(rows) == 1
    assert nip in rows[0].text
    assert "selesai" in rows[0].text
    assert other_nip not in page_text(driver)
    save_screenshot(driver, "arsip-hasil")

    submit(driver, rows[0].find_element(By.TAG_NAME, "a"))
    assert driver.current_url == f"{live}/arsip/dokumen/{document_id}"
    assert "semua tanda tangan sah dan utuh" in driver.find_element(By.ID, "verifikasi").text
    assert driver.find_element(By.ID, "status-dokumen").text == "selesai"
    assert len(driver.find_elements(By.CSS_SELECTOR, "#revisi tr")) == 1 + 5  # revisions 0..4
    save_screenshot(driver, "arsip-dokumen")

    href = driver.find_element(By.ID, "unduh-4").get_attribute("href")
    assert href is not None
    assert requests.get(href, timeout=30, allow_redirects=False).status_code == 302  # no session
    download = browser_session(driver).get(href, timeout=30)
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.content == _current_pdf(app, document_id)
    with app.app_context():
        assert validate(download.content, get_services().trust()).ok

    driver.refresh()
    trail = driver.find_elements(By.CSS_SELECTOR, "#jejak-audit tr")
    # Events by their Indonesian names (service.readable.PERISTIWA).
    downloaded = [r.text for r in trail if "Dokumen diunduh" in r.text]
    assert len(downloaded) == 1
    assert "user:arsip1" in downloaded[0]
    stored = [e for e in _events(app, document_id) if e.event == "downloaded"]
    assert len(stored) == 1
    assert stored[0].actor == "user:arsip1"
    assert '"revision": 4' in stored[0].data_json
    assert not [e for e in _events(app, other) if e.event == "downloaded"]
    with app.app_context():
        assert get_session().get(Document, other) is not None


def _notice(driver: WebDriver, kind: str) -> str:
    """The text of the page's ``.sukses`` or ``.galat`` notice."""
    return str(driver.find_element(By.CSS_SELECTOR, f".{kind}").text)


@pytest.fixture
def live_providers(provider_app: Flask, driver: WebDriver) -> Iterator[str]:
    """:func:`live` for an app whose officials sign through the instance CA, CSC and BSrE."""
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    with live_server(provider_app) as url:
        yield url


def test_three_officials_sign_through_instansi_csc_and_bsre_with_a_totp(
    provider_app: Flask,
    live_providers: str,
    driver: WebDriver,
    outside: OutsideServers,
    bsre: BsreContractServer,
) -> None:
    app = provider_app
    document_id = ready_with_providers(app, PROVIDERS)
    names = [s["nama"] for s in _signers(app, document_id)]

    # The pegawai signs as today: the instance CA, first use, the e-mailed code.
    url = _sign_url(app, document_id, 1)
    driver.get(url)
    assert driver.find_element(By.ID, "penyedia").get_attribute("data-penyedia") == "instansi"
    driver.find_element(By.ID, "kode_verifikasi").send_keys(kode_for_link(app, url))
    driver.find_element(By.ID, "passphrase").send_keys(PASS[1])
    driver.find_element(By.ID, "passphrase_konfirmasi").send_keys(PASS[1])
    submit(driver, driver.find_element(By.ID, "tombol-tandatangani"))
    assert f"Dokumen telah ditandatangani sebagai {names[0]}" in _notice(driver, "sukses")

    # The pejabat penilai: the CSC credential's PIN, nothing to enroll.
    driver.get(_sign_url(app, document_id, 2))
    assert driver.find_element(By.ID, "penyedia").get_attribute("data-penyedia") == "csc"
    assert driver.find_elements(By.ID, "kode_verifikasi") == []
    assert driver.find_elements(By.ID, "passphrase") == []
    driver.find_element(By.ID, "pin").send_keys(outside.csc_pin("tsp/pejabat_penilai"))
    submit(driver, driver.find_element(By.ID, "tombol-tandatangani"))
    assert f"Dokumen telah ditandatangani sebagai {names[1]}" in _notice(driver, "sukses")

    # The atasan asks BSrE for a TOTP, reads it on BeSign Mobile and types it instead of the passphrase.
    url = _sign_url(app, document_id, 3)
    driver.get(url)
    assert driver.find_element(By.ID, "penyedia").get_attribute("data-penyedia") == "bsre"
    assert driver.find_elements(By.ID, "status-penyedia") == []  # ISSUE: nothing to warn about
    save_screenshot(driver, "tanda-tangan-bsre")
    submit(driver, driver.find_element(By.ID, "tombol-kirim-totp"))
    assert "TOTP telah dikirim ke aplikasi BeSign Mobile" in _notice(driver, "galat")
    nik = PEOPLE["atasan_pejabat_penilai"].nik
    asked = [r.path for r in bsre.requests if r.path != "/api/v2/user/check/status"]
    assert asked == ["/api/v2/sign/get/totp"]
    totp = driver.find_element(By.ID, "totp")
    assert not totp.is_displayed()  # folded away under "Atau gunakan TOTP"
    summary = driver.find_element(By.XPATH, "//input[@id='totp']/ancestor::details/summary")
    summary.click()
    assert totp.is_displayed()
    totp.send_keys(bsre.last_totp(nik))
    submit(driver, driver.find_element(By.ID, "tombol-tandatangani"))
    assert f"Dokumen telah ditandatangani sebagai {names[2]}" in _notice(driver, "sukses")
    assert "Semua tanda tangan telah lengkap" in page_text(driver)

    with app.app_context():
        doc = document(app, document_id)
        assert doc.status == "completed"
        assert [s.status for s in doc.signers] == ["signed"] * 3
        trust = get_services().trust()
    # BSrE signed with the TOTP (the passphrase field was left empty), once.
    sign_calls = [r for r in bsre.requests if r.path == "/api/v2/sign/pdf"]
    assert len(sign_calls) == 1
    assert sign_calls[0].http_status == 200
    assert sign_calls[0].body["totp"] == "***"
    assert "passphrase" not in sign_calls[0].body
    report = validate(_current_pdf(app, document_id), trust)
    assert report.ok, report.as_dict()
    assert report.pades_level == "B-LTA"
    assert len(report.signatures) == 4
    driver.get(url)
    assert _heading(driver) == "Tautan tidak berlaku"
