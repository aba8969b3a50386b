"""Archivist logins: lockouts that end or are lifted, per-address throttling shared by every worker,
failures counted exactly under concurrency, and the same hashing work for known and unknown names.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from service import create_app
from service.config import ConfigError
from service.db import get_session, upgrade_schema
from service.models import AuditEvent, User, as_utc
from service.users import create_user
from tests.functional.clock import movable_clock

ARSIP_PASSWORD = "kata-sandi-arsip-yang-panjang"
WRONG = "bukan-kata-sandinya"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _browser(app: Flask, address: str = "192.0.2.10") -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _csrf(client: FlaskClient) -> str:
    match = CSRF.search(client.get("/arsip/login").text)
    assert match is not None
    return match.group(1)


def _login(client: FlaskClient, password: str, username: str = "arsip1", csrf: str | None = None) -> Any:
    form = {"username": username, "password": password, "csrf_token": csrf or _csrf(client)}
    return client.post("/arsip/login", data=form)


def _user(app: Flask) -> User:
    with app.app_context():
        user = get_session().scalar(select(User).where(User.username == "arsip1"))
        assert user is not None
        return user


def _events(app: Flask, event: str) -> list[AuditEvent]:
    with app.app_context():
        return list(get_session().scalars(select(AuditEvent).where(AuditEvent.event == event)))


@pytest.fixture
def archivist(app: Flask) -> None:
    with app.app_context():
        create_user(get_session(), "arsip1", ARSIP_PASSWORD, role="arsiparis")


def test_a_lockout_ends_after_fifteen_minutes(app: Flask, archivist: None) -> None:
    clock = movable_clock(app)
    client = _browser(app)
    for _ in range(10):
        assert _login(client, WRONG).status_code == 401
    locked = _login(client, ARSIP_PASSWORD)
    # The right password does not open a locked account, and is not even checked.
    assert locked.status_code == 423
    assert locked.headers["Retry-After"] == str(15 * 60)
    assert "dikunci sementara" in locked.text
    assert "15 menit" in locked.text
    failures = _events(app, "login_failed")
    assert [json.loads(e.data_json)["failed_logins"] for e in failures] == list(range(1, 11))
    assert "locked_until" in json.loads(failures[-1].data_json)
    clock.advance(timedelta(minutes=14))
    still = _login(client, ARSIP_PASSWORD)
    assert still.status_code == 423
    assert still.headers["Retry-After"] == "60"
    clock.advance(timedelta(minutes=1))
    assert _login(client, ARSIP_PASSWORD).status_code == 302
    assert _user(app).failed_logins == 0
    assert _user(app).locked_until is None


def test_a_lockout_that_ended_starts_a_new_run_of_failures(app: Flask, archivist: None) -> None:
    clock = movable_clock(app)
    client = _browser(app)
    for _ in range(10):
        _login(client, WRONG)
    clock.advance(timedelta(minutes=15))
    # One failure after the lockout is the first of a new run, not the eleventh of the old one.
    assert _login(client, WRONG).status_code == 401
    assert _user(app).failed_logins == 1
    assert _user(app).locked_until is None
    assert _login(client, ARSIP_PASSWORD).status_code == 302


def test_the_unlock_command_lifts_a_lockout_and_is_audited(
    app: Flask, runner: FlaskCliRunner, archivist: None
) -> None:
    client = _browser(app)
    for _ in range(10):
        _login(client, WRONG)
    assert _login(client, ARSIP_PASSWORD).status_code == 423
    done = runner.invoke(args=["skp", "users", "unlock", "arsip1"])
    assert done.exit_code == 0, done.output
    assert "unlocked" in done.output
    [event] = _events(app, "user_unlocked")
    assert event.actor == "cli"
    data = json.loads(event.data_json)
    assert data["username"] == "arsip1"
    assert data["failed_logins"] == 10
    assert data["locked_until"] is not None
    assert _login(client, ARSIP_PASSWORD).status_code == 302
    unknown = runner.invoke(args=["skp", "users", "unlock", "tidak-ada"])
    assert unknown.exit_code != 0
    assert "no user 'tidak-ada'" in unknown.output


def test_an_address_that_fails_too_often_is_refused_by_every_worker(
    app: Flask, app_config: dict[str, Any], archivist: None
) -> None:
    other_worker = create_app(app_config)
    try:
        upgrade_schema(other_worker.extensions["skp.engine"])
        clock = movable_clock(app, other_worker)
        guesser, guesser_elsewhere = _browser(app, "203.0.113.9"), _browser(other_worker, "203.0.113.9")
        # Twenty failures across names that do not exist: no account is touched, the address is.
        for i in range(10):
            assert _login(guesser, WRONG, username=f"tebakan-{i}").status_code == 401
            assert _login(guesser_elsewhere, WRONG, username=f"tebakan-lain-{i}").status_code == 401
        for client in (guesser, guesser_elsewhere):
            refused = _login(client, ARSIP_PASSWORD)
            assert refused.status_code == 429
            assert refused.headers["Retry-After"] == str(15 * 60)
            assert "Terlalu banyak percobaan masuk" in refused.text
            assert "Coba lagi dalam 15 menit." in refused.text
        assert _user(app).failed_logins == 0  # nobody can lock an account from a throttled address
        assert _login(_browser(app, "198.51.100.4"), ARSIP_PASSWORD).status_code == 302
        clock.advance(timedelta(minutes=15))
        assert _login(guesser_elsewhere, ARSIP_PASSWORD).status_code == 302
    finally:
        other_worker.extensions["skp"].close()
        other_worker.extensions["skp.engine"].dispose()


def _at_once(app: Flask, count: int, first_address: int) -> list[int]:
    """``count`` wrong logins for one account at the same moment, each from its own address."""
    clients = [_browser(app, f"10.0.{first_address + i}.1") for i in range(count)]
    tokens = [_csrf(c) for c in clients]
    start = threading.Barrier(count)

    def attempt(i: int) -> int:
        start.wait()
        return int(_login(clients[i], WRONG, csrf=tokens[i]).status_code)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(attempt, range(count)))


def test_concurrent_failed_logins_are_each_counted(app: Flask, archivist: None) -> None:
    assert _at_once(app, 9, first_address=0) == [401] * 9
    assert _user(app).failed_logins == 9
    assert _user(app).locked_until is None
    later = _at_once(app, 11, first_address=100)
    assert set(later) <= {401, 423}
    checked = later.count(401)
    assert checked >= 1
    user = _user(app)
    # Every password that was checked and failed is counted once; the ones refused as locked are not.
    assert user.failed_logins == 9 + checked
    assert user.locked_until is not None
    assert len(_events(app, "login_failed")) == 9 + checked


def _scrypt_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """Record each scrypt computation (its cost parameters) while still computing it for real."""
    calls: list[tuple[Any, ...]] = []
    real: Callable[..., bytes] = hashlib.scrypt

    def counted(password: bytes, *, salt: bytes, n: int, r: int, p: int, **more: Any) -> bytes:
        calls.append((n, r, p, more.get("maxmem"), more.get("dklen")))
        return real(password, salt=salt, n=n, r=r, p=p, **more)

    monkeypatch.setattr(hashlib, "scrypt", counted)
    return calls


def test_unknown_and_known_names_cost_the_same_hashing(
    app: Flask, archivist: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = _browser(app)
    work: dict[str, list[tuple[Any, ...]]] = {}
    for case, username, password, status in (
        ("unknown name", "tidak-ada", ARSIP_PASSWORD, 401),
        ("known name, wrong password", "arsip1", WRONG, 401),
        ("known name, right password", "arsip1", ARSIP_PASSWORD, 302),
    ):
        csrf = _csrf(client)
        calls = _scrypt_calls(monkeypatch)
        assert _login(client, password, username=username, csrf=csrf).status_code == status
        monkeypatch.undo()
        work[case] = calls
    stored = _user(app).password_hash.split("$")[0]  # "scrypt:n:r:p"
    _method, n, r, p = stored.split(":")
    for case, calls in work.items():
        assert len(calls) == 1, case
        assert calls[0][:3] == (int(n), int(r), int(p)), case
    assert len({tuple(calls) for calls in work.values()}) == 1


def test_login_limits_are_configurable(app_config: dict[str, Any]) -> None:
    app = create_app({**app_config, "LOGIN_MAX_FAILURES": 3, "LOGIN_LOCKOUT_MINUTES": 2})
    try:
        upgrade_schema(app.extensions["skp.engine"])
        with app.app_context():
            create_user(get_session(), "arsip1", ARSIP_PASSWORD, role="arsiparis")
        clock = movable_clock(app)
        client = _browser(app)
        for _ in range(3):
            assert _login(client, WRONG).status_code == 401
        locked = _login(client, ARSIP_PASSWORD)
        assert locked.status_code == 423
        assert locked.headers["Retry-After"] == "120"
        until = _user(app).locked_until
        assert until is not None
        assert as_utc(until) == clock.now() + timedelta(minutes=2)
    finally:
        app.extensions["skp"].close()
        app.extensions["skp.engine"].dispose()
    with pytest.raises(ConfigError, match="LOGIN_MAX_FAILURES must be a positive integer"):
        create_app({**app_config, "LOGIN_MAX_FAILURES": 0})
