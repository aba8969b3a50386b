"""The vocabulary is the one definition of ids and labels, and :mod:`service.scoring` stays pure."""

from __future__ import annotations

import ast
import sys
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import get_args, get_type_hints

import pytest

from service import scoring
from service.scoring import common, permenpanrb_6_2022, permenpanrb_8_2021, policy, pp46_2011, regime
from service.scoring import vocabulary as v
from tests.unit.scoring.imports import SERVICE, module_imports, python_files


@pytest.mark.parametrize("path", python_files("scoring"), ids=lambda p: p.name)
def test_scoring_imports_only_the_standard_library_and_itself(path: Path) -> None:
    for module in module_imports(path, "service.scoring"):
        ours = module == "service.scoring" or module.startswith("service.scoring.")
        assert ours or module.split(".")[0] in sys.stdlib_module_names, f"{path.name} imports {module}"


def test_vocabulary_is_pure_data() -> None:
    path = SERVICE / "scoring" / "vocabulary.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert set(module_imports(path, "service.scoring")) <= {"__future__", "collections.abc", "typing"}
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef | ast.Lambda)]
    public = {name for name in vars(v) if name.isupper()}
    assert sorted(v.__all__) == v.__all__
    assert set(v.__all__) == public


def _vocabulary_lists() -> dict[frozenset[str], str]:
    """Every id list of the vocabulary (tuples and sets, then the keys of mappings) → its name."""
    lists: dict[frozenset[str], str] = {}
    values = [(name, getattr(v, name)) for name in v.__all__]
    for name, value in values:
        if isinstance(value, tuple | frozenset) and all(isinstance(i, str) for i in value):
            lists.setdefault(frozenset(value), name)
    for name, value in values:
        if isinstance(value, Mapping) and all(isinstance(i, str) for i in value):
            lists.setdefault(frozenset(value), name)
    return lists


@pytest.mark.parametrize(
    "path",
    python_files("scoring") + python_files("schemas") + python_files("documents"),
    ids=lambda p: str(p.relative_to(SERVICE)),
)
def test_no_other_module_spells_out_a_vocabulary_list(path: Path) -> None:
    """A literal tuple, list or set of strings that equals a vocabulary list is a second definition.

    ``Literal[...]`` annotations cannot name a tuple; :func:`test_literal_types_match_the_vocabulary`
    keeps them in step instead.
    """
    if path.name == "vocabulary.py":
        return
    lists = _vocabulary_lists()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    literal_types = {
        id(node.slice)
        for node in ast.walk(tree)
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "Literal"
    }
    for node in ast.walk(tree):
        if not isinstance(node, ast.Tuple | ast.List | ast.Set) or len(node.elts) < 2:
            continue
        if id(node) in literal_types:
            continue
        values = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        if len(values) == len(node.elts):
            found = lists.get(frozenset(values))
            assert found is None, f"line {node.lineno}: {values} is vocabulary.{found}"


def test_regimes_and_their_labels() -> None:
    assert v.REGIME_IDS == (v.PP46_2011, v.PERMENPANRB_8_2021, v.PERMENPANRB_6_2022)
    assert tuple(v.REGIME_LABEL) == v.REGIME_IDS
    assert tuple(v.PREDIKAT) == tuple(v.ASPEK_PERILAKU) == v.REGIME_IDS
    assert tuple(scoring.REGIMES) == v.REGIME_IDS
    assert regime.REGIMES is v.REGIME_IDS
    assert regime.REGIME_LABELS is v.REGIME_LABEL


def test_types_and_roles() -> None:
    assert set(v.PERSON_TYPES) == v.PLAN_TYPES | v.ASSESSMENT_TYPES
    assert (*v.PERSON_TYPES, *v.UNIT_TYPES, *v.COACHING_TYPES) == v.DOCUMENT_TYPES
    assert set(v.COACHING_TYPES) >= v.CONFIDENTIAL_TYPES
    assert v.SIGNING_ORDER[:3] == v.PERSON_ROLES
    assert v.JUMLAH_KRITERIA_UMPAN_BALIK == 9
    assert tuple(v.KATEGORI_KONSELOR_LABEL) == v.KATEGORI_KONSELOR
    assert tuple(v.TINDAK_LANJUT_KONSELING_LABEL) == v.TINDAK_LANJUT_KONSELING
    assert not v.PLAN_TYPES & v.ASSESSMENT_TYPES
    assert tuple(v.TYPE_LABEL) == v.DOCUMENT_TYPES
    assert tuple(v.PERAN_LABEL) == v.SIGNING_ORDER
    assert tuple(v.STATUS_LABEL) == v.STATUSES
    assert set(v.STATUSES) >= v.FINAL_STATUSES


def test_aspects() -> None:
    every = {a for aspects in v.ASPEK_PERILAKU.values() for a in aspects}
    assert set(v.ASPEK_LABEL) == every
    assert v.ASPEK_PP46_2011[-1] == v.ASPEK_PERMENPANRB_8_2021[-1] == v.KEPEMIMPINAN
    assert v.BERAKHLAK is v.ASPEK_PERMENPANRB_6_2022
    assert len(v.BERAKHLAK) == 7
    assert v.KEPEMIMPINAN not in v.BERAKHLAK
    for aspects in v.ASPEK_PERILAKU.values():
        assert len(set(aspects)) == len(aspects)


def test_labels_follow_their_ids() -> None:
    assert tuple(v.PERSPEKTIF_LABEL) == v.PERSPEKTIF
    assert tuple(v.TINGKAT_KENDALI_LABEL) == v.TINGKAT_KENDALI
    assert tuple(v.PERIODE_PELAPORAN_LABEL) == v.PERIODE_PELAPORAN
    assert set(v.LABELS) <= set(v.RATING_PERMENPANRB_6_2022) | set(v.PREDIKAT_PERMENPANRB_6_2022)
    assert common.LABELS is v.LABELS
    assert common.label("kurang_misconduct") == "Kurang/Misconduct"


def test_jabatan() -> None:
    assert {"jpt", "administrator", "pengawas"} == v.JABATAN_STRUKTURAL
    assert set(v.JENIS_JABATAN) > v.JABATAN_STRUKTURAL
    assert common.JABATAN_STRUKTURAL is v.JABATAN_STRUKTURAL


def test_regime_modules_use_the_vocabulary() -> None:
    assert pp46_2011.SEBUTAN is v.SEBUTAN_PP46_2011
    assert tuple(f.name for f in fields(pp46_2011.PerilakuKerja)) == v.ASPEK_PP46_2011
    assert permenpanrb_8_2021.PREDIKAT is v.PREDIKAT_PERMENPANRB_8_2021
    assert permenpanrb_8_2021.KATEGORI is v.KATEGORI_PERMENPANRB_8_2021
    assert permenpanrb_8_2021.ASPEK_PERILAKU is v.ASPEK_PERMENPANRB_8_2021
    assert permenpanrb_6_2022.PREDIKAT is v.PREDIKAT_PERMENPANRB_6_2022
    assert permenpanrb_6_2022.RATING is v.RATING_PERMENPANRB_6_2022
    assert permenpanrb_6_2022.CAPAIAN_ORGANISASI is v.CAPAIAN_ORGANISASI
    assert permenpanrb_6_2022.PERSPEKTIF is v.PERSPEKTIF
    assert scoring.PREDIKAT is v.PREDIKAT


def test_literal_types_match_the_vocabulary() -> None:
    assert get_args(permenpanrb_8_2021.Mode) == v.MODE_PERILAKU
    jenis = get_type_hints(permenpanrb_6_2022.RatingHasilKerja)["jenis"]
    assert get_args(jenis) == v.JENIS_HASIL_KERJA


def test_tables_keyed_by_vocabulary_ids() -> None:
    rating = set(v.RATING_PERMENPANRB_6_2022)
    assert set(permenpanrb_6_2022.KUADRAN) == {(h, p) for h in rating for p in rating}
    assert set(permenpanrb_6_2022.KUADRAN.values()) <= set(v.PREDIKAT_PERMENPANRB_6_2022)
    assert tuple(permenpanrb_6_2022.PERSENTASE_ANGKA_KREDIT) == v.PREDIKAT_PERMENPANRB_6_2022
    assert tuple(policy.POLA_DISTRIBUSI_6_2022) == v.CAPAIAN_ORGANISASI
    assert tuple(policy.KINERJA_TAMBAHAN_NILAI) == v.KATEGORI_PERMENPANRB_8_2021
    assert tuple(policy.BOBOT_SURVEI) == v.PENILAI_SURVEI
    assert (v.MODE_PERILAKU[0], *v.KELOMPOK_SURVEI) == v.PENILAI_SURVEI
    for rules in policy.POLA_DISTRIBUSI_6_2022.values():
        for rule in rules:
            assert set(rule.predikat) <= set(v.PREDIKAT_PERMENPANRB_6_2022)
    for rule in policy.DISTRIBUSI_8_2021:
        assert set(rule.predikat) <= set(v.PREDIKAT_PERMENPANRB_8_2021)
