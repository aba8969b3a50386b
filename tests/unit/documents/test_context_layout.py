"""How the template context is put together: pure modules, one per regime, ids from the vocabulary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from docxtpl import Listing

from service.documents import context
from service.documents.context import ASPEK_BERAKHLAK, CONTEXT_KEYS, MARKERS, ROLES, build_context, common
from service.documents.context import permenpanrb_6_2022 as p6
from service.documents.context import permenpanrb_8_2021 as p8
from service.documents.context import pp46_2011 as p46
from service.scoring import vocabulary as v
from tests.unit.documents.support import FORM_EXAMPLES, load
from tests.unit.scoring.imports import module_imports, package_of, python_files

#: What the documents package must never reach: the web layer, the lifecycle, the database.
_FORBIDDEN = ("flask", "sqlalchemy", "service.workflow", "service.api", "service.pages", "signing")


#: All the context package may import besides the scoring package and itself: no Flask, DB or I/O.
_PURE = {"__future__", "collections.abc", "datetime", "decimal", "re", "typing", "docxtpl"}


@pytest.mark.parametrize("path", python_files("documents", "context"), ids=lambda p: p.name)
def test_context_is_pure(path: Path) -> None:
    for module in module_imports(path, package_of(path)):
        allowed = module in _PURE or module.startswith(("service.scoring", "service.documents.context"))
        assert allowed, f"{path.name} imports {module}"


@pytest.mark.parametrize("path", python_files("documents"), ids=lambda p: str(p.name))
def test_documents_stay_below_the_web_layer(path: Path) -> None:
    for module in module_imports(path, package_of(path)):
        assert not module.startswith(_FORBIDDEN), f"{path.name} imports {module}"


def test_public_names_are_importable_from_the_package() -> None:
    for name in context.__all__:
        assert hasattr(context, name)
    assert ROLES is v.SIGNING_ORDER
    assert tuple(MARKERS) == v.SIGNING_ORDER
    assert MARKERS["pejabat_penilai"] == "[[ttd:pejabat_penilai]]"
    assert common.MARKERS is MARKERS


def test_context_keys_are_the_header_and_every_regime() -> None:
    parts = [p6.KEYS, p8.KEYS, p46.KEYS]
    for i, keys in enumerate(parts):
        for other in parts[i + 1 :]:
            assert not keys & other
    assert p6.KEYS | p8.KEYS | p46.KEYS < CONTEXT_KEYS
    assert set(v.SIGNING_ORDER) < CONTEXT_KEYS


def _plain(value: Any) -> Any:
    """A context with each ``Listing`` as its text, so that two contexts compare by value."""
    if isinstance(value, Listing):
        return ("Listing", value.xml)
    if isinstance(value, dict):
        return {k: _plain(x) for k, x in value.items()}
    if isinstance(value, list):
        return [_plain(x) for x in value]
    return value


@pytest.mark.parametrize("form", sorted(FORM_EXAMPLES))
def test_each_regime_module_fills_exactly_its_keys(form: str) -> None:
    payload, hasil = load(FORM_EXAMPLES[form]())
    regime = payload["regime"]
    parts = [
        p6.context(payload, hasil),
        p8.context(payload, hasil, regime),
        p46.context(payload, hasil, regime),
    ]
    for part, keys in zip(parts, (p6.KEYS, p8.KEYS, p46.KEYS), strict=True):
        assert set(part) == keys
    whole = _plain(build_context(payload, hasil))
    for part in parts:
        assert _plain(part) == {key: whole[key] for key in part}


def test_tables_of_other_regimes_are_empty() -> None:
    payload, hasil = load(FORM_EXAMPLES["pp46_2011/evaluasi.docx"]())
    ctx = build_context(payload, hasil)
    assert ctx["kegiatan"]
    assert ctx["perilaku_pp46"]
    assert ctx["kinerja_utama"] == ctx["kinerja_tambahan"] == ctx["perilaku_8_2021"] == []
    assert ctx["hasil_kerja_utama"] == ctx["manual_iku"] == []
    payload, hasil = load(FORM_EXAMPLES["permenpanrb_8_2021/evaluasi.docx"]())
    ctx = build_context(payload, hasil)
    assert ctx["kinerja_utama"]
    assert ctx["kegiatan"] == ctx["perilaku_pp46"] == []


def test_berakhlak_ids_and_labels_come_from_the_vocabulary() -> None:
    assert tuple(key for key, _, _ in ASPEK_BERAKHLAK) == v.BERAKHLAK
    assert [name for _, name, _ in ASPEK_BERAKHLAK] == [v.ASPEK_LABEL[a] for a in v.BERAKHLAK]
    assert tuple(p6.PANDUAN_BERAKHLAK) == v.BERAKHLAK
    assert all(len(panduan) == 3 for _, _, panduan in ASPEK_BERAKHLAK)
    assert ASPEK_BERAKHLAK[4][2][1] == "Menjaga nama baik sesama ASN, Pimpinan, Instansi, dan Negara"


def test_older_regimes_print_their_aspects_in_vocabulary_order() -> None:
    payload, hasil = load(FORM_EXAMPLES["pp46_2011/evaluasi.docx"]())
    rows = build_context(payload, hasil)["perilaku_pp46"]
    assert [r["aspek"] for r in rows] == [v.ASPEK_LABEL[a] for a in v.ASPEK_PP46_2011]
    # 8/2021 prints the rated aspects only (kepemimpinan for jabatan struktural), in vocabulary order.
    payload, hasil = load(FORM_EXAMPLES["permenpanrb_8_2021/evaluasi.docx"]())
    rows = build_context(payload, hasil)["perilaku_8_2021"]
    rated = [a for a in v.ASPEK_PERMENPANRB_8_2021 if a in payload["perilaku_kerja"]["atasan"]]
    assert [r["aspek"] for r in rows] == [v.ASPEK_LABEL[a] for a in rated]


#: How the forms print each period kind (forms.md: the annual one is "AKHIR").
_PERIODE_DICETAK = {
    "tahunan": "AKHIR",
    "semester_i": "SEMESTER I",
    "semester_ii": "SEMESTER II",
    "triwulan_i": "TRIWULAN I",
    "triwulan_ii": "TRIWULAN II",
    "triwulan_iii": "TRIWULAN III",
    "triwulan_iv": "TRIWULAN IV",
    "bulanan": "BULANAN",
}


def test_every_period_kind_is_printed() -> None:
    assert tuple(_PERIODE_DICETAK) == v.JENIS_PERIODE_IDS
    for jenis, printed in _PERIODE_DICETAK.items():
        periode = common.periode({"mulai": "2024-01-01", "selesai": "2024-03-31", "jenis": jenis})
        assert periode["jenis_label"] == printed


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        ("kurang_misconduct", "KURANG"),
        ("di_atas_ekspektasi", "DI ATAS EKSPEKTASI"),
        ("butuh_perbaikan", "BUTUH PERBAIKAN"),
        ("istimewa", "ISTIMEWA"),
        ("", "-"),
    ],
)
def test_6_2022_ids_are_printed_in_capitals(value: str, printed: str) -> None:
    hasil: dict[str, Any] = {"predikat": value} if value else {}
    assert p6.context({}, hasil)["evaluasi"]["predikat"] == printed


def test_every_6_2022_id_has_a_capital_label() -> None:
    for ids in (v.RATING_PERMENPANRB_6_2022, v.PREDIKAT_PERMENPANRB_6_2022, v.CAPAIAN_ORGANISASI):
        for value in ids:
            printed = p6.context({}, {"predikat": value})["evaluasi"]["predikat"]
            assert printed == printed.upper()
            assert "_" not in printed


def test_manual_iku_tick_boxes_follow_the_vocabulary() -> None:
    payload, _ = load(FORM_EXAMPLES["permenpanrb_6_2022/manual_iku.docx"]())
    row = build_context(payload, None)["manual_iku"][0]
    for name in v.TINGKAT_KENDALI_LABEL.values():
        assert f") {name}" in row["kendali"]
    for name in v.PERIODE_PELAPORAN_LABEL.values():
        assert f") {name}" in row["pelaporan"]
    assert row["kendali"].count("(x)") == row["pelaporan"].count("(x)") == 1


def test_perspektif_labels_come_from_the_vocabulary() -> None:
    payload, hasil = load(FORM_EXAMPLES["permenpanrb_6_2022/skp_jpt.docx"]())
    rows = [r for g in build_context(payload, hasil)["hasil_kerja_utama"] for r in g["baris"]]
    assert {r["perspektif"] for r in rows} <= set(v.PERSPEKTIF_LABEL.values())
