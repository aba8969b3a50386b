"""Who signs each form: the one table (service.scoring.penandatangan) is api.md's "Documents" table."""

from __future__ import annotations

import pytest

from service.scoring import penandatangan as p
from service.scoring.vocabulary import DOCUMENT_TYPES, REGIME_IDS, SIGNING_ORDER

ALL = tuple(SIGNING_ORDER)
PEG, PEJ, ATS, PIMPINAN, BERWENANG, KONSELOR = SIGNING_ORDER

#: api.md "Documents", cell by cell: (type, regime) → signers in order, with every identity given.
API_MD = {
    ("skp", "pp46_2011"): (PEG, PEJ),
    ("skp", "permenpanrb_8_2021"): (PEG, PEJ),
    ("skp", "permenpanrb_6_2022"): (PEG, PEJ),
    ("evaluasi", "pp46_2011"): (PEJ,),
    ("evaluasi", "permenpanrb_8_2021"): (PEJ,),
    ("evaluasi", "permenpanrb_6_2022"): (PEJ,),
    ("dokumen_penilaian", "pp46_2011"): (PEJ, PEG, ATS),  # 9 "dibuat", 10 and 11 "diterima"
    ("dokumen_penilaian", "permenpanrb_8_2021"): (PEG, PEJ, ATS),  # the atasan "when given"
    ("dokumen_penilaian", "permenpanrb_6_2022"): (PEG, PEJ),
    ("manual_iku", "permenpanrb_6_2022"): (PEG, PEJ),
    # "Unit and coaching documents": one signer each, but the bimbingan record (penilai, then pegawai).
    ("penetapan_predikat", "permenpanrb_6_2022"): (PIMPINAN,),
    ("peringkat", "permenpanrb_8_2021"): (BERWENANG,),
    ("catatan_bimbingan", "permenpanrb_8_2021"): (PEJ, PEG),
    ("catatan_bimbingan", "permenpanrb_6_2022"): (PEJ, PEG),
    ("umpan_balik_bimbingan", "permenpanrb_6_2022"): (PEG,),
    ("konseling", "permenpanrb_8_2021"): (KONSELOR,),
    ("konseling", "permenpanrb_6_2022"): (KONSELOR,),
}


def test_the_table_has_a_row_for_each_form_of_api_md_and_no_other() -> None:
    assert {(t, r) for r, t in p.PENANDATANGAN} == set(API_MD)
    assert {(t, r) for t in DOCUMENT_TYPES for r in REGIME_IDS} - set(API_MD) == {
        ("manual_iku", "pp46_2011"),
        ("manual_iku", "permenpanrb_8_2021"),
        ("penetapan_predikat", "pp46_2011"),  # the kuadran and pola distribusi are 6/2022's
        ("penetapan_predikat", "permenpanrb_8_2021"),
        ("peringkat", "pp46_2011"),  # ranking by nilai: PP 30/2019 under 8/2021 (6/2022 has no nilai)
        ("peringkat", "permenpanrb_6_2022"),
        ("catatan_bimbingan", "pp46_2011"),  # PP 30/2019's bimbingan and konseling
        ("umpan_balik_bimbingan", "pp46_2011"),  # FORMAT B.1.8 is 6/2022's
        ("umpan_balik_bimbingan", "permenpanrb_8_2021"),
        ("konseling", "pp46_2011"),
    }


@pytest.mark.parametrize(("type_", "regime"), sorted(API_MD))
def test_signers_with_every_identity_given(type_: str, regime: str) -> None:
    assert p.penandatangan(regime, type_, given=ALL) == API_MD[type_, regime]


@pytest.mark.parametrize(("type_", "regime"), sorted(API_MD))
def test_without_an_atasan_only_the_optional_atasan_drops(type_: str, regime: str) -> None:
    got = p.penandatangan(regime, type_, given=(PEG, PEJ))
    if (type_, regime) == ("dokumen_penilaian", "permenpanrb_8_2021"):
        assert got == (PEG, PEJ)
    else:
        assert got == API_MD[type_, regime]


def test_mengetahui_adds_the_atasan_last_on_the_named_forms_only() -> None:
    named = {"permenpanrb_6_2022/evaluasi", "pp46_2011/skp"}
    assert p.penandatangan("permenpanrb_6_2022", "evaluasi", given=ALL, mengetahui=named) == (PEJ, ATS)
    assert p.penandatangan("pp46_2011", "skp", given=ALL, mengetahui=named) == (PEG, PEJ, ATS)
    assert p.penandatangan("permenpanrb_6_2022", "skp", given=ALL, mengetahui=named) == (PEG, PEJ)
    # Only when the payload names an atasan, and never twice.
    assert p.penandatangan("pp46_2011", "skp", given=(PEG, PEJ), mengetahui=named) == (PEG, PEJ)
    booklet = {"pp46_2011/dokumen_penilaian"}
    assert p.penandatangan("pp46_2011", "dokumen_penilaian", given=ALL, mengetahui=booklet) == (PEJ, PEG, ATS)


def test_form_keys_and_the_setting() -> None:
    assert p.form_key("pp46_2011", "skp") == "pp46_2011/skp"
    assert len(p.FORM_KEYS) == len(API_MD)
    assert p.parse_forms(None) == frozenset()
    assert p.parse_forms("") == frozenset()
    assert p.parse_forms(" pp46_2011/skp, permenpanrb_6_2022/evaluasi ,") == {
        "pp46_2011/skp",
        "permenpanrb_6_2022/evaluasi",
    }
    assert p.parse_forms(["pp46_2011/skp"]) == {"pp46_2011/skp"}
    with pytest.raises(TypeError):
        p.parse_forms(3)
