"""Pure scoring of SKP documents under the three regimes (rules.md, docs/architecture.md).

Two entry points: :func:`score_payload` (the ``hasil`` of ``POST /api/v1/scores``) and :func:`check_unit`
(``POST /api/v1/units/check``). Standard library only: no Flask, database or I/O, so the web layer,
the document renderer and the tests call the same arithmetic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, localcontext
from types import ModuleType
from typing import Any

from service.scoring import permenpanrb_6_2022, permenpanrb_8_2021, policy, pp46_2011
from service.scoring.common import CONTEXT, ScoringError, label, round2, to_decimal, with_label
from service.scoring.vocabulary import (
    ASSESSMENT_TYPES,
    COACHING_TYPES,
    DOCUMENT_TYPES,
    PERMENPANRB_6_2022,
    PERMENPANRB_8_2021,
    PP46_2011,
    PREDIKAT,
)

__all__ = [
    "PREDIKAT",
    "REGIMES",
    "ScoringError",
    "check_unit",
    "pemeringkatan",
    "penetapan_predikat",
    "score_payload",
]

#: Regime id → the module that scores it.
REGIMES: Mapping[str, ModuleType] = {
    PP46_2011: pp46_2011,
    PERMENPANRB_8_2021: permenpanrb_8_2021,
    PERMENPANRB_6_2022: permenpanrb_6_2022,
}

# PREDIKAT (regime id → final predikat ids, best to worst) is the vocabulary's, re-exported here.


def _regime(regime: object) -> ModuleType:
    if not isinstance(regime, str) or regime not in REGIMES:
        raise ScoringError("regime", "harus salah satu dari " + ", ".join(REGIMES))
    return REGIMES[regime]


def score_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The ``hasil`` object of api.md for the payload's regime and type.

    ``evaluasi`` and ``dokumen_penilaian`` carry realisasi and get the full scores; ``skp`` and
    ``manual_iku`` are plans and get the plan checks only. Decimal values are rounded half-up to 2 dp,
    ids have a ``…_label`` beside them.

    :param payload: the validated payload of docs/architecture.md (Decimals, dates, ``regime`` set).
    :raises ScoringError: a rule the schema cannot see (field = dotted path); the web layer answers 422.
    """
    module = _regime(payload.get("regime"))
    kind = payload.get("type")
    if kind not in DOCUMENT_TYPES:
        raise ScoringError("type", "harus salah satu dari " + ", ".join(DOCUMENT_TYPES))
    if kind in COACHING_TYPES:
        return {}  # a record of what was said: nothing to compute
    with localcontext(CONTEXT):
        if kind == "penetapan_predikat":
            return penetapan_predikat(payload)
        if kind == "peringkat":
            return pemeringkatan(payload)
        if kind in ASSESSMENT_TYPES:
            result: dict[str, Any] = module.hasil(payload)
        else:
            result = module.hasil_rencana(payload)
    return result


def _persen_teks(value: Decimal) -> str:
    """A percent as Indonesian text: 40 → "40", 33.333… → "33,33"."""
    text = f"{round2(value):f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _warnings(
    aturan: Sequence[policy.AturanDistribusi], jumlah: Mapping[str, int], total: int
) -> list[dict[str, str]]:
    warnings = []
    for rule in aturan:
        count = sum(jumlah[p] for p in rule.predikat)
        if not rule.terpenuhi(count, total):
            persen = _persen_teks(Decimal(count) * 100 / total)
            warnings.append(
                {
                    "aturan": rule.aturan,
                    "pesan": f"Diharapkan {rule.uraian}; unit ini {persen} % ({count} dari {total} pegawai).",
                }
            )
    return warnings


def check_unit(
    regime: str, pegawai: Sequence[Mapping[str, Any]], capaian_organisasi: str | None
) -> dict[str, Any]:
    """Distribution of predikat in a unit kerja, warnings against the regime's rules, and the ranking.

    permenpanrb_8_2021: ≤ 20 % sangat baik, 60–70 % baik, ≤ 20 % below (rules.md §3); ranking by nilai
    (as shown), then predikat. permenpanrb_6_2022: the pola distribusi of ``capaian_organisasi``
    (rules.md §4); ranking by predikat alone (no nilai). pp46_2011: ranking only. Warnings are guidance
    and never block. Ties share a rank (see :func:`policy.peringkat_bersama`).

    :raises ScoringError: unknown regime, no pegawai, an unknown predikat id, a duplicate NIP, or an
        unknown capaian organisasi.
    """
    order = PREDIKAT.get(regime)
    if order is None:
        raise ScoringError("regime", "harus salah satu dari " + ", ".join(REGIMES))
    if not pegawai:
        raise ScoringError("pegawai", "minimal satu pegawai")
    with localcontext(CONTEXT):
        rows = []
        seen: set[str] = set()
        for index, item in enumerate(pegawai):
            nip = str(item.get("nip", ""))
            if nip in seen:
                raise ScoringError(f"pegawai.{index}.nip", "NIP ganda dalam satu unit")
            seen.add(nip)
            predikat = item.get("predikat")
            if predikat not in order:
                raise ScoringError(f"pegawai.{index}.predikat", "harus salah satu dari " + ", ".join(order))
            nilai = item.get("nilai")
            shown = None if nilai is None else round2(to_decimal(nilai, f"pegawai.{index}.nilai"))
            rows.append((nip, str(predikat), shown))

        total = len(rows)
        jumlah = {p: sum(1 for _, q, _ in rows if q == p) for p in order}
        distribusi = {p: {"jumlah": n, "persen": round2(Decimal(n) * 100 / total)} for p, n in jumlah.items()}

        warnings: list[dict[str, str]] = []
        if regime == PERMENPANRB_8_2021:
            warnings = _warnings(policy.DISTRIBUSI_8_2021, jumlah, total)
        elif regime == PERMENPANRB_6_2022:
            if capaian_organisasi is None:
                warnings = [
                    {
                        "aturan": "pola_distribusi.capaian_organisasi",
                        "pesan": (
                            "Capaian kinerja organisasi tidak diisi; pola distribusi tidak dapat diperiksa."
                        ),
                    }
                ]
            elif capaian_organisasi not in policy.POLA_DISTRIBUSI_6_2022:
                raise ScoringError(
                    "capaian_organisasi",
                    "harus salah satu dari " + ", ".join(permenpanrb_6_2022.CAPAIAN_ORGANISASI),
                )
            else:
                warnings = _warnings(policy.POLA_DISTRIBUSI_6_2022[capaian_organisasi], jumlah, total)

        uses_nilai = regime != PERMENPANRB_6_2022

        def key(row: tuple[str, str, Decimal | None]) -> tuple[object, ...]:
            _, predikat, nilai = row
            rank_nilai = (nilai is None, -nilai if nilai is not None else Decimal(0)) if uses_nilai else ()
            return (*rank_nilai, order.index(predikat))

        rows.sort(key=lambda row: (key(row), row[0]))
        ranks = policy.peringkat_bersama([key(row) for row in rows])
        peringkat = [
            {
                "nip": nip,
                "peringkat": rank,
                "predikat": predikat,
                "predikat_label": label(predikat),
                "nilai": nilai,
            }
            for (nip, predikat, nilai), rank in zip(rows, ranks, strict=True)
        ]
    return {"distribusi": distribusi, "warnings": warnings, "peringkat": peringkat}


def penetapan_predikat(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The ``hasil`` of a penetapan predikat kinerja (SE MenPANRB 3/2023; forms.md E1).

    Each pegawai's predikat is the kuadran of their two ratings; the distribution, the pola of the
    capaian organisasi rule by rule (``terpenuhi``) and its warnings are :func:`check_unit`'s.
    """
    capaian = str(payload["capaian_organisasi"])
    pegawai = []
    for index, row in enumerate(payload["daftar_pegawai"]):
        try:
            predikat = permenpanrb_6_2022.kuadran(row["rating_hasil_kerja"], row["rating_perilaku_kerja"])
        except ScoringError as error:
            field = f"daftar_pegawai.{index}.{error.field.rsplit('.', 1)[-1]}"
            raise ScoringError(field, error.message) from None
        pegawai.append({"nip": str(row["nip"]), **with_label("predikat", predikat)})
    unit = check_unit(PERMENPANRB_6_2022, pegawai, capaian)
    total = len(pegawai)
    jumlah = {p: v["jumlah"] for p, v in unit["distribusi"].items()}
    pola = [
        {
            "aturan": rule.aturan,
            "uraian": rule.uraian,
            "predikat": [p for p in PREDIKAT[PERMENPANRB_6_2022] if p in rule.predikat],
            "terpenuhi": rule.terpenuhi(sum(jumlah[p] for p in rule.predikat), total),
        }
        for rule in policy.POLA_DISTRIBUSI_6_2022[capaian]
    ]
    return {
        **with_label("capaian_organisasi", capaian),
        "jumlah_pegawai": total,
        "pegawai": pegawai,
        "distribusi": unit["distribusi"],
        "pola_distribusi": pola,
        "warnings": unit["warnings"],
    }


def pemeringkatan(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The ``hasil`` of a pemeringkatan kinerja (PP 30/2019 BAB VI; forms.md E2): the ranking by nilai
    kinerja, then predikat, with the 8/2021 distribution and its warnings (:func:`check_unit`).
    """
    rows = [
        {"nip": str(row["nip"]), "predikat": row["predikat"], "nilai": row["nilai_kinerja"]}
        for row in payload["daftar_pegawai"]
    ]
    try:
        unit = check_unit(str(payload["regime"]), rows, None)
    except ScoringError as error:  # its paths name check_unit's list; the payload's is daftar_pegawai
        raise ScoringError(error.field.replace("pegawai.", "daftar_pegawai.", 1), error.message) from None
    return {"jumlah_pegawai": len(rows), **unit}
