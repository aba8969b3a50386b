"""An official with 30 waiting documents in a real browser: one link, the inbox, "pilih semua", one
passphrase, the progress page refreshing itself (no JavaScript needed) and 30 outcomes.

``SKP_SCREENSHOTS=1`` writes the inbox and the progress page to ``docs/screenshots/`` (desktop and a
390 px phone).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from flask import Flask
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from service.db import get_session
from service.models import Document
from tests.functional.browser import chromium, live_server, save_screenshot, submit, tools_available
from tests.functional.support import document
from tests.functional.test_inbox import PASSPHRASE, _enroll, _evaluasi, _token

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not tools_available(), reason="needs /usr/bin/chromium and chromedriver"),
]

#: The phone width the inbox is checked at (CSS pixels).
PHONE_390 = (390, 844)


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    browser = chromium(tmp_path_factory.mktemp("chromium-profile"))
    yield browser
    browser.quit()


@pytest.fixture
def live(app: Flask, driver: WebDriver) -> Iterator[str]:
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    with live_server(app) as url:
        yield url


def test_an_official_signs_30_documents_with_one_passphrase(app: Flask, live: str, driver: WebDriver) -> None:
    _enroll(app, _evaluasi(app, "k-000"))
    names = [f"Pegawai Nomor {n:02d}, S.E." for n in range(1, 31)]
    ids = [_evaluasi(app, f"k-{n:03d}", pegawai=name) for n, name in enumerate(names, 1)]
    driver.get(f"{live}/sign/{_token(app, ids[0])}")
    submit(driver, driver.find_element(By.ID, "tombol-kotak-masuk"))
    rows = driver.find_elements(By.CSS_SELECTOR, "li.dokumen")
    assert sorted(r.get_attribute("data-dokumen") for r in rows) == sorted(ids)
    assert driver.find_element(By.ID, "jumlah").text == "30"
    body = driver.find_element(By.TAG_NAME, "body").text
    assert all(name in body for name in names)
    save_screenshot(driver, "kotak-masuk", phone=PHONE_390)
    driver.find_element(By.ID, "pilih-semua").click()
    driver.find_element(By.ID, "passphrase").send_keys(PASSPHRASE)
    submit(driver, driver.find_element(By.ID, "tombol-tandatangani-semua"))
    progress = driver.find_element(By.ID, "kemajuan")
    seen = [(progress.get_attribute("data-status"), int(progress.get_attribute("data-selesai") or 0))]
    assert seen[0][0] == "berjalan"  # 30 signatures take seconds: the first answer is the progress
    assert driver.find_elements(By.CSS_SELECTOR, 'meta[http-equiv="refresh"]')
    save_screenshot(driver, "kotak-masuk-proses", phone=PHONE_390)
    deadline = time.monotonic() + 240
    while seen[-1][0] != "selesai":
        assert time.monotonic() < deadline, seen
        time.sleep(0.5)
        # The page reloads itself (meta refresh); read whatever page is there now.
        try:
            found = driver.find_element(By.ID, "kemajuan")
            seen.append((found.get_attribute("data-status"), int(found.get_attribute("data-selesai") or 0)))
        except WebDriverException:
            pass  # caught between two loads of the page: read it again
    done = [count for _status, count in seen]
    assert done == sorted(done)
    assert done[-1] == 30
    outcomes = driver.find_elements(By.CSS_SELECTOR, "tr.hasil")
    assert len(outcomes) == 30
    assert {o.get_attribute("class") for o in outcomes} == {"hasil signed"}
    assert "30 ditandatangani" in driver.find_element(By.ID, "kemajuan").text
    save_screenshot(driver, "kotak-masuk-hasil", phone=PHONE_390)
    with app.app_context():
        assert {document(app, d).status for d in ids} == {"completed"}
        assert get_session().query(Document).filter_by(status="awaiting_signature").count() == 0
