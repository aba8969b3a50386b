"""The OpenAPI 3.1 document, generated from the same marshmallow schemas the views load.

It says what the validation does: every per-field rule (types, patterns, ranges, lengths, choices,
unknown fields refused) comes from the schema the view loads, and every status an operation can
answer is listed. Rules that join several fields or need the world (a payload's regime against its
period, a PDF that must be a PDF, a cursor the service issued, a ``callback_url`` that must resolve
to a public address) cannot be said in JSON Schema: those operations carry
``x-rules-beyond-schema``, and their 422 then means such a rule (the problem names the field).

It is also the whole contract of the answers: every response body has its schema, key for key
(``additionalProperties: false`` where the service sends exactly those keys), ``hasil`` per regime
and type as :func:`service.scoring.score_payload` returns it, and the top-level ``webhooks`` (OpenAPI
3.1) give every event's body, headers and the answer expected. Numbers in request bodies may be JSON
numbers or numeric text, as the schemas read them.
"""

from __future__ import annotations

import functools
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import render_template

from service.api.blueprint import MAX_REQUEST_TARGET, bp
from service.clients import SCOPES, require_scope
from service.composition import get_services
from service.schemas import DocumentPayloadSchema, UnitCheckSchema
from service.schemas.dokumen_lain import SCHEMAS
from service.schemas.fields import _ANGKA_TEKS as NUMERIC_TEXT  # the text a number is read from
from service.schemas.integrators import BatchItemSchema, BatchSchema, PingSchema, SecretRotationSchema
from service.schemas.payload import PerRegime
from service.schemas.requests import ArchiveQuerySchema, DelegateSchema, RevisionQuerySchema
from service.scoring.penandatangan import PENANDATANGAN
from service.scoring.vocabulary import (
    ASPEK_PP46_2011,
    ASSESSMENT_TYPES,
    CAPAIAN_ORGANISASI,
    COACHING_TYPES,
    DOCUMENT_TYPES,
    JENIS_HASIL_KERJA,
    KATEGORI_PERMENPANRB_8_2021,
    MODE_PERILAKU,
    PENYEDIA,
    PERMENPANRB_6_2022,
    PERMENPANRB_8_2021,
    PERSON_TYPES,
    PERSPEKTIF,
    PLAN_TYPES,
    PP46_2011,
    PREDIKAT,
    PREDIKAT_PERMENPANRB_6_2022,
    PREDIKAT_PERMENPANRB_8_2021,
    RATING_PERMENPANRB_6_2022,
    REGIME_IDS,
    SEBUTAN_PP46_2011,
    SIGNING_ORDER,
    STATUSES,
)
from service.workflow.operations import IDEMPOTENCY_KEY_PATTERN, MAX_IDEMPOTENCY_KEY

__all__ = ["build_spec"]

_PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}

#: Why each status is answered, the same for every operation that can answer it.
_WHY: dict[int, str] = {
    400: "The body cannot be read: not UTF-8 (or with a BOM), not JSON, a key given twice, not an object",
    401: "No API key, or one that is unknown or revoked",
    403: "The key lacks the scope, or the document is another client's to change",
    404: "No such document (or not one this key may read), signer, file, batch or delivery",
    409: "The document's state does not allow this now, or the Idempotency-Key was used for another body",
    413: "The body is larger than the instance allows (SKP_MAX_CONTENT_LENGTH)",
    414: f"The request target (path and query) is longer than {MAX_REQUEST_TARGET} bytes",
    415: "The body is not of the media type the operation takes (or not UTF-8)",
    422: "A rule is broken; errors names every field and its rule",
}

#: A body the view reads as JSON: what ``service.http.json_body`` and the schema refuse.
_JSON_BODY = (400, 413, 415, 422)

#: The request body of every document payload: the schema its ``type`` picks.
ANY_PAYLOAD = "AnyDocumentPayload"


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` or ``null``."""
    return {"anyOf": [schema, {"type": "null"}]}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _closed(properties: dict[str, Any], *, optional: tuple[str, ...] = (), **extra: Any) -> dict[str, Any]:
    """An object with exactly these keys: every one but ``optional`` always present, no other."""
    return {
        "type": "object",
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
        "properties": properties,
        **extra,
    }


_NUMBER = {"type": "number", "description": "Rounded half-up to 2 decimals"}
_COUNT = {"type": "integer", "minimum": 0}
_LABEL = {"type": "string", "description": "The Indonesian label of the id beside it"}
_TIME = {"type": "string", "format": "date-time"}
_TIME_OR_NULL = {"type": ["string", "null"], "format": "date-time"}


def _labelled(key: str, ids: tuple[str, ...], description: str) -> dict[str, Any]:
    """``key`` (an id of ``ids``) and ``key_label`` (its label), as every id in ``hasil`` comes."""
    return {
        key: {"type": "string", "enum": list(ids), "description": description},
        f"{key}_label": _LABEL,
    }


_SEBUTAN = functools.partial(_labelled, "sebutan", SEBUTAN_PP46_2011)


def _distribusi(predikat: tuple[str, ...]) -> dict[str, Any]:
    """A unit's distribution: every predikat of the regime, each with its count and share."""
    return _closed(
        {
            p: _closed(
                {
                    "jumlah": {**_COUNT, "description": "Pegawai with this predikat"},
                    "persen": {**_NUMBER, "description": "Their share in percent (30 for 30 %)"},
                }
            )
            for p in predikat
        },
        description="Every predikat of the regime, best to worst",
    )


_WARNINGS = {
    "type": "array",
    "description": "The distribution rules the unit breaks; empty when it fits (guidance, never a block)",
    "items": _ref("Peringatan"),
}

#: ``hasil`` of each regime, for a plan (``skp``, ``manual_iku``) and an assessment (``evaluasi``,
#: ``dokumen_penilaian``), and of the unit and coaching types: what ``service.scoring.score_payload``
#: returns, key for key.
_HASIL: dict[str, dict[str, Any]] = {
    "HasilRencanaPp46_2011": _closed(
        {
            "jumlah_kegiatan": {**_COUNT, "description": "Kegiatan tugas jabatan in the plan"},
            "jumlah_angka_kredit": {**_NUMBER, "description": "Target angka kredit summed over kegiatan"},
            "kegiatan": {
                "type": "array",
                "description": "One per kegiatan, in input order",
                "items": _closed(
                    {
                        "jumlah_aspek": {
                            "type": "integer",
                            "enum": [3, 4],
                            "description": "Aspects the evaluation will divide by: 4 with a biaya target",
                        }
                    }
                ),
            },
        },
        description="PP 46/2011 plan checks (skp): counts the form's totals row shows",
    ),
    "HasilPenilaianPp46_2011": _closed(
        {
            "kegiatan": {
                "type": "array",
                "description": "Capaian of each kegiatan, in input order",
                "items": _closed(
                    {
                        "kuantitas": {**_NUMBER, "description": "Capaian of kuantitas (percent)"},
                        "kualitas": {**_NUMBER, "description": "Capaian of kualitas (percent)"},
                        "waktu": {**_NUMBER, "description": "Capaian of waktu (percent)"},
                        "biaya": {
                            "type": ["number", "null"],
                            "description": "Capaian of biaya; null without a biaya target",
                        },
                        "penghitungan": {**_NUMBER, "description": "Sum of the aspects' capaian"},
                        "jumlah_aspek": {"type": "integer", "enum": [3, 4], "description": "Aspects counted"},
                        "nilai_capaian": {**_NUMBER, "description": "penghitungan / jumlah_aspek"},
                        **_SEBUTAN("Sebutan of nilai_capaian"),
                    }
                ),
            },
            "jumlah_angka_kredit": {**_NUMBER, "description": "Angka kredit summed over kegiatan"},
            "rata_rata_capaian": {**_NUMBER, "description": "Mean nilai_capaian of the kegiatan"},
            "tugas_tambahan": _closed(
                {
                    "jumlah": {**_COUNT, "description": "Tugas tambahan listed"},
                    "nilai": {**_NUMBER, "description": "Points they add"},
                }
            ),
            "kreativitas": _closed(
                {
                    "jumlah": {**_COUNT, "description": "Kreativitas listed"},
                    "nilai": {**_NUMBER, "description": "Points they add"},
                }
            ),
            "nilai_skp": {**_NUMBER, "description": "Nilai SKP"},
            **_labelled("sebutan_skp", SEBUTAN_PP46_2011, "Sebutan of nilai_skp"),
            "perilaku_kerja": _closed(
                {
                    "aspek": {
                        "type": "object",
                        "description": "Each aspect rated: its nilai and sebutan",
                        "propertyNames": {"enum": list(ASPEK_PP46_2011)},
                        "additionalProperties": _closed(
                            {"nilai": _NUMBER, **_SEBUTAN("Sebutan of the aspect's nilai")}
                        ),
                    },
                    "jumlah": {**_NUMBER, "description": "Sum of the aspects' nilai"},
                    "jumlah_aspek": {"type": "integer", "enum": [5, 6], "description": "6 with kepemimpinan"},
                    "rata_rata": {**_NUMBER, "description": "jumlah / jumlah_aspek"},
                    **_SEBUTAN("Sebutan of rata_rata"),
                }
            ),
            "bobot": {"type": "string", "const": "60/40", "description": "Weights of SKP and perilaku kerja"},
            "nilai_prestasi_kerja": {**_NUMBER, "description": "60 % nilai_skp + 40 % perilaku rata_rata"},
            **_SEBUTAN("Sebutan of nilai_prestasi_kerja"),
        },
        description="PP 46/2011 penilaian prestasi kerja (evaluasi, dokumen_penilaian)",
    ),
    "HasilRencanaPermenpanrb8_2021": _closed(
        {
            "jumlah_kinerja_utama": {**_COUNT, "description": "IKI of kinerja utama"},
            "jumlah_kinerja_tambahan": {**_COUNT, "description": "Kinerja tambahan listed"},
            "jumlah_bobot": {
                "type": ["number", "null"],
                "description": "Sum of the IKI weights (expected 100); null when no IKI is weighted",
            },
        },
        description="PermenPANRB 8/2021 plan checks (skp)",
    ),
    "HasilPenilaianPermenpanrb8_2021": _closed(
        {
            "iki": {
                "type": "array",
                "description": "Each IKI of kinerja utama, in input order",
                "items": _closed(
                    {
                        "capaian": {**_NUMBER, "description": "Whole percent used for the table"},
                        "capaian_tepat": {**_NUMBER, "description": "Unrounded percent, to 2 decimals"},
                        **_labelled("kategori", KATEGORI_PERMENPANRB_8_2021, "Kategori of the capaian"),
                        "nilai": {**_NUMBER, "description": "Nilai of the IKI"},
                        "bobot": {
                            "type": ["number", "null"],
                            "description": "Its weight; null if unweighted",
                        },
                    }
                ),
            },
            "rencana_kinerja": {
                "type": "array",
                "description": "Consecutive IKI with the same rencana kinerja text form one",
                "items": _closed(
                    {
                        "iki": {
                            "type": "array",
                            "items": {"type": "integer", "minimum": 0},
                            "description": "Indexes (0-based) into iki",
                        },
                        **_labelled("kategori", KATEGORI_PERMENPANRB_8_2021, "Kategori of its nilai"),
                        "nilai": {**_NUMBER, "description": "Mean nilai of its IKI (weighted by bobot)"},
                        "nilai_tertimbang": {**_NUMBER, "description": "Its share of rata_rata_iki"},
                    }
                ),
            },
            "rata_rata_iki": {**_NUMBER, "description": "Nilai kinerja utama (weighted mean of IKI)"},
            "kinerja_tambahan": _closed(
                {
                    "jumlah": {**_COUNT, "description": "Kinerja tambahan listed"},
                    "nilai": {**_NUMBER, "description": "Points they add"},
                }
            ),
            "nilai_skp": {**_NUMBER, "description": "rata_rata_iki + kinerja tambahan, at most 120"},
            "perilaku_kerja": _closed(
                {
                    "mode": {"type": "string", "enum": list(MODE_PERILAKU), "description": "Who rated"},
                    "atasan": {**_NUMBER, "description": "The atasan's mean"},
                    "rekan": {"type": ["number", "null"], "description": "Peers' mean; null without survey"},
                    "bawahan": {
                        "type": ["number", "null"],
                        "description": "Subordinates' mean; null without survey or subordinates",
                    },
                }
            ),
            "nilai_perilaku": {**_NUMBER, "description": "Nilai perilaku kerja"},
            "bobot": {
                "type": "string",
                "enum": ["70/30", "60/40"],
                "description": "Weights of SKP and perilaku: 70/30 (atasan) or 60/40 (survei)",
            },
            "nilai_kinerja": {**_NUMBER, "description": "Weighted sum of nilai_skp and nilai_perilaku"},
            "ide_baru": {"type": "boolean", "description": "An ide baru is recorded (for Sangat Baik)"},
            **_labelled("predikat", PREDIKAT_PERMENPANRB_8_2021, "Predikat kinerja"),
        },
        description="PermenPANRB 8/2021 penilaian kinerja (evaluasi, dokumen_penilaian)",
    ),
    "HasilRencanaPermenpanrb6_2022": _closed(
        {
            "jumlah_hasil_kerja": _closed(
                {j: {**_COUNT, "description": f"Rencana hasil kerja {j}"} for j in JENIS_HASIL_KERJA}
            ),
            "perspektif": _closed(
                {p: {**_COUNT, "description": f"Rencana hasil kerja of perspektif {p}"} for p in PERSPEKTIF},
                description="Present for a JPT, or when any rencana hasil kerja names a perspektif",
            ),
            "jumlah_manual_iku": {**_COUNT, "description": "Rencana hasil kerja with a manual IKU"},
            "jumlah_ekspektasi_khusus": {
                **_COUNT,
                "description": "BerAKHLAK values with an ekspektasi khusus pimpinan",
            },
            "peringatan": {
                "type": "array",
                "description": "Guidance, never a block: what the plan lacks",
                "items": _ref("Peringatan"),
            },
        },
        optional=("perspektif",),
        description="PermenPANRB 6/2022 plan checks (skp, manual_iku)",
    ),
    "HasilPenilaianPermenpanrb6_2022": _closed(
        {
            **_labelled(
                "rating_hasil_kerja", RATING_PERMENPANRB_6_2022, "The pejabat's rating of hasil kerja"
            ),
            **_labelled(
                "rating_perilaku_kerja", RATING_PERMENPANRB_6_2022, "The pejabat's rating of perilaku kerja"
            ),
            **_labelled("predikat", PREDIKAT_PERMENPANRB_6_2022, "Predikat kinerja from the two ratings"),
            **_labelled("capaian_organisasi", CAPAIAN_ORGANISASI, "Capaian kinerja organisasi, when given"),
            **_labelled(
                "saran_rating_hasil_kerja",
                RATING_PERMENPANRB_6_2022,
                "Suggested rating from the per-RHK ratings, when they were given",
            ),
            "rekap_rating_hasil_kerja": _closed(
                {
                    r: {**_COUNT, "description": f"Rencana hasil kerja rated {r}"}
                    for r in RATING_PERMENPANRB_6_2022
                },
                description="With saran_rating_hasil_kerja: how many RHK got each rating",
            ),
            "angka_kredit": _closed(
                {
                    "jenjang": {"type": "string", "description": "Jenjang jabatan fungsional (id)"},
                    "jenjang_label": _LABEL,
                    "koefisien": {**_NUMBER, "description": "Koefisien tahunan of the jenjang"},
                    "persentase": {**_NUMBER, "description": "Percent of the koefisien for the predikat"},
                    "bulan": {**_NUMBER, "description": "Months covered"},
                    "nilai": {**_NUMBER, "description": "Angka kredit earned"},
                },
                description="When angka_kredit was given in the payload",
            ),
        },
        optional=(
            "capaian_organisasi",
            "capaian_organisasi_label",
            "saran_rating_hasil_kerja",
            "saran_rating_hasil_kerja_label",
            "rekap_rating_hasil_kerja",
            "angka_kredit",
        ),
        description="PermenPANRB 6/2022 evaluasi kinerja (evaluasi, dokumen_penilaian)",
    ),
    "HasilPenetapanPredikat": _closed(
        {
            **_labelled("capaian_organisasi", CAPAIAN_ORGANISASI, "Capaian kinerja organisasi, as given"),
            "jumlah_pegawai": {"type": "integer", "minimum": 1, "description": "Pegawai listed"},
            "pegawai": {
                "type": "array",
                "description": "Each pegawai's predikat (the kuadran of the two ratings), in input order",
                "items": _closed(
                    {
                        "nip": {"type": "string"},
                        **_labelled("predikat", PREDIKAT_PERMENPANRB_6_2022, "Predikat kinerja"),
                    }
                ),
            },
            "distribusi": _distribusi(PREDIKAT_PERMENPANRB_6_2022),
            "pola_distribusi": {
                "type": "array",
                "description": "Each rule of the capaian organisasi's pola distribusi, in order",
                "items": _closed(
                    {
                        "aturan": {"type": "string", "description": "Id of the rule"},
                        "uraian": {"type": "string", "description": "What it expects, in Indonesian"},
                        "predikat": {
                            "type": "array",
                            "items": {"type": "string", "enum": list(PREDIKAT_PERMENPANRB_6_2022)},
                            "description": "The predikat it counts, best to worst",
                        },
                        "terpenuhi": {"type": "boolean", "description": "The unit fits the rule"},
                    }
                ),
            },
            "warnings": _WARNINGS,
        },
        description="PermenPANRB 6/2022 penetapan predikat kinerja of a unit (penetapan_predikat)",
    ),
    "HasilPeringkat": _closed(
        {
            "jumlah_pegawai": {"type": "integer", "minimum": 1, "description": "PNS listed"},
            "distribusi": _distribusi(PREDIKAT_PERMENPANRB_8_2021),
            "warnings": _WARNINGS,
            "peringkat": {
                "type": "array",
                "description": "The ranking by nilai kinerja, then predikat, best first; ties share a rank",
                "items": _closed(
                    {
                        "nip": {"type": "string"},
                        "peringkat": {"type": "integer", "minimum": 1, "description": "Rank (1 = best)"},
                        **_labelled("predikat", PREDIKAT_PERMENPANRB_8_2021, "Predikat as given"),
                        "nilai": {**_NUMBER, "description": "Nilai kinerja as given"},
                    }
                ),
            },
        },
        description="PermenPANRB 8/2021 pemeringkatan kinerja of a unit's PNS (peringkat)",
    ),
    "HasilKosong": _closed(
        {},
        description="A record of bimbingan or konseling (catatan_bimbingan, umpan_balik_bimbingan, "
        "konseling): nothing is scored, hasil is the empty object",
    ),
}

#: Which ``hasil`` component a regime and a kind of type get.
_HASIL_OF = {
    (PP46_2011, "rencana"): "HasilRencanaPp46_2011",
    (PP46_2011, "penilaian"): "HasilPenilaianPp46_2011",
    (PERMENPANRB_8_2021, "rencana"): "HasilRencanaPermenpanrb8_2021",
    (PERMENPANRB_8_2021, "penilaian"): "HasilPenilaianPermenpanrb8_2021",
    (PERMENPANRB_6_2022, "rencana"): "HasilRencanaPermenpanrb6_2022",
    (PERMENPANRB_6_2022, "penilaian"): "HasilPenilaianPermenpanrb6_2022",
}
_TYPES_OF = {"rencana": sorted(PLAN_TYPES), "penilaian": sorted(ASSESSMENT_TYPES)}


#: The ``hasil`` component of each unit and coaching type, under every regime that issues it
#: (:data:`~service.scoring.penandatangan.PENANDATANGAN`).
_HASIL_OF_TYPE = {
    "penetapan_predikat": "HasilPenetapanPredikat",
    "peringkat": "HasilPeringkat",
    **dict.fromkeys(COACHING_TYPES, "HasilKosong"),
}
#: Every ``hasil`` component, each once.
_HASIL_COMPONENTS = list(dict.fromkeys([*_HASIL_OF.values(), *_HASIL_OF_TYPE.values()]))


def _hasil_by_regime_and_type() -> list[dict[str, Any]]:
    """One alternative per regime and kind of type: ``regime`` and ``type`` decide ``hasil``'s shape.

    A unit or coaching type has an alternative only under the regimes that issue it, so its hasil
    under another regime fits none.
    """
    alternatives = [
        {
            "properties": {
                "regime": {"const": regime},
                "type": {"enum": _TYPES_OF[kind]},
                "hasil": _ref(component),
            }
        }
        for (regime, kind), component in _HASIL_OF.items()
    ]
    for regime in REGIME_IDS:
        for component in dict.fromkeys(_HASIL_OF_TYPE.values()):
            types = [t for t, c in _HASIL_OF_TYPE.items() if c == component and (regime, t) in PENANDATANGAN]
            if types:
                alternatives.append(
                    {
                        "properties": {
                            "regime": {"const": regime},
                            "type": {"enum": types},
                            "hasil": _ref(component),
                        }
                    }
                )
    return alternatives


_PERINGATAN = _closed(
    {
        "aturan": {"type": "string", "description": "Id of the rule (e.g. pola_distribusi.sangat_baik)"},
        "pesan": {"type": "string", "description": "What is expected and what was found, in Indonesian"},
    },
    description="A rule the input does not fit: guidance, never a refusal",
)

_UNIT_CHECK_RESULT = _closed(
    {
        "distribusi": {
            "type": "object",
            "description": "Every predikat of the regime (sebutan for pp46_2011), best to worst",
            "propertyNames": {"enum": sorted({p for ids in PREDIKAT.values() for p in ids})},
            "additionalProperties": _closed(
                {
                    "jumlah": {**_COUNT, "description": "Pegawai with this predikat"},
                    "persen": {**_NUMBER, "description": "Their share in percent (30 for 30 %)"},
                }
            ),
        },
        "warnings": {
            "type": "array",
            "description": "The distribution rules the unit breaks; empty when it fits",
            "items": _ref("Peringatan"),
        },
        "peringkat": {
            "type": "array",
            "description": "The ranking, best first; ties share a rank",
            "items": _closed(
                {
                    "nip": {"type": "string"},
                    "peringkat": {"type": "integer", "minimum": 1, "description": "Rank (1 = best)"},
                    "predikat": {"type": "string", "description": "Predikat id as given"},
                    "predikat_label": _LABEL,
                    "nilai": {"type": ["number", "null"], "description": "Nilai as given; null if not"},
                }
            ),
        },
    },
    description="A unit's predikat distribution against its regime's rules, and its ranking",
)

_PERSON = {
    "nama": {"type": "string"},
    "nip": {"type": "string"},
    "jabatan": {"type": "string"},
    "jenis": {"type": "string", "enum": ["plt", "plh"], "description": "Plt or Plh"},
}
_SEMULA = _closed(
    {
        "nama": {"type": ["string", "null"]},
        "nip": {"type": ["string", "null"]},
        "jabatan": {"type": ["string", "null"]},
    },
    description="The official named in the payload, whom the Plt/Plh replaces",
)

#: A Plt/Plh signing in a role, as the signer shows it and ``signer.delegated`` says it.
_DELEGASI = _closed(
    {
        **_PERSON,
        "keterangan": {"type": ["string", "null"], "description": "The client's note"},
        "semula": _SEMULA,
    },
    description="The Plt/Plh official who signs in this role instead (nama, nip and "
    "jabatan are the signer's own by then), and the official they replace",
)

_SIGNER = _closed(
    {
        "urutan": {"type": "integer", "minimum": 1, "description": "Position in the signing order"},
        "peran": {"type": "string", "enum": list(SIGNING_ORDER), "description": "Role on the form"},
        "nama": {"type": "string"},
        "nip": {"type": ["string", "null"], "description": "Null for a political official without one"},
        "status": {
            "type": "string",
            "enum": ["waiting", "pending", "signed", "rejected", "cancelled"],
            "description": "pending: it is this signer's turn; cancelled: had not signed when the "
            "document was cancelled",
        },
        "penyedia": {
            "type": "string",
            "enum": list(PENYEDIA),
            "description": "Who holds the signer's key: the instance CA, their own .p12, BSrE, a CSC service",
        },
        "signed_at": {**_TIME_OR_NULL, "description": "When they signed"},
        "sign_url": {
            "type": ["string", "null"],
            "description": "The live signing link, for the signer whose turn it is, shown only to the "
            "client that created the document",
        },
        "delegasi": _nullable(_DELEGASI),
        "alasan": {"type": ["string", "null"], "description": "Why the signer rejected the document"},
    },
    description="One signer, in signing order",
)

_DOCUMENT = {
    **_closed(
        {
            "id": {"type": "string", "description": "doc_…"},
            "status": {"type": "string", "enum": list(STATUSES)},
            "type": {"type": "string", "enum": list(DOCUMENT_TYPES)},
            "regime": {"type": "string", "enum": list(REGIME_IDS)},
            "hasil": {
                "anyOf": [_ref(c) for c in _HASIL_COMPONENTS],
                "description": "The scoring result; regime and type decide which shape (see oneOf)",
            },
            "verification_code": {"type": "string", "description": "The code of the QR verification page"},
            "instansi": {"type": "string", "description": "The instansi the document belongs to"},
            "revision": {
                "type": ["integer", "null"],
                "minimum": 0,
                "description": "Newest PDF revision (0 = unsigned render); null before rendering",
            },
            "signers": {"type": "array", "items": _ref("Signer"), "description": "Who signs, in order"},
            "created_at": _TIME,
            "updated_at": {**_TIME, "description": "Last change of status or signers"},
            "links": _closed(
                {
                    "self": {"type": "string"},
                    "pdf": {"type": "string"},
                    "docx": {"type": "string"},
                    "audit": {"type": "string"},
                    "verify": {"type": "string", "description": "The public verification page"},
                }
            ),
            "penolakan": _nullable(
                _closed(
                    {
                        "urutan": {"type": "integer", "minimum": 1},
                        "peran": {"type": "string", "enum": list(SIGNING_ORDER)},
                        "nama": {"type": "string"},
                        "alasan": {"type": ["string", "null"]},
                        "at": {**_TIME_OR_NULL, "description": "When the signer refused"},
                    },
                    description="Who rejected the document, why and when",
                )
            ),
            "failure_reason": {"type": "string", "description": "Why rendering or sealing failed"},
        },
        optional=("failure_reason",),
    ),
    "description": "A document: its status, scoring result, signers and links",
    "oneOf": _hasil_by_regime_and_type(),
}

_DELIVERY = _closed(
    {
        "id": {"type": "integer", "description": "The delivery id (the X-SKP-Delivery header)"},
        "event": {"type": "string"},
        "url": {"type": "string"},
        "attempts": {**_COUNT, "description": "Attempts made so far"},
        "delivered_at": {**_TIME_OR_NULL, "description": "When a 2xx answer came"},
        "next_attempt_at": {**_TIME_OR_NULL, "description": "Next try; null once delivered"},
        "last_status": {"type": ["integer", "null"], "description": "HTTP status of the last attempt"},
        "last_error": {
            "type": ["string", "null"],
            "description": "Why the last attempt failed or was not sent",
        },
        "created_at": _TIME,
        "redelivery_of": {
            "type": ["integer", "null"],
            "description": "The delivery this one sends again (POST …/redeliver); null otherwise",
        },
    },
    description="One webhook delivery",
)

_BATCH_STATUSES = ("refused", *STATUSES)
_BATCH = _closed(
    {
        "id": {"type": "string", "description": "bat_…"},
        "status": {
            "type": "string",
            "enum": ["processing", "completed"],
            "description": "completed once every item is refused or its document is final",
        },
        "created_at": _TIME,
        "completed_at": _TIME_OR_NULL,
        "counts": _closed(
            {s: {**_COUNT, "description": f"Items {s}"} for s in ("total", *_BATCH_STATUSES)},
            description="Items by outcome: refused (the item's problem), else its document's status",
        ),
        "items": {
            "type": "array",
            "description": "One per item, in the order posted",
            "items": _closed(
                {
                    "index": {"type": "integer", "minimum": 0, "description": "Position in the posted list"},
                    "idempotency_key": {
                        "type": ["string", "null"],
                        "description": "The item's key as sent; null if it sent none as text",
                    },
                    "id": {"type": ["string", "null"], "description": "The document; null if refused"},
                    "status": {"type": ["string", "null"], "description": "The document's status"},
                    "problem": _nullable({**_ref("Problem"), "description": "Why the item was refused"}),
                }
            ),
        },
        "links": _closed({"self": {"type": "string"}}),
    },
    description="A batch of documents created together",
)

_ACTOR = _closed(
    {
        "kind": {"type": "string", "enum": ["client", "signer", "system"], "description": "Who acted"},
        "name": {"type": "string", "description": "The client's, the signer's or the service's name"},
        "nip": {"type": ["string", "null"], "description": "A signer's NIP"},
        "peran": {
            "type": ["string", "null"],
            "enum": [*SIGNING_ORDER, None],
            "description": "A signer's role",
        },
    },
    description="Who caused the event",
)

_COVERAGE = {
    "type": ["string", "null"],
    "enum": ["ENTIRE_FILE", "ENTIRE_REVISION", "CONTIGUOUS_BLOCK_FROM_START", "UNCLEAR", None],
    "description": "What the signature's byte range covers",
}
_MODIFICATION = {
    "type": ["string", "null"],
    "enum": ["NONE", "LTA_UPDATES", "FORM_FILLING", "ANNOTATIONS", "OTHER", None],
    "description": "Changes made to the file after the signature",
}
_PADES = {
    "type": ["string", "null"],
    "enum": ["B-B", "B-T", "B-LT", "B-LTA", None],
    "description": "PAdES level",
}

_SIGNATURE = _closed(
    {
        "field": {"type": "string", "description": "The PDF signature field"},
        "signer": {"type": ["string", "null"], "description": "Common name of the signer's certificate"},
        "nip": {"type": ["string", "null"], "description": "serialNumber of the certificate (the NIP)"},
        "issuer": {"type": ["string", "null"], "description": "Common name of the issuing CA"},
        "role": {
            "type": ["string", "null"],
            "description": "The role signed as; segel instansi for the seal",
        },
        "signing_time": {**_TIME_OR_NULL, "description": "Time claimed by the signer (not proof)"},
        "timestamp": {**_TIME_OR_NULL, "description": "Time of the signature's RFC 3161 timestamp"},
        "timestamp_valid": {"type": "boolean", "description": "That timestamp is intact, valid and trusted"},
        "intact": {"type": "boolean", "description": "The signed bytes are unchanged"},
        "valid": {"type": "boolean", "description": "The signature value verifies, over intact bytes"},
        "trusted": {"type": "boolean", "description": "The certificate chains to a trust anchor"},
        "trusted_at": {
            **_TIME_OR_NULL,
            "description": "Set when trust rests on the timestamp's time (the certificate expired since)",
        },
        "coverage": _COVERAGE,
        "modification_level": _MODIFICATION,
        "pades_level": _PADES,
        "certification": {"type": "boolean", "description": "The instance's certification seal"},
        "ok": {"type": "boolean", "description": "Intact, valid, trusted, timestamp ok, changes allowed"},
        "error": {"type": ["string", "null"], "description": "Why it could not be evaluated or trusted"},
    },
    description="One signature of the file",
)
_DOCUMENT_TIMESTAMP = _closed(
    {
        "field_name": {"type": "string", "description": "The PDF signature field"},
        "revision": {"type": "integer", "minimum": 0, "description": "Zero-based revision it covers"},
        "time": {**_TIME_OR_NULL, "description": "The time it attests"},
        "tsa": {"type": ["string", "null"], "description": "Common name of the TSA certificate"},
        "intact": {"type": "boolean"},
        "valid": {"type": "boolean"},
        "trusted": {"type": "boolean"},
        "coverage": _COVERAGE,
        "modification_level": _MODIFICATION,
        "ok": {"type": "boolean", "description": "Intact, valid and trusted"},
        "error": {"type": ["string", "null"], "description": "Why it could not be evaluated"},
    },
    description="One document timestamp (/DocTimeStamp, PAdES B-LTA)",
)
_VERIFICATION = _closed(
    {
        "signatures": {"type": "array", "items": _SIGNATURE, "description": "In signing order"},
        "document_timestamps": {"type": "array", "items": _DOCUMENT_TIMESTAMP},
        "ok": {
            "type": "boolean",
            "description": "At least one signature, and every one and every timestamp ok",
        },
        "pades_level": {**_PADES, "description": "The lowest PAdES level of the signatures"},
        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$", "description": "SHA-256 of the file"},
        "issued_by_service": {"type": "boolean", "description": "The file is a revision this service issued"},
        "document_id": {
            "type": ["string", "null"],
            "description": "Its document, when the caller may read it; else null",
        },
        "revision": {"type": ["integer", "null"], "description": "Which revision, when document_id is given"},
    },
    description="Every signature and document timestamp of the file",
)

#: Each event: what happened, who the actor is, and what the body carries beyond event, at and actor.
_EVENTS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "document.ready": (
        "The document is rendered and sealed; it is the first signer's turn.",
        "system",
        {},
    ),
    "document.signed": (
        "A signer signed (one event per signature).",
        "signer",
        {"signer": {**_ref("Signer"), "description": "The signer who signed"}},
    ),
    "document.completed": ("The last signature is in; the document is complete.", "system", {}),
    "document.rejected": (
        "A signer rejected the document; nobody signs it any more.",
        "signer",
        {
            "signer": {**_ref("Signer"), "description": "The signer who rejected"},
            "alasan": {"type": "string", "description": "Why, in the signer's words"},
        },
    ),
    "document.failed": (
        "Rendering, conversion or sealing failed for good; document.failure_reason says why.",
        "system",
        {},
    ),
    "document.cancelled": ("The client cancelled the document.", "client", {}),
    "signer.delegated": (
        "The client named a Plt/Plh official to sign in a signer's role.",
        "client",
        {
            "signer": {**_ref("Signer"), "description": "The role delegated"},
            "delegasi": _DELEGASI,
            "semula": _SEMULA,
        },
    ),
    "signer.reissued": (
        "The client had a new signing link issued; the old one no longer works.",
        "client",
        {"signer": {**_ref("Signer"), "description": "The signer with the new link"}},
    ),
    "signer.locked": (
        "Too many wrong passphrases: the signer's link is locked.",
        "system",
        {"signer": {**_ref("Signer"), "description": "The signer locked out"}},
    ),
    "signer.link_expired": (
        "The signing link of the signer whose turn it is expired unused.",
        "system",
        {"signer": {**_ref("Signer"), "description": "The signer whose link expired"}},
    ),
    "batch.completed": (
        "Every item of a batch is refused or its document is final.",
        "system",
        {"batch": _ref("Batch")},
    ),
    "ping": (
        "A test delivery the client asked for (POST /api/v1/webhooks/ping).",
        "client",
        {"client": {"type": "string", "description": "The client's name"}},
    ),
}

_SIGNATURE_HEADER = (
    "`sha256=<hex HMAC-SHA256 of the raw body with the client's webhook secret>`. During a secret "
    "rotation two values, comma-separated: `sha256=<new>,sha256=<old>`. Accept the body when any value "
    "matches a secret you hold; compute the HMAC over the bytes received, before parsing."
)
_DELIVERY_RULES = (
    "Sent as a POST with a JSON body to the document's callback_url (the batch's for batch.completed, "
    "the url given for ping). Any 2xx answer means delivered; anything else, or no answer, is retried "
    "with backoff: 2 s after the first failure, doubling, at most 1 h between attempts. Events of one "
    "document are delivered in order: a newer one waits until the older one is delivered."
)


def _webhook_body(event: str, actor: str, extra: dict[str, Any]) -> dict[str, Any]:
    subject: dict[str, Any] = {}
    if event.startswith(("document.", "signer.")):
        subject = {"document": {**_ref("Document"), "description": "The document as GET answers it"}}
    actor_schema: dict[str, Any] = {
        "allOf": [_ref("Actor")],
        "properties": {"kind": {"const": actor}},
    }
    return _closed(
        {
            "event": {"type": "string", "const": event},
            "at": {**_TIME, "description": "When the event happened"},
            "actor": actor_schema,
            **subject,
            **extra,
        },
        description=f"Body of the {event} webhook",
    )


def _webhooks() -> dict[str, Any]:
    """The OpenAPI 3.1 ``webhooks``: one POST per event, its body, headers and expected answer."""
    headers = {
        "X-SKP-Event": {"required": True, "description": "The event name", "schema": {"type": "string"}},
        "X-SKP-Delivery": {
            "required": True,
            "description": "The delivery id (the same on every retry of one delivery)",
            "schema": {"type": "string", "pattern": "^[0-9]+$"},
        },
        "X-SKP-Signature": {
            "required": True,
            "description": _SIGNATURE_HEADER,
            "schema": {"type": "string", "pattern": "^sha256=[0-9a-f]{64}(,sha256=[0-9a-f]{64})*$"},
        },
    }
    return {
        event: {
            "post": {
                "summary": summary,
                "description": _DELIVERY_RULES,
                "operationId": f"webhook_{event.replace('.', '_')}",
                "parameters": [{"name": n, "in": "header", **h} for n, h in headers.items()],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref(_webhook_component(event))}},
                },
                "responses": {
                    "2XX": {"description": "Delivered"},
                    "default": {"description": "Not delivered: retried with backoff"},
                },
            }
        }
        for event, (summary, _, _) in _EVENTS.items()
    }


def _webhook_component(event: str) -> str:
    """``document.signed`` → ``WebhookDocumentSigned``."""
    return "Webhook" + "".join(part.capitalize() for part in event.replace("_", ".").split("."))


def _problem_responses(*statuses: int) -> dict[str, Any]:
    return {
        str(s): {
            "description": _WHY[s],
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for s in sorted(statuses)
    }


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _items(item: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["items", *extra],
        "additionalProperties": False,
        "properties": {"items": {"type": "array", "items": item}, **extra},
    }


@functools.cache
def build_spec(server_url: str) -> dict[str, Any]:
    """Build the document once per server URL; the schemas do not change while the app runs."""
    spec = APISpec(
        title="skp-sign",
        version="1",
        openapi_version="3.1.0",
        plugins=[MarshmallowPlugin()],
        servers=[{"url": server_url}],
        info={
            "description": "Scores, renders and signs SKP documents (PP 46/2011, "
            "PermenPANRB 8/2021, PermenPANRB 6/2022)."
        },
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Problem", _PROBLEM)
    for name, hasil in _HASIL.items():
        spec.components.schema(name, hasil)
    spec.components.schema("Peringatan", _PERINGATAN)
    spec.components.schema("Signer", _SIGNER)
    spec.components.schema("Document", _DOCUMENT)
    spec.components.schema("WebhookDelivery", _DELIVERY)
    spec.components.schema("Batch", _BATCH)
    spec.components.schema("Actor", _ACTOR)
    for event, (_, actor, extra) in _EVENTS.items():
        spec.components.schema(_webhook_component(event), _webhook_body(event, actor, extra))
    answers = set(spec.components.schemas)  # the components of answers and webhooks; requests follow
    spec.components.schema("DocumentPayload", schema=DocumentPayloadSchema)
    spec.components.schema("UnitCheck", schema=UnitCheckSchema)
    spec.components.schema("Delegate", schema=DelegateSchema)
    _register_per_regime(spec, DocumentPayloadSchema)
    _register_payloads_by_type(spec)
    beyond = {
        "x-rules-beyond-schema": "Rules that join fields of the payload (regime and period, what each "
        "type requires, scoring) answer 422 naming the field."
    }
    spec.path(
        path="/api/v1/scores",
        operations={
            "post": {
                "summary": "Score a document payload by the regime in force",
                "security": [{"bearer": []}],
                **beyond,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref(ANY_PAYLOAD)}},
                },
                "responses": {
                    "200": _json(
                        "The regime and every intermediate value",
                        {
                            **_closed(
                                {
                                    "regime": {
                                        "type": "string",
                                        "enum": list(REGIME_IDS),
                                        "description": "The regime applied (given, or the period's)",
                                    },
                                    "type": {"type": "string", "enum": list(DOCUMENT_TYPES)},
                                    "hasil": {
                                        "anyOf": [_ref(c) for c in _HASIL_COMPONENTS],
                                        "description": "Every intermediate value; a plan (skp, "
                                        "manual_iku) gets its checks, an assessment the full scores, a "
                                        "unit document its distribution (and ranking), a record of "
                                        "bimbingan or konseling the empty object",
                                    },
                                }
                            ),
                            "oneOf": _hasil_by_regime_and_type(),
                        },
                    ),
                    **_problem_responses(401, 414, *_JSON_BODY),
                },
            }
        },
    )
    spec.path(
        path="/api/v1/units/check",
        operations={
            "post": {
                "summary": "Check a unit's predikat distribution and rank its pegawai",
                "security": [{"bearer": []}],
                "x-rules-beyond-schema": "The predikat ids and capaian_organisasi depend on the regime.",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": "UnitCheck"}},
                },
                "responses": {
                    "200": _json("distribusi, warnings and peringkat", _UNIT_CHECK_RESULT),
                    **_problem_responses(401, 414, *_JSON_BODY),
                },
            }
        },
    )
    _document_paths(spec)
    spec.path(
        path="/api/v1/openapi.json",
        operations={
            "get": {
                "summary": "This document",
                "security": [{"bearer": []}],
                "responses": {
                    "200": _json(
                        "This OpenAPI 3.1 document",
                        {
                            "type": "object",
                            "required": ["openapi", "info", "paths"],
                            "properties": {
                                "openapi": {"type": "string", "pattern": "^3\\.1\\.[0-9]+$"},
                                "info": {
                                    "type": "object",
                                    "required": ["title", "version"],
                                    "properties": {
                                        "title": {"type": "string"},
                                        "version": {"type": "string"},
                                    },
                                },
                                "servers": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["url"],
                                        "properties": {"url": {"type": "string"}},
                                    },
                                },
                                "paths": {
                                    "type": "object",
                                    "description": "Free-form: OpenAPI path items, by path",
                                    "additionalProperties": {
                                        "type": "object",
                                        "description": "Free-form: a path item",
                                    },
                                },
                                "webhooks": {
                                    "type": "object",
                                    "description": "Free-form: OpenAPI path items, by event",
                                    "additionalProperties": {
                                        "type": "object",
                                        "description": "Free-form: a path item (a POST)",
                                    },
                                },
                                "components": {
                                    "type": "object",
                                    "description": "Free-form: OpenAPI components (schemas, securitySchemes)",
                                },
                            },
                        },
                    ),
                    **_problem_responses(401, 414),
                },
            }
        },
    )
    _batch_and_client_paths(spec)
    document = spec.to_dict()
    for name, schema in document["components"]["schemas"].items():
        if name not in answers:
            _numbers_or_numeric_text(schema)
    # apispec has no webhooks (OpenAPI 3.1): added to the finished document, after the paths.
    document["webhooks"] = _webhooks()
    return document


#: The text an input number may also be given as ("97.9"), surrounding spaces ignored.
_NUMERIC_TEXT = rf"^\s*{NUMERIC_TEXT.pattern}\s*$"


def _numbers_or_numeric_text(schema: Any) -> None:
    """Every number the request schemas take may come as a JSON number or as numeric text.

    The schemas read numbers through their text into ``Decimal`` (``service.schemas.fields.Angka``);
    bounds (minimum, maximum) hold for the value, which JSON Schema checks only on a number.
    """
    if isinstance(schema, list):
        for item in schema:
            _numbers_or_numeric_text(item)
        return
    if not isinstance(schema, dict):
        return
    types = schema.get("type")
    listed = types if isinstance(types, list) else [types]
    if "number" in listed and "string" not in listed:
        schema["type"] = list(dict.fromkeys(["number", "string", *listed]))
        schema["pattern"] = _NUMERIC_TEXT
    for value in schema.values():
        if isinstance(value, dict | list):
            _numbers_or_numeric_text(value)


def _payload_component(kind: str) -> str:
    """``umpan_balik_bimbingan`` → ``UmpanBalikBimbinganPayload``; a per-person type → ``DocumentPayload``."""
    if kind in PERSON_TYPES:
        return "DocumentPayload"
    return "".join(part.capitalize() for part in kind.split("_")) + "Payload"


def _register_payloads_by_type(spec: APISpec) -> None:
    """The unit and coaching payloads beside ``DocumentPayload``, and their union by ``type``.

    The service validates a body by the schema its ``type`` names
    (:func:`service.schemas.dokumen_lain.load_payload`), so each component takes its own type only,
    and a regime only of those that issue the type (any other is refused field by field).
    """
    for kind, schema in SCHEMAS.items():
        name = _payload_component(kind)
        spec.components.schema(name, schema=schema)
        properties = spec.components.schemas[name]["properties"]
        properties["type"] = {**properties["type"], "enum": [kind]}
        properties["regime"] = {
            **properties["regime"],
            "enum": [r for r in REGIME_IDS if (r, kind) in PENANDATANGAN],
        }
    spec.components.schema(
        ANY_PAYLOAD,
        {
            "description": "A document payload: its type picks the schema (DocumentPayload for the "
            "per-person forms, one schema for each unit and coaching document)",
            "oneOf": [_ref(name) for name in dict.fromkeys(_payload_component(t) for t in DOCUMENT_TYPES)],
            "discriminator": {
                "propertyName": "type",
                "mapping": {t: f"#/components/schemas/{_payload_component(t)}" for t in DOCUMENT_TYPES},
            },
        },
    )


def _register_per_regime(spec: APISpec, schema: type[Any]) -> None:
    """``skp`` and ``perilaku_kerja`` take their schema from the regime: describe them as ``oneOf``."""
    payload = spec.components.schemas["DocumentPayload"]
    for name, field in schema().fields.items():
        if not isinstance(field, PerRegime):
            continue
        refs = []
        for regime_schema in field.schemas.values():
            component = regime_schema.__name__.removesuffix("Schema")
            if component not in spec.components.schemas:
                spec.components.schema(component, schema=regime_schema)
            refs.append({"$ref": f"#/components/schemas/{component}"})
        prop = payload["properties"][field.data_key or name]
        prop.pop("type", None)
        prop["oneOf"] = refs


def _document_paths(spec: APISpec) -> None:
    doc = _json("The document", _ref("Document"))
    security: list[dict[str, list[str]]] = [{"bearer": []}]
    id_param = {"name": "document_id", "in": "path", "required": True, "schema": {"type": "string"}}
    urutan = {"name": "urutan", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
    # A document route: its key, its scope, and the document (another instansi's is 404 too).
    read = (401, 403, 404, 414)
    spec.path(
        path="/api/v1/documents",
        operations={
            "post": {
                "summary": "Create a document: validate, score, render, convert, seal (asynchronously)",
                "security": security,
                "x-rules-beyond-schema": "Rules that join fields of the payload (regime and period, what "
                "each type requires, scoring) and a callback_url that must resolve to a public address "
                "answer 422 naming the field.",
                "parameters": [
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": True,
                        "description": "The same key and body answer the first response again; the same "
                        "key with another body is 409. Visible ASCII, spaces only inside.",
                        "schema": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": MAX_IDEMPOTENCY_KEY,
                            "pattern": IDEMPOTENCY_KEY_PATTERN,
                        },
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref(ANY_PAYLOAD)}},
                },
                "responses": {"202": doc, **_problem_responses(401, 403, 409, 414, *_JSON_BODY)},
            },
            "get": {
                "summary": "Archive search within the key's tenancy, newest first, cursor pagination",
                "security": security,
                "x-rules-beyond-schema": "A cursor must be one the service handed out (next_cursor).",
                "parameters": [{"in": "query", "schema": ArchiveQuerySchema}],
                "responses": {
                    "200": _json(
                        "A page of documents, newest first",
                        _items(
                            {"$ref": "#/components/schemas/Document"},
                            next_cursor={
                                "type": ["string", "null"],
                                "description": "The cursor of the next page; null on the last",
                            },
                        ),
                    ),
                    **_problem_responses(401, 403, 414, 422),
                },
            },
        },
    )
    spec.path(
        path="/api/v1/documents/{document_id}",
        operations={
            "get": {
                "summary": "Status, hasil, signers and links",
                "security": security,
                "parameters": [id_param],
                "responses": {"200": doc, **_problem_responses(*read)},
            }
        },
    )
    pdf = {"description": "PDF", "content": {"application/pdf": {"schema": {"type": "string"}}}}
    spec.path(
        path="/api/v1/documents/{document_id}/pdf",
        operations={
            "get": {
                "summary": "The newest PDF revision, or ?revision=N (0 = unsigned render)",
                "security": security,
                "parameters": [id_param, {"in": "query", "schema": RevisionQuerySchema}],
                "responses": {"200": pdf, **_problem_responses(*read, 422)},
            }
        },
    )
    spec.path(
        path="/api/v1/documents/{document_id}/docx",
        operations={
            "get": {
                "summary": "The filled Word form",
                "security": security,
                "parameters": [id_param],
                "responses": {
                    "200": {
                        "description": "DOCX",
                        "content": {
                            "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
                                "schema": {"type": "string"}
                            }
                        },
                    },
                    **_problem_responses(*read),
                },
            }
        },
    )
    spec.path(
        path="/api/v1/documents/{document_id}/riwayat.pdf",
        operations={
            "get": {
                "summary": "The sealed history sheet, issued once the document is completed",
                "security": security,
                "parameters": [id_param],
                "responses": {"200": pdf, **_problem_responses(*read)},
            }
        },
    )
    spec.path(
        path="/api/v1/documents/{document_id}/audit",
        operations={
            "get": {
                "summary": "The hash-chained audit events of the document",
                "security": security,
                "parameters": [id_param],
                "responses": {
                    "200": _json(
                        "The events, oldest first",
                        _items(
                            _closed(
                                {
                                    "event": {
                                        "type": "string",
                                        "description": "What happened: created, rendered, sealed, "
                                        "link_issued, signed, rejected, cancelled, downloaded, verified, …",
                                    },
                                    "actor": {
                                        "type": "string",
                                        "description": "Who: client:<name>, nip:<NIP>, user:<username>, "
                                        "system or cli",
                                    },
                                    "at": _TIME,
                                    "ip": {"type": ["string", "null"], "description": "The caller's address"},
                                    "data": {
                                        "type": "object",
                                        "description": "Free-form: the event's own details, which differ "
                                        "per event (a revision, a reason, a delegate); covered by hash",
                                    },
                                    "prev_hash": {
                                        "type": ["string", "null"],
                                        "description": "hash of the event before it in the "
                                        "instance-wide chain (64 zeros for the very first)",
                                    },
                                    "hash": {
                                        "type": "string",
                                        "pattern": "^[0-9a-f]{64}$",
                                        "description": "SHA-256 (hex) over prev_hash and this event",
                                    },
                                }
                            )
                        ),
                    ),
                    **_problem_responses(*read),
                },
            }
        },
    )
    spec.path(
        path="/api/v1/documents/{document_id}/webhooks",
        operations={
            "get": {
                "summary": "The document's webhook deliveries, oldest first (its creator only)",
                "security": security,
                "parameters": [id_param],
                "responses": {
                    "200": _json(
                        "The deliveries, oldest first",
                        _items(_ref("WebhookDelivery")),
                    ),
                    **_problem_responses(*read),
                },
            }
        },
    )
    spec.path(
        path="/api/v1/documents/{document_id}/cancel",
        operations={
            "post": {
                "summary": "Cancel a document that is not final",
                "security": security,
                "parameters": [id_param],
                "responses": {"200": doc, **_problem_responses(*read, 409)},
            }
        },
    )
    spec.path(
        path="/api/v1/documents/{document_id}/signers/{urutan}/reissue",
        operations={
            "post": {
                "summary": "A new signing link for the signer whose turn it is; the old one dies",
                "security": security,
                "parameters": [id_param, urutan],
                "responses": {"200": doc, **_problem_responses(*read, 409)},
            }
        },
    )
    spec.path(
        path="/api/v1/documents/{document_id}/signers/{urutan}/delegate",
        operations={
            "post": {
                "summary": "Plt/Plh: another official signs in this role",
                "security": security,
                "parameters": [id_param, urutan],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": "Delegate"}},
                },
                "responses": {"200": doc, **_problem_responses(*read, 409, *_JSON_BODY)},
            }
        },
    )
    spec.path(
        path="/api/v1/documents/{document_id}/signers/{urutan}/kode",
        operations={
            "post": {
                "summary": "A kode_verifikasi for an official without e-mail, to hand them out of band",
                "description": (
                    "Enrolling an official's first key (or a new one) needs a one-time code. It is "
                    "e-mailed to the identity's `email` when it has one (then this answers 409); "
                    "otherwise the client that created the document is handed it here, once per call "
                    "(a new call makes a new code and the old one dies), and thereby vouches for the "
                    "official (recorded in the audit trail)."
                ),
                "security": security,
                "parameters": [id_param, urutan],
                "responses": {
                    "200": _json(
                        "kode_verifikasi, expires_at",
                        {
                            "type": "object",
                            "required": ["kode_verifikasi", "expires_at"],
                            "properties": {
                                "kode_verifikasi": {"type": "string", "pattern": "^[0-9]{8}$"},
                                "expires_at": {"type": "string", "format": "date-time"},
                            },
                        },
                    ),
                    **_problem_responses(*read, 409),
                },
            }
        },
    )
    spec.path(
        path="/api/v1/verify",
        operations={
            "post": {
                "summary": "Validate every signature of an uploaded PDF",
                "security": security,
                "x-rules-beyond-schema": "The file must be a PDF (it starts with %PDF-).",
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["file"],
                                "properties": {"file": {"type": "string", "format": "binary"}},
                            },
                            "encoding": {"file": {"contentType": "application/pdf"}},
                        }
                    },
                },
                "responses": {
                    "200": _json(
                        "signatures, document_timestamps, issued_by_service",
                        _VERIFICATION,
                    ),
                    **_problem_responses(400, 401, 413, 414, 415, 422),
                },
            }
        },
    )


def _batch_and_client_paths(spec: APISpec) -> None:
    """Batches, webhook tests and redelivery, and the calling client's own settings."""
    security: list[dict[str, list[str]]] = [{"bearer": []}]
    spec.components.schema("BatchItem", schema=BatchItemSchema)
    spec.components.schema("BatchRequest", schema=BatchSchema)
    spec.components.schema("Ping", schema=PingSchema)
    spec.components.schema("SecretRotation", schema=SecretRotationSchema)
    item = spec.components.schemas["BatchItem"]["properties"]
    item["idempotency_key"]["description"] += (
        f"; 1 to {MAX_IDEMPOTENCY_KEY} visible ASCII characters, spaces only inside, unique within the "
        "batch (a key repeated in the batch, or one that breaks the pattern, is the item's problem)"
    )
    item["payload"] = {
        **_ref(ANY_PAYLOAD),
        "description": f"A document payload (the {ANY_PAYLOAD} schema), as POST /api/v1/documents takes "
        "it; checked on its own after the envelope: what it breaks is this item's problem, not a 422",
    }
    spec.path(
        path="/api/v1/batches",
        operations={
            "post": {
                "summary": "Create up to 1,000 documents at once (scope documents:write)",
                "description": "Each item is created as POST /api/v1/documents would, under its own "
                "idempotency_key. An item that breaks a rule is refused alone: its problem is in "
                "items[].problem and the other items go on. batch.completed goes to callback_url once "
                "every item is refused or its document is final.",
                "security": security,
                "x-rules-beyond-schema": "A callback_url that does not resolve to a public address "
                "answers 422. Each item is checked as a BatchItem (its key unique within the batch) and "
                "its payload as AnyDocumentPayload with its rules beyond schema (regime and period, what "
                "each type requires, scoring): what it breaks becomes that item's problem, not a 422.",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": "BatchRequest"}},
                },
                "responses": {
                    "202": _json("The batch, its items being processed", _ref("Batch")),
                    **_problem_responses(401, 403, 414, *_JSON_BODY),
                },
            }
        },
    )
    spec.path(
        path="/api/v1/batches/{batch_id}",
        operations={
            "get": {
                "summary": "A batch: counts by status and each item (scope documents:read)",
                "security": security,
                "parameters": [
                    {"name": "batch_id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {
                    "200": _json("The batch", _ref("Batch")),
                    **_problem_responses(401, 403, 404, 414),
                },
            }
        },
    )
    spec.path(
        path="/api/v1/webhooks/ping",
        operations={
            "post": {
                "summary": "Send a ping webhook to a URL, to test the receiver (scope documents:write)",
                "security": security,
                "x-rules-beyond-schema": "The url must resolve to a public address (422 naming url).",
                "requestBody": {"required": True, "content": {"application/json": {"schema": "Ping"}}},
                "responses": {
                    "202": _json(
                        "The ping is queued; GET …/webhooks does not list it (it has no document)",
                        _closed(
                            {
                                "delivery_id": {"type": "integer", "description": "Its X-SKP-Delivery"},
                                "url": {"type": "string"},
                            }
                        ),
                    ),
                    **_problem_responses(401, 403, 414, *_JSON_BODY),
                },
            }
        },
    )
    spec.path(
        path="/api/v1/documents/{document_id}/webhooks/{delivery_id}/redeliver",
        operations={
            "post": {
                "summary": "Send a delivery's body again as a new delivery (scope documents:write)",
                "security": security,
                "parameters": [
                    {"name": "document_id", "in": "path", "required": True, "schema": {"type": "string"}},
                    {
                        "name": "delivery_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                    },
                ],
                "responses": {
                    "202": _json("The new delivery", _ref("WebhookDelivery")),
                    **_problem_responses(401, 403, 404, 409, 414),
                },
            }
        },
    )
    spec.path(
        path="/api/v1/client/webhook-secret",
        operations={
            "post": {
                "summary": "Rotate the calling client's webhook secret (scope webhooks:manage)",
                "description": "A new secret signs every delivery from now on; until "
                "previous_valid_until deliveries carry a second signature with the old one "
                "(X-SKP-Signature: sha256=<new>,sha256=<old>), so a receiver can switch over.",
                "security": security,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": "SecretRotation"}},
                },
                "responses": {
                    "200": {
                        **_json(
                            "The new secret, shown this once",
                            _closed(
                                {
                                    "webhook_secret": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                                    "previous_valid_until": {
                                        **_TIME_OR_NULL,
                                        "description": "Until when the old secret signs too; null "
                                        "with grace_hours 0",
                                    },
                                }
                            ),
                        )
                    },
                    **_problem_responses(401, 403, 414, *_JSON_BODY),
                },
            }
        },
    )
    spec.path(
        path="/api/v1/client",
        operations={
            "get": {
                "summary": "The calling client: its scopes, instansi, key and webhook settings (any key)",
                "security": security,
                "responses": {
                    "200": _json(
                        "The client",
                        _closed(
                            {
                                "name": {"type": "string"},
                                "scopes": {
                                    "type": "array",
                                    "items": {"type": "string", "enum": list(SCOPES)},
                                },
                                "instansi": {
                                    "type": "array",
                                    "items": {"type": "string"},
                                    "description": "The instansi it serves; empty for every instansi",
                                },
                                "all_instansi": {
                                    "type": "boolean",
                                    "description": "It serves every instansi",
                                },
                                "key_prefix": {
                                    "type": "string",
                                    "description": "The start of the calling key",
                                },
                                "keys": {
                                    "type": "array",
                                    "description": "Its live (unrevoked, unexpired) keys",
                                    "items": _closed(
                                        {
                                            "key_prefix": {"type": "string"},
                                            "created_at": _TIME,
                                            "expires_at": _TIME_OR_NULL,
                                        }
                                    ),
                                },
                                "webhook_secret_rotated_at": {
                                    **_TIME_OR_NULL,
                                    "description": "Last rotation; null if never rotated",
                                },
                                "previous_secret_valid_until": {
                                    **_TIME_OR_NULL,
                                    "description": "Until when the old secret still signs",
                                },
                                "webhook_ca": {
                                    "type": "boolean",
                                    "description": "A CA of its own is set for its webhook receivers' TLS",
                                },
                            }
                        ),
                    ),
                    **_problem_responses(401, 414),
                },
            }
        },
    )


@bp.get("/openapi.json")
@require_scope()
def openapi_json() -> dict[str, Any]:
    return build_spec(get_services().urls.base)


def docs_page() -> str:
    """Human-readable API reference rendered on the server (no external scripts needed)."""
    spec = build_spec(get_services().urls.base)
    return render_template("api_docs.html", spec=spec)
