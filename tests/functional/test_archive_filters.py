"""The list filters ``signer_nip``, ``signer_status`` and ``updated_since`` on the running app: each
alone, together, with the other filters and the cursor, within the caller's tenancy; and every
operation that changes a document moves its ``updated_at`` ("what changed since T").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.clients import SCOPES, create_client
from service.composition import get_services
from service.db import get_session
from service.models import utcnow
from service.workflow import archive, signing_links
from service.workflow.links import token_for
from service.workflow.pipeline import mark_failed
from service.workflow.revisions import add_revision
from service.workflow.signing_ops import seal_document
from service.workflow.stored import payload_of
from tests.conftest import load_example
from tests.functional.support import document, kode_for, ready_document
from tests.unit.signing.support import sample_pdf

EXAMPLE = "permenpanrb_8_2021_dokumen_penilaian"
BODY = load_example(EXAMPLE)
INSTANSI = BODY["instansi"]
OTHER = "Pemerintah Kabupaten Lain"
PEGAWAI = BODY["pegawai"]["nip"]
PENILAI = BODY["pejabat_penilai"]["nip"]
ATASAN = BODY["atasan_pejabat_penilai"]["nip"]
PEGAWAI_LAIN = "199001012015031001"
PLT = {
    "jenis": "plt",
    "nama": "Rahmat Hidayat, S.E.",
    "nip": "197901012005011001",
    "jabatan": "Plt. Kepala Bagian Umum",
    "keterangan": "SK Wali Kota Nomor 800/123/2024",
}
PASSPHRASE = "frasa-sandi-pegawai"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _key(app: Flask, name: str, scopes: tuple[str, ...], instansi: list[str]) -> dict[str, str]:
    with app.app_context():
        key = create_client(get_session(), name, scopes, instansi=instansi).api_key
    return {"Authorization": f"Bearer {key}"}


def _made(
    app: Flask, key: str, *, client: str = "hr-a", instansi: str = INSTANSI, pegawai: str = PEGAWAI
) -> str:
    changes = {"instansi": instansi, "pegawai": {**BODY["pegawai"], "nip": pegawai}}
    return ready_document(app, example=EXAMPLE, client_name=client, idempotency_key=key, changes=changes)


def _token(app: Flask, document_id: str, urutan: int) -> str:
    with app.app_context():
        token = token_for(document(app, document_id).signers[urutan - 1], secret=app.config["SECRET_KEY"])
    assert token is not None
    return token


def _refuse(client: FlaskClient, app: Flask, document_id: str, urutan: int, alasan: str) -> None:
    """The official refuses on the signing page, as in a browser."""
    path = f"/sign/{_token(app, document_id, urutan)}"
    page = client.get(path)
    found = CSRF.search(page.text)
    assert found is not None, page.text
    answer = client.post(path, data={"csrf_token": found.group(1), "keputusan": "tolak", "alasan": alasan})
    assert answer.status_code == 200, answer.text


def _sign(app: Flask, document_id: str, urutan: int) -> None:
    with app.app_context():
        kode = kode_for(get_session(), get_services(), document(app, document_id), urutan)
        signing_links.decide_by_link(
            get_session(),
            get_services(),
            _token(app, document_id, urutan),
            {
                "keputusan": "tandatangani",
                "kode_verifikasi": kode,
                "passphrase": PASSPHRASE,
                "passphrase_konfirmasi": PASSPHRASE,
            },
            ip="127.0.0.1",
        )


def _found(client: FlaskClient, headers: dict[str, str], **query: Any) -> list[str]:
    """Every id the search finds, page after page (the cursor is followed to the end)."""
    ids: list[str] = []
    cursor: str | None = None
    while True:
        args = {**query, **({"cursor": cursor} if cursor else {})}
        answer = client.get("/api/v1/documents", headers=headers, query_string=args)
        assert answer.status_code == 200, answer.text
        ids += [d["id"] for d in answer.json["items"]]
        cursor = answer.json["next_cursor"]
        if cursor is None:
            return ids


def _shown(client: FlaskClient, headers: dict[str, str], document_id: str) -> dict[str, Any]:
    answer = client.get(f"/api/v1/documents/{document_id}", headers=headers)
    assert answer.status_code == 200, answer.text
    shown: dict[str, Any] = answer.json
    return shown


@pytest.fixture
def keys(app: Flask) -> dict[str, dict[str, str]]:
    """The HR system of each instansi (it creates the documents), an archive key of the first, a key
    of the first that reads only its own documents, and an operator key.
    """
    return {
        "a": _key(app, "hr-a", SCOPES, [INSTANSI]),
        "b": _key(app, "hr-b", SCOPES, [OTHER]),
        "arsip_a": _key(app, "arsip-a", ("archive:read",), [INSTANSI]),
        "own_a": _key(app, "hr-a-lain", ("documents:read",), [INSTANSI]),
        "operator": _key(app, "operator", SCOPES, []),
    }


@pytest.fixture
def documents(app: Flask, client: FlaskClient, keys: dict[str, dict[str, str]]) -> dict[str, str]:
    """Five documents of the first instansi in every signer state, oldest first, and one of the other
    instansi with the same officials. Every one starts at its pegawai's turn (urutan 1 pending).
    """
    made = {
        "a1": _made(app, "a1"),
        "a2": _made(app, "a2", pegawai=PEGAWAI_LAIN),
        "a3": _made(app, "a3"),
        "a4": _made(app, "a4"),
        "a5": _made(app, "a5"),
        "b1": _made(app, "b1", client="hr-b", instansi=OTHER),
    }
    _refuse(client, app, made["a3"], 1, "Target belum sesuai.")
    delegated = client.post(f"/api/v1/documents/{made['a4']}/signers/1/delegate", headers=keys["a"], json=PLT)
    assert delegated.status_code == 200, delegated.text
    assert client.post(f"/api/v1/documents/{made['a5']}/cancel", headers=keys["a"]).status_code == 200
    return made


@pytest.fixture(params=["few changes", "many changes"])
def changes(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways ``updated_since`` is served: from the ``updated_at`` index when few documents
    changed, walking the newest documents when many did (here: a threshold of none).
    """
    if request.param == "many changes":
        monkeypatch.setattr(archive, "FEW_CHANGES", 0)
    return str(request.param)


def _ids(documents: dict[str, str], *names: str) -> list[str]:
    """The ids of ``names``, newest first (as the search answers)."""
    return [documents[n] for n in sorted(names, key=list(documents).index, reverse=True)]


def test_signer_nip_and_signer_status_alone_and_together(
    client: FlaskClient, keys: dict[str, dict[str, str]], documents: dict[str, str]
) -> None:
    reader = keys["arsip_a"]
    # Any signer with the NIP: the pegawai of a1, a3 (refused) and a5 (cancelled); a4's pegawai was
    # replaced by a Plt, a2 has another pegawai, b1 is another instansi's.
    assert _found(client, reader, signer_nip=PEGAWAI) == _ids(documents, "a1", "a3", "a5")
    assert _found(client, reader, signer_nip=PENILAI) == _ids(documents, "a1", "a2", "a3", "a4", "a5")
    # "What is waiting for NIP X": the pair is one signer.
    assert _found(client, reader, signer_nip=PEGAWAI, signer_status="pending") == _ids(documents, "a1")
    assert _found(client, reader, signer_nip=PENILAI, signer_status="pending") == []
    assert _found(client, reader, signer_nip=PEGAWAI, signer_status="rejected") == _ids(documents, "a3")
    assert _found(client, reader, signer_nip=ATASAN, signer_status="signed") == []
    # A Plt's turn is found by the Plt's NIP, not by the NIP of the official replaced.
    assert _found(client, reader, signer_nip=PLT["nip"]) == _ids(documents, "a4")
    assert _found(client, reader, signer_nip=PLT["nip"], signer_status="pending") == _ids(documents, "a4")
    # A status alone: any signer with it.
    assert _found(client, reader, signer_status="pending") == _ids(documents, "a1", "a2", "a4")
    assert _found(client, reader, signer_status="rejected") == _ids(documents, "a3")
    assert _found(client, reader, signer_status="cancelled") == _ids(documents, "a5")
    assert _found(client, reader, signer_status="signed") == []
    # With the other filters.
    both = _found(client, reader, signer_nip=PENILAI, status="awaiting_signature")
    assert both == _ids(documents, "a1", "a2", "a4")
    assert _found(client, reader, signer_nip=PENILAI, nip=PEGAWAI_LAIN) == _ids(documents, "a2")
    assert _found(client, reader, signer_status="pending", q="yohanes") == _ids(documents, "a1", "a2", "a4")


def test_the_filters_keep_to_the_tenancy(
    client: FlaskClient, keys: dict[str, dict[str, str]], documents: dict[str, str], changes: str
) -> None:
    for name in ("a", "arsip_a"):
        assert _found(client, keys[name], signer_nip=PEGAWAI, signer_status="pending") == _ids(
            documents, "a1"
        )
    # The other instansi's HR system finds its own document with the same official, and only it.
    assert _found(client, keys["b"], signer_nip=PEGAWAI) == _ids(documents, "b1")
    assert _found(client, keys["b"], signer_nip=PLT["nip"]) == []
    assert _found(client, keys["b"], signer_status="pending") == _ids(documents, "b1")
    # A key of the same instansi without archive:read reads only the documents it created: none.
    assert _found(client, keys["own_a"], signer_nip=PEGAWAI) == []
    assert _found(client, keys["own_a"], signer_status="pending") == []
    # The operator reads every instansi.
    assert _found(client, keys["operator"], signer_nip=PEGAWAI, signer_status="pending") == _ids(
        documents, "a1", "b1"
    )
    # A moment before everything: every document of the caller's tenancy, nothing else.
    long_ago = "2000-01-01T00:00:00Z"
    assert _found(client, keys["b"], updated_since=long_ago) == _ids(documents, "b1")
    assert _found(client, keys["arsip_a"], updated_since=long_ago) == _ids(
        documents, "a1", "a2", "a3", "a4", "a5"
    )
    assert _found(client, keys["own_a"], updated_since=long_ago) == []
    assert _found(client, keys["operator"], updated_since=long_ago, signer_nip=PEGAWAI) == _ids(
        documents, "a1", "a3", "a5", "b1"
    )


def test_pages_of_a_filtered_search_follow_one_another(
    client: FlaskClient, keys: dict[str, dict[str, str]], documents: dict[str, str], changes: str
) -> None:
    reader = keys["arsip_a"]
    first = client.get(
        "/api/v1/documents", headers=reader, query_string={"signer_status": "pending", "limit": 2}
    )
    assert [d["id"] for d in first.json["items"]] == _ids(documents, "a2", "a4")
    assert first.json["next_cursor"] is not None
    second = client.get(
        "/api/v1/documents",
        headers=reader,
        query_string={"signer_status": "pending", "limit": 2, "cursor": first.json["next_cursor"]},
    )
    assert [d["id"] for d in second.json["items"]] == _ids(documents, "a1")
    assert second.json["next_cursor"] is None
    # One per page, every filter at once.
    query = {"signer_nip": PENILAI, "signer_status": "waiting", "status": "awaiting_signature", "limit": 1}
    assert _found(client, reader, updated_since="2000-01-01T00:00:00+07:00", **query) == _ids(
        documents, "a1", "a2", "a4"
    )


def test_updated_since_is_at_or_after_the_moment_in_any_offset(
    client: FlaskClient, keys: dict[str, dict[str, str]], documents: dict[str, str], changes: str
) -> None:
    reader = keys["arsip_a"]
    newest = _shown(client, reader, documents["a5"])  # cancelled last of all
    moment = datetime.fromisoformat(newest["updated_at"])
    assert moment.utcoffset() == timedelta(0)
    jakarta = moment.astimezone(timezone(timedelta(hours=7)))
    for written in (moment.isoformat(), jakarta.isoformat(), moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")):
        assert _found(client, reader, updated_since=written) == _ids(documents, "a5"), written
    later = (moment + timedelta(microseconds=1)).isoformat()
    assert _found(client, reader, updated_since=later) == []
    # A "+" left unencoded in the URL arrives as a space: still the offset it was.
    raw = client.get(f"/api/v1/documents?updated_since={jakarta.isoformat()}", headers=reader)
    assert raw.status_code == 200, raw.text
    assert [d["id"] for d in raw.json["items"]] == _ids(documents, "a5")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"updated_since": "2024-07-01T08:00:00"}, "updated_since"),
        ({"updated_since": "2024-07-01"}, "updated_since"),
        ({"updated_since": "2024-02-30T08:00:00Z"}, "updated_since"),
        ({"updated_since": "kemarin"}, "updated_since"),
        ({"signer_nip": "19891205"}, "signer_nip"),
        ({"signer_nip": "1989120520150310021"}, "signer_nip"),
        ({"signer_status": "selesai"}, "signer_status"),
    ],
)
def test_a_bad_filter_is_refused_naming_the_field(
    client: FlaskClient, auth: dict[str, str], query: dict[str, str], field: str
) -> None:
    answer = client.get("/api/v1/documents", headers=auth, query_string=query)
    assert answer.status_code == 422, answer.text
    assert answer.mimetype == "application/problem+json"
    assert [e["field"] for e in answer.json["errors"]] == [field]
    if field == "updated_since":
        assert answer.json["errors"][0]["message"].startswith("updated_since ")
    if query == {"updated_since": "2024-07-01T08:00:00"}:
        assert "zona waktu" in answer.json["errors"][0]["message"]


def _wrong_codes(app: Flask, document_id: str) -> None:
    """Five wrong enrollment codes: the link locks."""
    token = _token(app, document_id, 1)
    form = {"keputusan": "tandatangani", "passphrase": PASSPHRASE, "passphrase_konfirmasi": PASSPHRASE}
    for _ in range(5):
        with app.app_context(), pytest.raises(signing_links.DecisionFormError):
            signing_links.decide_by_link(
                get_session(), get_services(), token, {**form, "kode_verifikasi": "00000000"}, ip="127.0.0.1"
            )


def _rendered(app: Flask, document_id: str) -> None:
    """What the render job does to the database once its PDF is made: revision 0, then the seal."""
    with app.app_context():
        session, services = get_session(), get_services()
        doc = document(app, document_id)
        add_revision(session, services.store, doc, data=sample_pdf(pages=2), kind="render", based_on=-1)
        session.commit()
        seal_document(session, services, doc, payload=payload_of(doc))
        session.commit()


def _render_failed(app: Flask, document_id: str) -> None:
    with app.app_context():
        mark_failed(get_session(), get_services(), document_id, "Templat formulir tidak dapat diisi.")


def test_every_change_of_a_document_moves_updated_at(
    app: Flask, client: FlaskClient, keys: dict[str, dict[str, str]]
) -> None:
    owner = keys["a"]
    created = {
        name: client.post(
            "/api/v1/documents",
            headers={**owner, "Idempotency-Key": name},
            json={**BODY, "instansi": INSTANSI},
        )
        for name in ("render", "fail")
    }
    assert {c.status_code for c in created.values()} == {202}
    rendering = {name: c.json["id"] for name, c in created.items()}
    ready = {name: _made(app, name) for name in ("sign", "refuse", "cancel", "delegate", "reissue")}
    # A pegawai without a key (the signature enrolls one for PEGAWAI): a wrong code counts.
    ready["lock"] = _made(app, "lock", pegawai=PEGAWAI_LAIN)
    api = keys["a"]
    changes: dict[str, tuple[str, Callable[[], None]]] = {
        "render": (rendering["render"], lambda: _rendered(app, rendering["render"])),
        "render failed": (rendering["fail"], lambda: _render_failed(app, rendering["fail"])),
        "signature": (ready["sign"], lambda: _sign(app, ready["sign"], 1)),
        "refusal": (ready["refuse"], lambda: _refuse(client, app, ready["refuse"], 1, "Data keliru.")),
        "cancel": (
            ready["cancel"],
            lambda: _ok(client.post(f"/api/v1/documents/{ready['cancel']}/cancel", headers=api)),
        ),
        "delegate": (
            ready["delegate"],
            lambda: _ok(
                client.post(
                    f"/api/v1/documents/{ready['delegate']}/signers/2/delegate", headers=api, json=PLT
                )
            ),
        ),
        "reissue": (
            ready["reissue"],
            lambda: _ok(client.post(f"/api/v1/documents/{ready['reissue']}/signers/1/reissue", headers=api)),
        ),
        "lock": (ready["lock"], lambda: _wrong_codes(app, ready["lock"])),
    }
    for change, (document_id, act) in changes.items():
        before = _shown(client, owner, document_id)["updated_at"]
        moment = utcnow().isoformat()
        act()
        after = _shown(client, owner, document_id)["updated_at"]
        assert datetime.fromisoformat(after) > datetime.fromisoformat(before), change
        # Exactly this document changed since the moment.
        assert _found(client, keys["arsip_a"], updated_since=moment) == [document_id], change


def _ok(answer: Any) -> None:
    assert answer.status_code == 200, answer.text


def test_a_failed_wrong_attempt_before_the_lock_is_no_change(
    app: Flask, client: FlaskClient, keys: dict[str, dict[str, str]]
) -> None:
    document_id = _made(app, "salah")
    before = _shown(client, keys["a"], document_id)["updated_at"]
    token = _token(app, document_id, 1)
    with app.app_context(), pytest.raises(signing_links.DecisionFormError):
        signing_links.decide_by_link(
            get_session(),
            get_services(),
            token,
            {
                "keputusan": "tandatangani",
                "kode_verifikasi": "00000000",
                "passphrase": PASSPHRASE,
                "passphrase_konfirmasi": PASSPHRASE,
            },
            ip="127.0.0.1",
        )
    assert _shown(client, keys["a"], document_id)["updated_at"] == before
