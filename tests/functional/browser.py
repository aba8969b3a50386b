"""Browser test support: the real app on a live HTTP server and a headless Debian Chromium.

The app runs in werkzeug's threaded server on an ephemeral port of 127.0.0.1, so the browser talks
HTTP to exactly the code that production runs (no test client in between). Chromium is driven by
Selenium through Debian's ``chromedriver``.
"""

from __future__ import annotations

import base64
import dataclasses
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from flask import Flask
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import make_server

__all__ = [
    "DESKTOP",
    "PHONE",
    "SCREENSHOTS",
    "browser_session",
    "chromium",
    "live_server",
    "page_text",
    "save_screenshot",
    "submit",
]

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
DESKTOP = (1280, 900)
#: A common Android phone viewport (CSS pixels).
PHONE = (412, 915)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def tools_available() -> bool:
    return Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()


@contextmanager
def live_server(app: Flask) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 in a thread; yields the base URL and sets ``PUBLIC_URL`` to it.

    ``PUBLIC_URL`` must be right before documents are created: signing links and the QR code's
    verification address are built from it.
    """
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    services = app.extensions["skp"]
    previous = services.settings
    # The settings are frozen; a test server's address is known only now, so the test swaps them.
    services.settings = dataclasses.replace(previous, public_url=url)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
        services.settings = previous


def chromium(profile_dir: Path) -> WebDriver:
    """A headless Chromium with a fresh profile, nothing running in the background."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--window-size={DESKTOP[0]},{DESKTOP[1]}",
        f"--user-data-dir={profile_dir}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    return driver


def submit(driver: WebDriver, button: WebElement, *, timeout: float = 60) -> None:
    """Click a form button and wait until the answer page has replaced the current one.

    The old page's ``window`` carries a marker; the new page's does not. (Waiting for the old
    element to go stale races with Chromium's navigation and may raise a generic error instead.)
    """
    driver.execute_script("window.__skpBefore = true;")
    button.click()
    WebDriverWait(driver, timeout, poll_frequency=0.05, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.execute_script(
            "return window.__skpBefore === undefined && document.readyState === 'complete';"
        )
    )


def page_text(driver: WebDriver) -> str:
    return str(driver.find_element(By.TAG_NAME, "body").text)


def browser_session(driver: WebDriver) -> requests.Session:
    """A ``requests`` session holding the browser's cookies (to fetch what the browser downloads)."""
    http = requests.Session()
    for cookie in driver.get_cookies():
        http.cookies.set(cookie["name"], cookie["value"], path=cookie.get("path", "/"))
    return http


def save_screenshot(driver: WebDriver, name: str, *, phone: tuple[int, int] = PHONE) -> None:
    """With ``SKP_SCREENSHOTS=1``: the whole page at desktop width and again at phone width.

    Writes ``docs/screenshots/<name>.png`` and ``<name>-ponsel.png`` (a 412 × 915 mobile viewport,
    so ``<meta name=viewport>`` and media queries apply as on a phone). Without the variable this
    is a no-op, so ordinary test runs leave the work tree alone.
    """
    if os.environ.get("SKP_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for suffix, (width, height), mobile in (("", DESKTOP, False), ("-ponsel", phone, True)):
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {
                "width": width,
                "height": height,
                "deviceScaleFactor": 1,
                "mobile": mobile,
            },
        )
        size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        shot = driver.execute_cdp_cmd(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": width, "height": size["height"], "scale": 1},
            },
        )
        (SCREENSHOTS / f"{name}{suffix}.png").write_bytes(base64.b64decode(shot["data"]))
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
