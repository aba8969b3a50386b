"""Requests at the same moment: the same Idempotency-Key gives every caller the same answer, and
different documents created together all succeed with one unbroken audit chain.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from service.audit import verify_chain
from service.db import get_session
from service.models import Document
from tests.conftest import load_example

THREADS = 8


def _post_together(app: Flask, auth: dict[str, str], keys: list[str], body: dict[str, Any]) -> list[Any]:
    barrier = threading.Barrier(len(keys))
    answers: list[Any] = [None] * len(keys)

    def post(i: int) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post("/api/v1/documents", headers={**auth, "Idempotency-Key": keys[i]}, json=body)
        answers[i] = (response.status_code, response.json)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(keys))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_the_same_idempotency_key_at_once_gives_everyone_the_first_answer(
    app: Flask, auth: dict[str, str]
) -> None:
    body = load_example("permenpanrb_6_2022_skp")
    answers = _post_together(app, auth, ["sama"] * THREADS, body)
    statuses = [status for status, _ in answers]
    assert statuses == [202] * THREADS, [a[1] for a in answers if a[0] != 202]
    assert len({json["id"] for _, json in answers}) == 1
    with app.app_context():
        assert get_session().scalar(select(func.count(Document.id))) == 1


def test_documents_created_at_once_all_succeed_and_the_audit_chain_holds(
    app: Flask, auth: dict[str, str]
) -> None:
    body = load_example("permenpanrb_6_2022_skp")
    answers = _post_together(app, auth, [f"k-{i}" for i in range(THREADS)], body)
    assert [status for status, _ in answers] == [202] * THREADS, [a[1] for a in answers if a[0] != 202]
    assert len({json["id"] for _, json in answers}) == THREADS
    with app.app_context():
        assert list(verify_chain(get_session())) == []
