"""The schemas take their ids from :mod:`service.scoring.vocabulary` and stay below the web layer."""

from __future__ import annotations

from pathlib import Path

import pytest
from marshmallow import Schema

from service.schemas import identitas, payload, units
from service.schemas import permenpanrb_6_2022 as p6
from service.schemas import permenpanrb_8_2021 as p8
from service.schemas import pp46_2011 as p46
from service.schemas.fields import Pilihan
from service.scoring import vocabulary as v
from tests.unit.scoring.imports import module_imports, package_of, python_files

_FORBIDDEN = ("flask", "sqlalchemy", "service.workflow", "service.api", "service.pages", "service.documents")


@pytest.mark.parametrize("path", python_files("schemas"), ids=lambda p: p.name)
def test_schemas_stay_below_the_web_layer(path: Path) -> None:
    for module in module_imports(path, package_of(path)):
        assert not module.startswith(_FORBIDDEN), f"{path.name} imports {module}"


def _choices(schema: type[Schema], field: str) -> tuple[str, ...]:
    declared = schema._declared_fields[field]
    assert isinstance(declared, Pilihan)
    return declared.choices


@pytest.mark.parametrize(
    ("schema", "aspects"),
    [
        (p46.PerilakuKerjaPP46Schema, v.ASPEK_PP46_2011),
        (p8.AspekPerilakuPermenPANRB8Schema, v.ASPEK_PERMENPANRB_8_2021),
        (p6.PerilakuKerjaPermenPANRB6Schema, v.BERAKHLAK),
    ],
)
def test_perilaku_fields_are_the_vocabulary_aspects(schema: type[Schema], aspects: tuple[str, ...]) -> None:
    assert tuple(schema._declared_fields) == aspects


def test_berakhlak_descriptions_use_the_vocabulary_labels() -> None:
    for aspect, declared in p6.PerilakuKerjaPermenPANRB6Schema._declared_fields.items():
        assert declared.metadata["description"] == f"Perilaku {v.ASPEK_LABEL[aspect]}"


def test_aspects_rated_on_everyone_leave_out_kepemimpinan() -> None:
    assert (*p46.ASPEK_PERILAKU_PP46, v.KEPEMIMPINAN) == v.ASPEK_PP46_2011
    assert (*p8.ASPEK_PERILAKU_8_2021, v.KEPEMIMPINAN) == v.ASPEK_PERMENPANRB_8_2021


def test_re_exported_names_are_the_vocabulary() -> None:
    assert payload.TYPES is v.DOCUMENT_TYPES
    assert identitas.JENIS_JABATAN is v.JENIS_JABATAN
    assert p6.BERAKHLAK is v.BERAKHLAK
    assert tuple(payload.JENIS_PERIODE) == v.JENIS_PERIODE_IDS


@pytest.mark.parametrize(
    ("schema", "field", "ids"),
    [
        (payload.DocumentPayloadSchema, "type", v.PERSON_TYPES),
        (payload.DocumentPayloadSchema, "regime", v.REGIME_IDS),
        (payload.PeriodeSchema, "jenis", v.JENIS_PERIODE_IDS),
        (payload.EvaluasiSchema, "capaian_organisasi", v.CAPAIAN_ORGANISASI),
        (payload.EvaluasiSchema, "rating_hasil_kerja", v.RATING_PERMENPANRB_6_2022),
        (payload.EvaluasiSchema, "rating_perilaku_kerja", v.RATING_PERMENPANRB_6_2022),
        (identitas.IdentitasSchema, "jenis_jabatan", v.JENIS_JABATAN),
        (units.UnitCheckSchema, "regime", v.REGIME_IDS),
        (units.UnitCheckSchema, "capaian_organisasi", v.CAPAIAN_ORGANISASI),
        (p8.KinerjaTambahanPermenPANRB8Schema, "kategori", v.KATEGORI_PERMENPANRB_8_2021),
        (p8.PerilakuKerjaPermenPANRB8Schema, "mode", v.MODE_PERILAKU),
        (p6.HasilKerjaPermenPANRB6Schema, "jenis", v.JENIS_HASIL_KERJA),
        (p6.HasilKerjaPermenPANRB6Schema, "perspektif", v.PERSPEKTIF),
        (p6.HasilKerjaPermenPANRB6Schema, "rating", v.RATING_PERMENPANRB_6_2022),
        (p6.ManualIkuSchema, "kualitas_tingkat_kendali", v.TINGKAT_KENDALI),
        (p6.ManualIkuSchema, "periode_pelaporan", v.PERIODE_PELAPORAN),
    ],
    ids=lambda x: x if isinstance(x, str) else getattr(x, "__name__", "ids"),
)
def test_choices_are_the_vocabulary(schema: type[Schema], field: str, ids: tuple[str, ...]) -> None:
    assert _choices(schema, field) == ids
