"""Formatting of the template context."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from service.documents.context import CONTEXT_KEYS, angka, bilangan, build_context, clean_text, tanggal
from tests.unit.documents.support import FORM_EXAMPLES, load, raw_example


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("87.5"), "87,50"),
        (Decimal("87.555"), "87,56"),
        (Decimal("87.545"), "87,55"),
        (Decimal(100), "100,00"),
        (Decimal("1234567.891"), "1.234.567,89"),
        (Decimal("-1234.5"), "-1.234,50"),
        (0, "0,00"),
        ("12.345", "12,35"),
        (None, "-"),
        ("abc", "-"),
        (True, "-"),
    ],
)
def test_angka(value: object, expected: str) -> None:
    assert angka(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal(12), "12"),
        (Decimal("0.5"), "0,5"),
        (Decimal("1.25"), "1,25"),
        (Decimal("1500"), "1.500"),
        ("3 hari", "3 hari"),
        (None, "-"),
    ],
)
def test_bilangan(value: object, expected: str) -> None:
    assert bilangan(value) == expected


def test_tanggal() -> None:
    assert tanggal(dt.date(2025, 1, 15)) == "15 Januari 2025"
    assert tanggal("2024-12-31") == "31 Desember 2024"
    assert tanggal(dt.datetime(2024, 8, 17, 10, 0, tzinfo=dt.UTC)) == "17 Agustus 2024"
    assert tanggal(None) == "-"


def test_clean_text() -> None:
    assert clean_text("a\x00b\x07c\x1b d\te\r\nf") == "abc d e f"
    assert clean_text("baris 1\r\nbaris\x0b2\n\n", multiline=True) == "baris 1\nbaris 2"
    assert clean_text("\ud800x\ufffe") == "x"


@pytest.mark.parametrize("form", sorted(FORM_EXAMPLES))
def test_context_has_every_key(form: str) -> None:
    context = build_context(*load(FORM_EXAMPLES[form]()), verification_code="KODE")
    assert set(context) == CONTEXT_KEYS
    assert context["kode_verifikasi"] == "KODE"
    assert context["pegawai"]["nip_teks"].startswith("NIP. ")


def test_context_without_hasil_and_atasan() -> None:
    payload, _ = load(FORM_EXAMPLES["permenpanrb_8_2021/evaluasi.docx"]())
    payload.pop("atasan_pejabat_penilai", None)
    context = build_context(payload, None)
    assert context["atasan_pejabat_penilai"]["ada"] is False
    assert context["atasan_pejabat_penilai"]["nama"] == "-"
    assert context["nilai"]["kinerja"] == "-"


def test_grouping_and_labels() -> None:
    payload, hasil = load(FORM_EXAMPLES["permenpanrb_6_2022/skp.docx"]())
    context = build_context(payload, hasil)
    rows = sum(len(g["baris"]) for g in context["hasil_kerja_utama"])
    utama = [h for h in payload["skp"]["hasil_kerja"] if h["jenis"] == "utama"]
    assert rows == len(utama)
    assert [g["no"] for g in context["hasil_kerja_utama"]] == [
        str(i) for i in range(1, len(context["hasil_kerja_utama"]) + 1)
    ]
    assert context["periode"]["penilaian"] == "1 JANUARI 2024 SD 31 DESEMBER 2024"
    assert len(context["perilaku"]) == 7
    assert context["perilaku"][0]["aspek"] == "Berorientasi Pelayanan"


def test_acronyms_in_an_output_keep_their_case() -> None:
    """``konsep SK`` prints ``Konsep SK``: only the first letter is raised, never "Konsep Sk"."""
    payload, hasil = load(raw_example("pp46_2011_dokumen_penilaian"))
    printed = [row["target"]["kuantitas"] for row in build_context(payload, hasil)["kegiatan"]]
    assert any(p.endswith("Konsep SK") for p in printed), printed
    assert not any("Konsep Sk" in p for p in printed)
