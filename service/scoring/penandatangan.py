"""Who signs each form, and in what order (api.md "Documents", forms.md: each signature block).

Pure data and one function, no I/O: the document workflow, the template context and the form builder
all read the signers from here, so a form never prints a signing space for someone who does not sign
nor asks a signature the form has no place for. An identity the payload gives that the form does not
sign for is still printed where the form prints it (its identity table), it is just not a signer.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from service.scoring.vocabulary import PERMENPANRB_6_2022, PERMENPANRB_8_2021, PERSON_TYPES, PP46_2011

__all__ = [
    "ATASAN",
    "FORM_KEYS",
    "KONSELOR",
    "MENGETAHUI_FORM_KEYS",
    "PEGAWAI",
    "PEJABAT_BERWENANG",
    "PEJABAT_PENILAI",
    "PENANDATANGAN",
    "PENANDATANGAN_BILA_ADA",
    "PIMPINAN",
    "form_key",
    "parse_forms",
    "penandatangan",
]

PEGAWAI = "pegawai"
PEJABAT_PENILAI = "pejabat_penilai"
ATASAN = "atasan_pejabat_penilai"
PIMPINAN = "pimpinan_yang_berwenang"
PEJABAT_BERWENANG = "pejabat_yang_berwenang"
KONSELOR = "konselor"

#: (regime, type) → the roles that sign, in the order the form numbers them (api.md's table).
PENANDATANGAN: Mapping[tuple[str, str], tuple[str, ...]] = {
    (PP46_2011, "skp"): (PEGAWAI, PEJABAT_PENILAI),
    (PP46_2011, "evaluasi"): (PEJABAT_PENILAI,),  # Penilaian Capaian: "Pejabat Penilai," alone (C2)
    # The booklet numbers them: 9 pejabat penilai "dibuat", 10 pegawai "diterima", 11 atasan (C3).
    (PP46_2011, "dokumen_penilaian"): (PEJABAT_PENILAI, PEGAWAI, ATASAN),
    (PERMENPANRB_8_2021, "skp"): (PEGAWAI, PEJABAT_PENILAI),
    (PERMENPANRB_8_2021, "evaluasi"): (PEJABAT_PENILAI,),  # Penilaian SKP, FORMAT D.2.x (B2)
    (PERMENPANRB_8_2021, "dokumen_penilaian"): (PEGAWAI, PEJABAT_PENILAI, ATASAN),
    (PERMENPANRB_6_2022, "skp"): (PEGAWAI, PEJABAT_PENILAI),  # the Lampiran: same (A3)
    (PERMENPANRB_6_2022, "evaluasi"): (PEJABAT_PENILAI,),  # right column only (A5)
    (PERMENPANRB_6_2022, "dokumen_penilaian"): (PEGAWAI, PEJABAT_PENILAI),  # atasan: section 3 only (A6)
    (PERMENPANRB_6_2022, "manual_iku"): (PEGAWAI, PEJABAT_PENILAI),  # signed with its SKP (A4)
    # Unit and coaching documents (forms.md §E; api.md "Unit and coaching documents").
    (PERMENPANRB_6_2022, "penetapan_predikat"): (PIMPINAN,),  # SE MenPANRB 3/2023 (E1)
    (PERMENPANRB_8_2021, "peringkat"): (PEJABAT_BERWENANG,),  # PP 30/2019 BAB VI (E2)
    (PERMENPANRB_8_2021, "catatan_bimbingan"): (PEJABAT_PENILAI, PEGAWAI),  # E4: penilai, then pegawai
    (PERMENPANRB_6_2022, "catatan_bimbingan"): (PEJABAT_PENILAI, PEGAWAI),
    (PERMENPANRB_6_2022, "umpan_balik_bimbingan"): (PEGAWAI,),  # FORMAT B.1.8: the pegawai alone (E3)
    (PERMENPANRB_8_2021, "konseling"): (KONSELOR,),  # "Konselor … harus mengisi dan menandatangani" (E4)
    (PERMENPANRB_6_2022, "konseling"): (KONSELOR,),
}

#: Signers of :data:`PENANDATANGAN` who sign only when the payload names them (api.md: "when given").
PENANDATANGAN_BILA_ADA: Mapping[tuple[str, str], frozenset[str]] = {
    (PERMENPANRB_8_2021, "dokumen_penilaian"): frozenset({ATASAN}),
}


def form_key(regime: str, type_: str) -> str:
    """The name an instance setting uses for a form: ``"<regime>/<type>"`` (its template's path)."""
    return f"{regime}/{type_}"


#: Every form an instance setting may name.
FORM_KEYS = frozenset(form_key(regime, type_) for regime, type_ in PENANDATANGAN)
#: The forms on which an instance may add the atasan pejabat penilai ("Mengetahui"): the per-person
#: forms, whose payload may name one (a unit or coaching document has no atasan to add).
MENGETAHUI_FORM_KEYS = frozenset(
    form_key(regime, type_) for regime, type_ in PENANDATANGAN if type_ in PERSON_TYPES
)


def parse_forms(value: object) -> frozenset[str]:
    """Form keys from a setting: comma-separated text (``SKP_…`` variables) or a list of them.

    :raises TypeError: neither text nor a list of texts.
    """
    if value is None:
        return frozenset()
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple | set | frozenset) or not all(isinstance(i, str) for i in items):
        raise TypeError("a comma-separated text or a list of texts")
    return frozenset(item.strip() for item in items if item.strip())


def penandatangan(
    regime: str,
    type_: str,
    *,
    given: Collection[str],
    mengetahui: Collection[str] = (),
) -> tuple[str, ...]:
    """The roles that sign the ``(regime, type_)`` form, in signing order.

    :param given: the roles the payload names an identity for.
    :param mengetahui: form keys (:func:`form_key`) on which the instance adds the atasan pejabat
        penilai as a last signer ("Mengetahui, Atasan Pejabat Penilai Kinerja"), when the payload
        names one and the form does not have the atasan sign already.
    :raises KeyError: no such form (the payload schema refuses these combinations first).
    """
    key = (regime, type_)
    optional = PENANDATANGAN_BILA_ADA.get(key, frozenset())
    roles = tuple(role for role in PENANDATANGAN[key] if role not in optional or role in given)
    if form_key(regime, type_) in mengetahui and ATASAN in given and ATASAN not in PENANDATANGAN[key]:
        roles = (*roles, ATASAN)
    return roles
