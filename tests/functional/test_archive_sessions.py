"""Archivist sessions live on the server: a copied cookie dies with logout, a password change and the
idle and absolute timeouts (the clock is moved, never waited for).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from sqlalchemy import select

from service import create_app
from service.db import get_session, upgrade_schema
from service.models import AuditEvent, WebSession
from service.users import create_user
from service.web_sessions import COOKIE
from tests.functional.browser import (
    browser_session,
    chromium,
    live_server,
    page_text,
    save_screenshot,
    submit,
    tools_available,
)
from tests.functional.clock import MovableClock, movable_clock

ARSIP_PASSWORD = "kata-sandi-arsip-yang-panjang"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def archivist(app: Flask) -> None:
    with app.app_context():
        create_user(get_session(), "arsip1", ARSIP_PASSWORD, role="arsiparis")


def _csrf(client: FlaskClient, path: str) -> str:
    match = CSRF.search(client.get(path).text)
    assert match is not None
    return match.group(1)


def _login(client: FlaskClient, password: str = ARSIP_PASSWORD) -> str:
    """Sign in; the value of the session cookie."""
    response = client.post(
        "/arsip/login",
        data={"username": "arsip1", "password": password, "csrf_token": _csrf(client, "/arsip/login")},
    )
    assert response.status_code == 302, response.text
    cookie = client.get_cookie(COOKIE, path="/arsip")
    assert cookie is not None
    return cookie.value


def _copy(app: Flask, value: str) -> FlaskClient:
    """Another browser holding nothing but a copy of the session cookie."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, value, path="/arsip")
    return thief


def _signed_in(client: FlaskClient) -> bool:
    response = client.get("/arsip/")
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/arsip/login")
    return response.status_code == 200


def _sessions(app: Flask) -> list[WebSession]:
    with app.app_context():
        return list(get_session().scalars(select(WebSession).order_by(WebSession.id)))


def _events(app: Flask, event: str) -> list[AuditEvent]:
    with app.app_context():
        return list(get_session().scalars(select(AuditEvent).where(AuditEvent.event == event)))


def test_a_copied_cookie_is_refused_after_logout(app: Flask, client: FlaskClient, archivist: None) -> None:
    value = _login(client)
    thief = _copy(app, value)
    assert _signed_in(thief)
    [row] = _sessions(app)
    # The database holds the id's hash only, and Flask's own cookie does not sign anyone in.
    assert row.token_hash == hashlib.sha256(value.encode()).hexdigest()
    assert value not in row.token_hash
    assert _signed_in(client)  # the page's logout form puts a CSRF token in Flask's cookie
    flask_cookie = client.get_cookie("session")
    assert flask_cookie is not None
    alone = app.test_client()
    alone.set_cookie("session", flask_cookie.value)
    assert not _signed_in(alone)

    logout = client.post("/arsip/logout", data={"csrf_token": _csrf(client, "/arsip/")})
    assert logout.status_code == 302
    assert client.get_cookie(COOKIE, path="/arsip") is None
    assert not _signed_in(thief)
    assert not _signed_in(client)
    [row] = _sessions(app)
    assert row.revoked_at is not None
    assert row.revoke_reason == "logout"
    [event] = _events(app, "logout")
    assert event.actor == "user:arsip1"
    assert json.loads(event.data_json) == {"session": row.id}
    [login] = _events(app, "login")
    assert json.loads(login.data_json) == {"session": row.id}


def test_the_session_cookie_is_httponly_samesite_path_arsip_and_secure_behind_https(
    app_config: dict[str, Any],
) -> None:
    for public_url, secure in (("http://localhost:5000", False), ("https://skp.example.go.id", True)):
        app = create_app({**app_config, "PUBLIC_URL": public_url})
        try:
            upgrade_schema(app.extensions["skp.engine"])
            with app.app_context():
                create_user(get_session(), f"arsip-{secure}", ARSIP_PASSWORD, role="arsiparis")
            client = app.test_client()
            form = {"username": f"arsip-{secure}", "password": ARSIP_PASSWORD}
            # Behind https the Flask cookie is Secure too, so the test client speaks https to keep it.
            page = client.get("/arsip/login", base_url=public_url)
            match = CSRF.search(page.text)
            assert match is not None
            form["csrf_token"] = match.group(1)
            response = client.post("/arsip/login", data=form, base_url=public_url)
            assert response.status_code == 302, response.text
            [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{COOKIE}=")]
            attributes = {part.strip().split("=")[0].lower(): part.strip() for part in header.split(";")}
            assert attributes["path"] == "Path=/arsip"
            assert "httponly" in attributes
            assert attributes["samesite"] == "SameSite=Lax"
            assert ("secure" in attributes) is secure
            assert "expires" not in attributes  # a browser session; the server ends it in any case
        finally:
            app.extensions["skp.engine"].dispose()


def test_an_idle_session_is_refused_after_thirty_minutes(
    app: Flask, client: FlaskClient, archivist: None
) -> None:
    clock = movable_clock(app)
    thief = _copy(app, _login(client))
    for _ in range(3):
        clock.advance(timedelta(minutes=29, seconds=59))
        assert _signed_in(client)  # each request restarts the idle clock
    clock.advance(timedelta(minutes=30))
    assert not _signed_in(thief)
    assert not _signed_in(client)
    assert _login(client)  # a new login is a new session
    assert len(_sessions(app)) == 2


def test_a_busy_session_is_refused_twelve_hours_after_login(
    app: Flask, client: FlaskClient, archivist: None
) -> None:
    clock = movable_clock(app)
    _login(client)
    start = clock.now()
    while clock.now() + timedelta(minutes=25) < start + timedelta(hours=12):
        clock.advance(timedelta(minutes=25))
        assert _signed_in(client)
    clock.moment = start + timedelta(hours=12)
    assert not _signed_in(client)


def test_session_timeouts_are_configurable(app_config: dict[str, Any]) -> None:
    app = create_app({**app_config, "ARCHIVE_SESSION_IDLE_MINUTES": 5, "ARCHIVE_SESSION_MAX_HOURS": 1})
    try:
        upgrade_schema(app.extensions["skp.engine"])
        with app.app_context():
            create_user(get_session(), "arsip1", ARSIP_PASSWORD, role="arsiparis")
        clock: MovableClock = movable_clock(app)
        client = app.test_client()
        _login(client)
        clock.advance(timedelta(minutes=4))
        assert _signed_in(client)
        clock.advance(timedelta(minutes=5))
        assert not _signed_in(client)
        _login(client)
        for _ in range(14):
            clock.advance(timedelta(minutes=4))
            assert _signed_in(client)
        clock.advance(timedelta(minutes=4))  # 64 minutes after this login
        assert not _signed_in(client)
    finally:
        app.extensions["skp.engine"].dispose()


def test_a_password_change_ends_every_session(app: Flask, runner: FlaskCliRunner, archivist: None) -> None:
    office, home = app.test_client(), app.test_client()
    thief = _copy(app, _login(office))
    _login(home)
    weak = runner.invoke(args=["skp", "users", "password", "arsip1", "--password", "pendek"])
    assert weak.exit_code != 0
    assert "at least 12" in weak.output
    assert _signed_in(office)
    changed = runner.invoke(
        args=["skp", "users", "password", "arsip1", "--password", "kata-sandi-baru-panjang"]
    )
    assert changed.exit_code == 0, changed.output
    assert "2 session(s) ended" in changed.output
    for browser in (office, home, thief):
        assert not _signed_in(browser)
    assert {row.revoke_reason for row in _sessions(app)} == {"password_changed"}
    [event] = _events(app, "password_changed")
    assert event.actor == "cli"
    assert json.loads(event.data_json) == {"sessions_revoked": 2, "username": "arsip1"}
    refused = office.post(
        "/arsip/login",
        data={"username": "arsip1", "password": ARSIP_PASSWORD, "csrf_token": _csrf(office, "/arsip/login")},
    )
    assert refused.status_code == 401
    assert _login(office, "kata-sandi-baru-panjang")
    unknown = runner.invoke(
        args=["skp", "users", "password", "tidak-ada", "--password", "kata-sandi-baru-panjang"]
    )
    assert unknown.exit_code != 0
    assert "no user 'tidak-ada'" in unknown.output


@pytest.fixture
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    browser = chromium(tmp_path_factory.mktemp("chromium-profile"))
    yield browser
    browser.quit()


@pytest.mark.slow
@pytest.mark.skipif(not tools_available(), reason="needs /usr/bin/chromium and chromedriver")
def test_in_a_browser_logout_kills_the_cookie_someone_copied(
    app: Flask, archivist: None, driver: WebDriver
) -> None:
    with live_server(app) as live:
        driver.get(f"{live}/arsip/")
        driver.find_element(By.ID, "username").send_keys("arsip1")
        driver.find_element(By.ID, "password").send_keys(ARSIP_PASSWORD)
        submit(driver, driver.find_element(By.ID, "tombol-masuk"))
        assert driver.current_url.rstrip("/") == f"{live}/arsip"
        [cookie] = [c for c in driver.get_cookies() if c["name"] == COOKIE]
        assert cookie["httpOnly"]
        assert cookie["path"] == "/arsip"
        copied = browser_session(driver)
        assert copied.get(f"{live}/arsip/", timeout=30, allow_redirects=False).status_code == 200
        submit(driver, driver.find_element(By.XPATH, "//button[starts-with(normalize-space(), 'Keluar')]"))
        assert driver.current_url.startswith(f"{live}/arsip/login")
        assert "Masuk sebagai arsiparis" in page_text(driver)
        assert COOKIE not in {c["name"] for c in driver.get_cookies()}
        refused = copied.get(f"{live}/arsip/", timeout=30, allow_redirects=False)
        assert refused.status_code == 302
        assert refused.headers["Location"].startswith("/arsip/login")

        # Someone else fails ten times: the archivist is told in words why the right password
        # does not work now, and for how long.
        guesser = requests.Session()
        for _ in range(10):
            page = guesser.get(f"{live}/arsip/login", timeout=30)
            match = CSRF.search(page.text)
            assert match is not None
            form = {"username": "arsip1", "password": "tebakan-salah", "csrf_token": match.group(1)}
            assert guesser.post(f"{live}/arsip/login", data=form, timeout=30).status_code == 401
        driver.find_element(By.ID, "username").send_keys("arsip1")
        driver.find_element(By.ID, "password").send_keys(ARSIP_PASSWORD)
        submit(driver, driver.find_element(By.ID, "tombol-masuk"))
        alert = driver.find_element(By.CSS_SELECTOR, "[role=alert]").text
        assert "Akun ini dikunci sementara setelah 10 kali gagal masuk." in alert
        assert "Coba lagi dalam 15 menit, atau minta operator membukanya." in alert
        save_screenshot(driver, "arsip-terkunci")
