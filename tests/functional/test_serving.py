"""Serving under gunicorn with the real config: idle and stalled clients never hold up API calls.

Issue 10: with two *sync* workers, two idle TCP connections (Chromium preconnects them) held both
workers, and API calls hung for 60-120 s. Each test runs the service as ``scripts/serve`` does.
These tests check behaviour with generous bounds; ``bench/idle_connections.py`` measures latency.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from service import gunicorn_conf
from tests.conftest import EXAMPLES, KEY_SECRET
from tests.functional.served import Served

#: How long one API call may take while idle or stalled clients are connected; without the
#: defect a call takes milliseconds, with it a minute or more.
ANSWER_WITHIN = 10.0
SCORES = (EXAMPLES / "pp46_2011_evaluasi.json").read_bytes()
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, pki_dir: Path) -> Iterator[Served]:
    with Served(tmp_path_factory.mktemp("served"), pki_dir=pki_dir, key_secret=KEY_SECRET) as running:
        yield running


def _open_idle(served: Served, count: int) -> list[socket.socket]:
    """``count`` connections that send nothing, as a browser's preconnected sockets."""
    return [socket.create_connection(("127.0.0.1", served.port), timeout=5) for _ in range(count)]


def _close(sockets: list[socket.socket]) -> None:
    for sock in sockets:
        sock.close()


def _scores(served: Served) -> tuple[int, bytes]:
    try:
        status, _, body = served.request(
            "POST", "/api/v1/scores", body=SCORES, headers=JSON, timeout=ANSWER_WITHIN
        )
    except TimeoutError:
        pytest.fail(f"POST /api/v1/scores got no answer within {ANSWER_WITHIN} s\n{served.log_tail()}")
    return status, body


def test_two_idle_connections_do_not_freeze_the_service(served: Served) -> None:
    # The reproduction of the issue: as many idle connections as there are workers.
    idle = _open_idle(served, served.workers)
    try:
        time.sleep(0.5)  # the workers accept them
        status, body = _scores(served)
        assert status == 200, body
        assert json.loads(body)["regime"]
    finally:
        _close(idle)


def test_fifty_idle_connections_and_concurrent_api_traffic(served: Served) -> None:
    reference_status, reference = _scores(served)
    assert reference_status == 200
    idle = _open_idle(served, 50)
    answers: list[tuple[int, bytes]] = []
    failures: list[str] = []

    def client() -> None:
        for _ in range(5):
            try:
                status, _, body = served.request(
                    "POST", "/api/v1/scores", body=SCORES, headers=JSON, timeout=ANSWER_WITHIN
                )
            except TimeoutError:
                failures.append(f"no answer within {ANSWER_WITHIN} s")
                return
            answers.append((status, body))

    try:
        time.sleep(0.5)
        # More clients at once than one worker has threads: the threads of a worker share its
        # services, sessions and schemas, and every answer must still be the one given alone.
        clients = [threading.Thread(target=client) for _ in range(12)]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join()
    finally:
        _close(idle)
    assert not failures, (failures, served.log_tail())
    assert len(answers) == 60
    assert {status for status, _ in answers} == {200}
    assert {body for _, body in answers} == {reference}


def test_an_idle_connection_is_closed_after_the_keepalive_time(served: Served) -> None:
    (sock,) = _open_idle(served, 1)
    bound = gunicorn_conf.keepalive + 3
    sock.settimeout(bound)
    started = time.monotonic()
    try:
        assert sock.recv(1) == b""  # closed by the server, nothing sent
    except TimeoutError:
        pytest.fail(f"an idle connection was still open after {bound} s")
    finally:
        sock.close()
    assert time.monotonic() - started >= gunicorn_conf.keepalive - 1


def test_a_stalled_request_head_loses_its_connection(served: Served) -> None:
    from service.gunicorn_worker import HEAD_TIMEOUT

    (sock,) = _open_idle(served, 1)
    sock.sendall(b"POST /api/v1/scores HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and then nothing
    bound = HEAD_TIMEOUT + 3
    sock.settimeout(bound)
    try:
        while sock.recv(4096):
            pass  # an error answer, if any, then the close
    except TimeoutError:
        pytest.fail(f"a connection with half a request head was still open after {bound} s")
    except ConnectionResetError:
        pass
    finally:
        sock.close()
    status, _ = _scores(served)
    assert status == 200
    log = served.log.read_text()
    assert "closed the connection of a client that stopped sending" in log
    assert "TimeoutError" not in log  # one line, not an error with a traceback


def test_a_forged_forwarded_proto_is_ignored_without_a_trusted_proxy(served: Served) -> None:
    # gunicorn by default believes X-Forwarded-Proto from 127.0.0.1; the service alone decides
    # (SKP_PROXY_COUNT, none by default), so a local client cannot make it claim https.
    status, headers, _ = served.request("GET", "/healthz", headers={"X-Forwarded-Proto": "https"})
    assert status == 200
    assert headers.get("Strict-Transport-Security") is None
