"""The archive: search (API and pages), pagination, archivist accounts, audited downloads, audit chain."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import insert, select, text

from service.clients import create_client
from service.composition import get_services
from service.db import get_session
from service.models import ApiClient, AuditEvent, Document, User
from service.tenancy import Caller, Tenancy, instansi_key
from service.users import create_user
from service.workflow import archive
from service.workflow.signing_ops import sign_document
from tests.functional.support import document, kode_for, ready_document

ARSIP_PASSWORD = "kata-sandi-arsip-yang-panjang"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
BASE = datetime(2025, 1, 15, 8, 0, tzinfo=UTC)
UNITS = ("Biro Umum", "Biro Keuangan", "Dinas Pendidikan")
INSTANSI = "Pemerintah Provinsi Uji"
OPERATOR = Caller.operator("test")


def _client(app: Flask, name: str, scopes: tuple[str, ...]) -> tuple[int, str]:
    with app.app_context():
        new = create_client(get_session(), name, scopes)
        return new.client.id, new.api_key


def _insert(app: Flask, client_id: int, rows: list[dict[str, Any]]) -> None:
    """Archive rows as the pipeline leaves them (search reads only these columns)."""
    with app.app_context():
        session = get_session()
        session.execute(
            insert(Document),
            [
                {
                    "id": row["id"],
                    "client_id": client_id,
                    "idempotency_key": row["id"],
                    "request_hash": "0" * 64,
                    "type": row.get("type", "skp"),
                    "regime": "permenpanrb_6_2022",
                    "status": row.get("status", "completed"),
                    "payload_json": "{}",
                    "hasil_json": "{}",
                    "verification_code": f"v{row['id']}",
                    "instansi": row.get("instansi", INSTANSI),
                    "instansi_key": instansi_key(row.get("instansi", INSTANSI)),
                    "pegawai_nip": row["nip"],
                    "pegawai_nama": row.get("nama", "Pegawai"),
                    "unit_kerja": row.get("unit", UNITS[0]),
                    "periode_tahun": row.get("periode", 2024),
                    "current_revision": -1,
                    "created_at": row["at"],
                    "updated_at": row["at"],
                }
                for row in rows
            ],
        )
        session.commit()


def _nip(i: int) -> str:
    return f"19{80 + i % 20:02d}0101{2005 + i % 15}031{i % 1000:03d}"


@pytest.fixture
def archive_rows(app: Flask) -> int:
    client_id, _key = _client(app, "hr-arsip", ("documents:write", "documents:read"))
    rows = []
    for i in range(60):
        rows.append(
            {
                "id": f"doc_{i:04d}",
                "nip": _nip(i % 12),
                "nama": ["Siti Aminah", "Budi Santoso", "Ni Made Ayu", "Yohanes Tefa"][i % 4],
                "unit": UNITS[i % 3],
                "periode": 2022 + i % 3,
                "type": ("skp", "evaluasi", "dokumen_penilaian")[i % 3],
                "status": ("completed", "awaiting_signature", "rejected", "completed")[i % 4],
                # Ten documents share each timestamp, so the cursor must break ties by id.
                "at": BASE + timedelta(minutes=i // 10),
            }
        )
    _insert(app, client_id, rows)
    return client_id


def _ids(page: archive.SearchPage) -> list[str]:
    return [d.id for d in page.items]


def _newest_first(ids: list[str]) -> list[str]:
    return sorted(ids, key=lambda i: (int(i[4:]) // 10, i), reverse=True)


def test_search_filters_newest_first(app: Flask, archive_rows: int) -> None:
    with app.app_context():
        session = get_session()
        by_nip = archive.search(session, archive.ArchiveQuery(nip=_nip(3), limit=100), OPERATOR)
        expected = [f"doc_{i:04d}" for i in range(60) if i % 12 == 3]
        assert _ids(by_nip) == _newest_first(expected)
        unit = archive.search(
            session, archive.ArchiveQuery(unit_kerja="Biro Keuangan", periode=2023, limit=100), OPERATOR
        )
        expected = [f"doc_{i:04d}" for i in range(60) if i % 3 == 1 and 2022 + i % 3 == 2023]
        assert _ids(unit) == _newest_first(expected)
        assert unit.next_cursor is None
        nama = archive.search(session, archive.ArchiveQuery(nama="made", limit=100), OPERATOR)
        assert {d.pegawai_nama for d in nama.items} == {"Ni Made Ayu"}
        assert len(nama.items) == 15
        typed = archive.search(
            session, archive.ArchiveQuery(type="evaluasi", status="rejected", limit=100), OPERATOR
        )
        assert all(d.type == "evaluasi" and d.status == "rejected" for d in typed.items)
        assert len(typed.items) == len([i for i in range(60) if i % 3 == 1 and i % 4 == 2])
        q = archive.search(session, archive.ArchiveQuery(q="keuangan", limit=100), OPERATOR)
        assert len(q.items) == 20
        # A NIP is found by its prefix too; a whole NIP by the (nip, created_at) index.
        prefix = archive.search(session, archive.ArchiveQuery(nip=_nip(3)[:-1], limit=100), OPERATOR)
        assert _ids(prefix) == _ids(by_nip)
        # Wildcards typed by a user are literal characters, not patterns.
        assert archive.search(session, archive.ArchiveQuery(nama="%", limit=100), OPERATOR).items == []
        assert archive.search(session, archive.ArchiveQuery(q="_", limit=100), OPERATOR).items == []


OTHER_INSTANSI = "Pemerintah Kabupaten Lain"
TENANT = Caller(actor="user:arsip-uji", tenancy=Tenancy.of([INSTANSI]))
WORD_ROWS = (
    # id, nama, unit, nip, periode, type, status
    ("w01", "Siti Aminah", "Badan Kepegawaian Daerah", "198301012008031001", 2021, "evaluasi", "completed"),
    ("w02", "Siti Rahmawati", "Bagian Kepegawaian dan Umum", "198301012008032002", 2021, "skp", "completed"),
    ("w03", "Ni Made Ayu", "Badan Kepegawaian Daerah", "199002022015031003", 2022, "evaluasi", "rejected"),
    ("w04", "Yohanes Tefa", "Dinas Pendidikan", "198301152009031004", 2021, "evaluasi", "completed"),
    ("w05", "Muhammad Ma'ruf", "Biro Umum", "197512312000031005", 2021, "skp", "awaiting_signature"),
)


@pytest.fixture
def word_rows(app: Flask) -> None:
    """Five documents of the tenant's instansi and the same five again in another instansi."""
    client_id, _key = _client(app, "hr-kata", ("documents:write", "documents:read"))
    rows = []
    for copy, instansi in enumerate((INSTANSI, OTHER_INSTANSI)):
        for n, (doc, nama, unit, nip, periode, type_, status) in enumerate(WORD_ROWS):
            rows.append(
                {
                    "id": f"{doc}{'-lain' if copy else ''}",
                    "nama": nama,
                    "unit": unit,
                    "nip": nip,
                    "periode": periode,
                    "type": type_,
                    "status": status,
                    "instansi": instansi,
                    "at": BASE + timedelta(hours=n, minutes=copy),
                }
            )
    _insert(app, client_id, rows)


def _found(app: Flask, caller: Caller = TENANT, **query: Any) -> list[str]:
    with app.app_context():
        page = archive.search(get_session(), archive.ArchiveQuery(limit=100, **query), caller)
        return sorted(_ids(page))


def test_words_of_unit_and_name_and_nip_prefixes_are_found_within_the_tenancy(
    app: Flask, word_rows: None
) -> None:
    # The defect: only the whole unit name found anything.
    assert _found(app, unit_kerja="kepegawaian") == ["w01", "w02", "w03"]
    assert _found(app, unit_kerja="KEPEG") == ["w01", "w02", "w03"]  # a partial word, any case
    assert _found(app, unit_kerja="kepegawaian daerah") == ["w01", "w03"]  # every word
    assert _found(app, unit_kerja="daerah kepegawaian") == ["w01", "w03"]  # in any order
    assert _found(app, unit_kerja="siti") == []  # a name is not a unit
    assert _found(app, nama="siti") == ["w01", "w02"]
    assert _found(app, nama="ami") == ["w01"]  # the start of a word
    assert _found(app, nama="mah") == []  # not the middle of one
    assert _found(app, nama="ma'ruf") == ["w05"]
    assert _found(app, nama="kepegawaian") == []
    assert _found(app, q="siti kepegawaian umum") == ["w02"]  # one box, words of both
    assert _found(app, nip="198301") == ["w01", "w02", "w04"]
    assert _found(app, nip="1983010120080310") == ["w01"]
    assert _found(app, q="198301012") == ["w01", "w02"]  # digits in the box: a NIP prefix
    assert _found(app, nip="198301012008031001") == ["w01"]
    # Combined with the filters.
    assert _found(app, unit_kerja="kepegawaian", periode=2021) == ["w01", "w02"]
    assert _found(app, unit_kerja="kepegawaian", type="evaluasi") == ["w01", "w03"]
    assert _found(app, unit_kerja="kepegawaian", status="rejected") == ["w03"]
    assert _found(app, nama="siti", unit_kerja="badan", periode=2021, type="evaluasi") == ["w01"]
    assert _found(app, nip="1983", unit_kerja="umum", status="completed") == ["w02"]
    # Punctuation alone is no word: nothing, never everything.
    assert _found(app, nama="'-.") == []
    assert _found(app, q="%") == []
    # The operator sees both instansi; the tenant never the other one's copies.
    assert _found(app, Caller.operator("test"), unit_kerja="kepegawaian") == [
        "w01",
        "w01-lain",
        "w02",
        "w02-lain",
        "w03",
        "w03-lain",
    ]
    other = Caller(actor="user:lain", tenancy=Tenancy.of([OTHER_INSTANSI]))
    assert _found(app, other, nama="siti") == ["w01-lain", "w02-lain"]
    assert _found(app, other, nip="1983") == ["w01-lain", "w02-lain", "w04-lain"]


def test_word_search_pages_with_the_cursor(app: Flask, word_rows: None) -> None:
    seen: list[str] = []
    cursor = None
    with app.app_context():
        while True:
            page = archive.search(
                get_session(),
                archive.ArchiveQuery(q="kepegawaian", cursor=cursor, limit=2),
                Caller.operator("test"),
            )
            seen += _ids(page)
            cursor = page.next_cursor
            if cursor is None:
                break
    # Newest first (each copy in the other instansi is a minute newer), each once.
    assert seen == ["w03-lain", "w03", "w02-lain", "w02", "w01-lain", "w01"]
    # With a periode (on PostgreSQL the page is read along the periode's index, limit 1: the probe).
    seen = []
    with app.app_context():
        while True:
            page = archive.search(
                get_session(),
                archive.ArchiveQuery(unit_kerja="kepegawaian", periode=2021, cursor=cursor, limit=1),
                Caller.operator("test"),
            )
            seen += _ids(page)
            cursor = page.next_cursor
            if cursor is None:
                break
    assert seen == ["w02-lain", "w02", "w01-lain", "w01"]


def test_the_search_index_follows_changes_of_a_row(app: Flask, word_rows: None) -> None:
    with app.app_context():
        session = get_session()
        session.execute(text("UPDATE documents SET unit_kerja = 'Sekretariat Daerah' WHERE id = 'w02'"))
        session.execute(text("UPDATE documents SET status = 'cancelled' WHERE id = 'w01'"))
        session.commit()
    assert _found(app, unit_kerja="kepegawaian") == ["w01", "w03"]
    assert _found(app, unit_kerja="sekretariat") == ["w02"]
    assert _found(app, unit_kerja="kepegawaian", status="completed") == []
    assert _found(app, unit_kerja="kepegawaian", status="cancelled") == ["w01"]


def test_cursor_pages_cover_everything_once_in_order(app: Flask, archive_rows: int) -> None:
    seen: list[str] = []
    cursor = None
    pages = 0
    with app.app_context():
        while True:
            page = archive.search(get_session(), archive.ArchiveQuery(cursor=cursor, limit=7), OPERATOR)
            seen += _ids(page)
            pages += 1
            cursor = page.next_cursor
            if cursor is None:
                break
    assert pages == 9
    assert seen == _newest_first([f"doc_{i:04d}" for i in range(60)])


def test_api_search_with_cursor_scopes_and_bad_input(
    app: Flask, client: FlaskClient, archive_rows: int
) -> None:
    _id, archivist_key = _client(app, "arsip-pusat", ("archive:read",))
    _own_id, own_key = _client(app, "hr-lain", ("documents:read",))
    headers = {"Authorization": f"Bearer {archivist_key}"}
    items: list[str] = []
    query: dict[str, Any] = {"unit_kerja": "Biro Umum", "limit": 8}
    while True:
        response = client.get("/api/v1/documents", query_string=query, headers=headers)
        assert response.status_code == 200, response.text
        assert response.json is not None
        items += [d["id"] for d in response.json["items"]]
        if response.json["next_cursor"] is None:
            break
        query["cursor"] = response.json["next_cursor"]
    assert items == _newest_first([f"doc_{i:04d}" for i in range(60) if i % 3 == 0])
    # A client without archive:read sees its own documents only (here: none).
    own = client.get("/api/v1/documents", headers={"Authorization": f"Bearer {own_key}"})
    assert own.status_code == 200
    assert own.json == {"items": [], "next_cursor": None}
    write_only = _client(app, "hr-tulis", ("documents:write",))[1]
    assert (
        client.get("/api/v1/documents", headers={"Authorization": f"Bearer {write_only}"}).status_code == 403
    )
    assert client.get("/api/v1/documents").status_code == 401
    for bad in (
        {"cursor": "bukan-kursor!"},
        {"limit": "0"},
        {"limit": "101"},
        {"periode": "20x4"},
        {"status": "hapus"},
        {"nip": "12a"},
        {"tidak_dikenal": "1"},
    ):
        refused = client.get("/api/v1/documents", query_string=bad, headers=headers)
        assert refused.status_code == 422, (bad, refused.status_code)
        assert refused.mimetype == "application/problem+json"


def _login(client: FlaskClient, password: str = ARSIP_PASSWORD, next_: str | None = None) -> Any:
    page = client.get("/arsip/login")
    match = CSRF.search(page.text)
    assert match is not None
    return client.post(
        "/arsip/login",
        query_string={} if next_ is None else {"next": next_},
        data={"username": "arsip1", "password": password, "csrf_token": match.group(1)},
    )


def _result_links(html: str) -> int:
    return html.count('href="/arsip/dokumen/doc_')


def test_archive_pages_need_an_archivist_and_never_redirect_away(
    app: Flask, client: FlaskClient, archive_rows: int
) -> None:
    with app.app_context():
        create_user(get_session(), "arsip1", ARSIP_PASSWORD, role="arsiparis")
    for path in ("/arsip/", "/arsip/dokumen/doc_0001", "/arsip/dokumen/doc_0001/revisi/0.pdf"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/arsip/login?next=")
    for target in ("//evil.example/arsip", "https://evil.example/", "/bukan-arsip", "/\\evil.example"):
        response = _login(app.test_client(), next_=target)
        assert response.status_code == 302
        assert response.headers["Location"] == "/arsip/", target
    response = _login(client, next_="/arsip/dokumen/doc_0001")
    assert response.headers["Location"] == "/arsip/dokumen/doc_0001"
    # Results are paginated, 20 a page, with a link to the next page that keeps the filters.
    first = client.get("/arsip/", query_string={"status": "completed"})
    assert first.status_code == 200
    assert _result_links(first.text) == 20
    link = re.search(r'href="\?([^"]+)">Halaman berikutnya', first.text)
    assert link is not None
    assert "status=completed" in link.group(1)
    second = client.get("/arsip/?" + link.group(1).replace("&amp;", "&"))
    assert _result_links(second.text) == 10  # 30 completed documents in all
    assert "Halaman berikutnya" not in second.text
    assert set(re.findall(r"doc_\d{4}", first.text)).isdisjoint(re.findall(r"doc_\d{4}", second.text))
    small = client.get("/arsip/", query_string={"unit_kerja": "Biro Umum", "periode": "2022"})
    assert _result_links(small.text) == 20
    assert "Halaman berikutnya" not in small.text
    bad = client.get("/arsip/", query_string={"periode": "²⁰²⁴"})
    assert bad.status_code == 422
    assert "tahun empat angka" in bad.text
    assert _result_links(bad.text) == 0


def test_users_cli_hashes_passwords_and_logins_lock(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner
) -> None:
    short = runner.invoke(args=["skp", "users", "create", "arsip1", "--password", "pendek"])
    assert short.exit_code != 0
    assert "at least 12" in short.output
    made = runner.invoke(
        args=["skp", "users", "create", "arsip1", "--role", "arsiparis", "--password", ARSIP_PASSWORD]
    )
    assert made.exit_code == 0, made.output
    again = runner.invoke(args=["skp", "users", "create", "arsip1", "--password", ARSIP_PASSWORD])
    assert again.exit_code != 0
    assert "exists" in again.output
    with app.app_context():
        user = get_session().scalar(select(User).where(User.username == "arsip1"))
        assert user is not None
        assert user.role == "arsiparis"
        assert ARSIP_PASSWORD not in user.password_hash
        assert user.password_hash.startswith("scrypt:")
    limit = app.extensions["skp"].settings.login_max_failures
    for _ in range(limit):
        assert _login(client, "salah-salah-salah").status_code == 401
    locked = _login(client)
    assert locked.status_code == 423  # the right password does not open a locked account
    with app.app_context():
        failures = get_session().scalars(select(AuditEvent).where(AuditEvent.event == "login_failed")).all()
        assert len(failures) == limit  # the refused attempt checked no password, so counted none
        assert {e.actor for e in failures} == {"user:arsip1"}


PASS = {1: "frasa-sandi-pegawai", 2: "frasa-sandi-penilai", 3: "frasa-sandi-atasan"}


def test_audit_verify_passes_then_names_the_changed_event(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, auth: dict[str, str]
) -> None:
    document_id = ready_document(app)
    for urutan in (1, 2, 3):
        with app.app_context():
            doc = document(app, document_id)
            sign_document(
                get_session(),
                get_services(),
                doc,
                urutan=urutan,
                passphrase=PASS[urutan],
                actor=f"nip:{urutan}",
                ip="127.0.0.1",
                kode=kode_for(get_session(), get_services(), doc, urutan),
            )
    assert client.get(f"/api/v1/documents/{document_id}/pdf", headers=auth).status_code == 200
    trail = client.get(f"/api/v1/documents/{document_id}/audit", headers=auth).json
    assert trail is not None
    events = [e["event"] for e in trail["items"]]
    assert events[0] == "created"
    for name in ("created", "sealed", "link_issued", "signed", "completed", "downloaded"):
        assert name in events, name
    assert events.count("signed") == 3

    ok = runner.invoke(args=["skp", "audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "audit chain intact" in ok.output

    with app.app_context():
        session = get_session()
        signed = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.document_id == document_id, AuditEvent.event == "signed")
            .order_by(AuditEvent.id)
        ).all()
        target = signed[1].id
        # What an intruder with database access would do: rewrite who signed.
        session.execute(text("UPDATE audit_events SET actor = 'nip:999' WHERE id = :id"), {"id": target})
        session.commit()
    broken = runner.invoke(args=["skp", "audit", "verify"])
    assert broken.exit_code == 1
    assert f"event {target}: hash does not match the event's content" in broken.output
    assert "broken at 1 place(s)" in broken.output

    with app.app_context():
        session = get_session()
        session.execute(text("UPDATE audit_events SET actor = 'nip:2' WHERE id = :id"), {"id": target})
        session.commit()
    assert runner.invoke(args=["skp", "audit", "verify"]).exit_code == 0
    with app.app_context():
        session = get_session()
        session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": target})
        session.commit()
    removed = runner.invoke(args=["skp", "audit", "verify"])
    assert removed.exit_code == 1
    assert "prev_hash does not match the previous event" in removed.output


def test_archive_download_is_audited_per_user(app: Flask, client: FlaskClient) -> None:
    document_id = ready_document(app)
    with app.app_context():
        create_user(get_session(), "arsip1", ARSIP_PASSWORD, role="arsiparis")
        clients = get_session().scalars(select(ApiClient)).all()
        assert len(clients) == 1
    assert _login(client).status_code == 302
    page = client.get(f"/arsip/dokumen/{document_id}")
    assert page.status_code == 200
    assert 'id="unduh-1"' in page.text
    response = client.get(f"/arsip/dokumen/{document_id}/revisi/1.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="{document_id}-rev1.pdf"'
    with app.app_context():
        downloads = (
            get_session()
            .scalars(
                select(AuditEvent).where(
                    AuditEvent.document_id == document_id, AuditEvent.event == "downloaded"
                )
            )
            .all()
        )
        assert [(e.actor, e.data_json) for e in downloads] == [
            ("user:arsip1", '{"format": "pdf", "revision": 1}')
        ]


def test_control_characters_in_next_never_reach_the_location_header(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        create_user(get_session(), "arsip1", ARSIP_PASSWORD, role="arsiparis")
    for next_ in ("/arsip/\r\nSet-Cookie: x=1", "/arsip/%0d%0aX: y", "/arsip/\x00", "/arsip/\t/evil"):
        response = _login(client, next_=next_)
        assert response.status_code == 302, (next_, response.status_code)
        location = response.headers["Location"]
        assert not set("\r\n\x00") & set(location), location
        assert "Set-Cookie" not in response.headers or "x=1" not in response.headers["Set-Cookie"]
        page = client.get("/arsip/")
        match = CSRF.search(page.text)
        assert match is not None
        client.post("/arsip/logout", data={"csrf_token": match.group(1)})
