"""The document payload of api.md, shared by ``POST /api/v1/scores`` and ``POST /api/v1/documents``.

``DocumentPayloadSchema().load(body)`` returns the validated dict of docs/architecture.md: Decimals,
dates, ``regime`` always present, keys not sent absent. The regime-specific ``skp`` and
``perilaku_kerja`` are validated by the schema of the regime the payload resolves to (the given
``regime``, else the one of ``periode.mulai``); rules that join several parts of the payload (regime
against period, what each document type requires, kepemimpinan against the jabatan) live in
:meth:`DocumentPayloadSchema._aturan_dokumen` and report the exact path of the offending field.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validates_schema

from service.schemas import permenpanrb_6_2022 as p6
from service.schemas import permenpanrb_8_2021 as p8
from service.schemas import pp46_2011 as p46
from service.schemas.base import BaseSchema, Kesalahan, daftar, diisi, kosong, objek
from service.schemas.fields import (
    Angka,
    Messages,
    Objek,
    Pesan,
    Pilihan,
    Tanggal,
    Teks,
    UrlHttps,
    YaTidak,
    parse_tanggal,
)
from service.schemas.identitas import IdentitasSchema, PenilaiSchema
from service.scoring.identitas import jenis_golongan
from service.scoring.permenpanrb_6_2022 import KOEFISIEN_TAHUNAN
from service.scoring.regime import PeriodeError, PeriodeTransisiError, regime_for_date, regime_for_period
from service.scoring.vocabulary import (
    ASSESSMENT_TYPES,
    CAPAIAN_ORGANISASI,
    DOCUMENT_TYPES,
    JABATAN_STRUKTURAL,
    JENIS_PERIODE_IDS,
    KELOMPOK_SURVEI,
    PEJABAT_NEGARA,
    PERMENPANRB_6_2022,
    PERMENPANRB_8_2021,
    PERSON_TYPES,
    PP46_2011,
    RATING_PERMENPANRB_6_2022,
    REGIME_IDS,
    SIGNING_ORDER,
)

__all__ = [
    "JENIS_PERIODE",
    "TYPES",
    "AngkaKreditSchema",
    "DocumentPayloadSchema",
    "EvaluasiSchema",
    "PerRegime",
    "PeriodeSchema",
    "ScoreRequestSchema",
    "regime_mentah",
]

#: Document types: plans (skp, manual_iku) and assessments with realisasi (evaluasi, dokumen_penilaian).
TYPES = DOCUMENT_TYPES

#: The months (1–12) each period kind (:data:`~service.scoring.vocabulary.JENIS_PERIODE_IDS`, same
#: order) may span; ``bulanan`` is any single month.
JENIS_PERIODE: Mapping[str, tuple[int, int]] = {
    "tahunan": (1, 12),
    "semester_i": (1, 6),
    "semester_ii": (7, 12),
    "triwulan_i": (1, 3),
    "triwulan_ii": (4, 6),
    "triwulan_iii": (7, 9),
    "triwulan_iv": (10, 12),
    "bulanan": (1, 12),
}

_MSG_STRUKTURAL_WAJIB = "wajib diisi untuk jabatan struktural (JPT, administrator, pengawas)"
_MSG_STRUKTURAL_SAJA = "hanya dinilai untuk jabatan struktural (JPT, administrator, pengawas)"


def regime_mentah(data: Mapping[str, Any] | None) -> str | None:
    """The regime a raw (not yet validated) payload resolves to, or ``None`` when it cannot tell.

    The given ``regime`` when it is a known id, else the regime of ``periode.mulai``. When this is
    ``None`` the ``regime`` or ``periode`` field itself is in error, so the load fails anyway.
    """
    if not isinstance(data, Mapping):
        return None
    regime = data.get("regime")
    if isinstance(regime, str) and regime in REGIME_IDS:
        return regime
    if not kosong(regime):  # blank text is "not given", as the field itself reads it
        return None
    periode = data.get("periode")
    mulai = parse_tanggal(periode.get("mulai")) if isinstance(periode, Mapping) else None
    return None if mulai is None else regime_for_date(mulai)


class PerRegime(Pesan, fields.Field):  # type: ignore[type-arg]
    """A nested object whose schema depends on the payload's regime (see :func:`regime_mentah`).

    :param schemas: regime id → schema class; ``schemas`` is kept public for the OpenAPI document.
    """

    default_error_messages: Messages = {}  # noqa: RUF012

    def __init__(self, schemas: Mapping[str, type[Schema]], description: str, **kwargs: Any) -> None:
        self.schemas = dict(schemas)
        self._instances = {regime: schema() for regime, schema in self.schemas.items()}
        names = ", ".join(f"{regime}: {schema.__name__}" for regime, schema in self.schemas.items())
        super().__init__(
            metadata={
                "description": f"{description} Skema menurut regime ({names}).",
                "type": "object",
                "x-skema-per-regime": {r: s.__name__ for r, s in self.schemas.items()},
            },
            **kwargs,
        )

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> Any:
        regime = regime_mentah(data)
        if regime is None:
            raise ValidationError("tidak dapat diperiksa sebelum regime atau periode.mulai benar")
        return self._instances[regime].load(value)


class PeriodeSchema(BaseSchema):
    """The assessed period; its kind fixes which months it may span (all within one calendar year)."""

    mulai = Tanggal("Tanggal mulai periode (menentukan regime)", required=True)
    selesai = Tanggal("Tanggal selesai periode (inklusif)", required=True)
    jenis = Pilihan("Jenis periode", JENIS_PERIODE_IDS, required=True)

    @validates_schema(skip_on_field_errors=False)
    def _rentang(self, data: dict[str, Any], **_: Any) -> None:
        mulai, selesai, jenis = data.get("mulai"), data.get("selesai"), data.get("jenis")
        if mulai is None or selesai is None:
            return
        if selesai < mulai:
            raise ValidationError("tidak boleh sebelum tanggal mulai", "selesai")
        if jenis is None:
            return
        awal, akhir = JENIS_PERIODE[jenis]
        same_span = mulai.year == selesai.year and awal <= mulai.month and selesai.month <= akhir
        if jenis == "bulanan":
            same_span = same_span and mulai.month == selesai.month
        if not same_span:
            raise ValidationError(f"tanggal mulai dan selesai tidak sesuai dengan periode {jenis}", "jenis")


class EvaluasiSchema(BaseSchema):
    """The pejabat penilai's evaluation; the ratings and capaian organisasi are PermenPANRB 6/2022 only."""

    capaian_organisasi = Pilihan("Capaian kinerja organisasi (6/2022)", CAPAIAN_ORGANISASI, allow_none=True)
    rating_hasil_kerja = Pilihan("Rating hasil kerja (6/2022)", RATING_PERMENPANRB_6_2022, allow_none=True)
    rating_perilaku_kerja = Pilihan(
        "Rating perilaku kerja (6/2022)", RATING_PERMENPANRB_6_2022, allow_none=True
    )
    umpan_balik = Teks("Umpan balik", max_length=5000, multiline=True, allow_none=True)
    permasalahan = Teks("Permasalahan kinerja", max_length=5000, multiline=True, allow_none=True)
    rekomendasi = Teks("Rekomendasi", max_length=5000, multiline=True, allow_none=True)
    catatan = Teks("Catatan", max_length=5000, multiline=True, allow_none=True)
    keterangan = Teks(
        "Keterangan pejabat penilai pada penilaian SKP (permenpanrb_8_2021, opsional)",
        max_length=5000,
        multiline=True,
        allow_none=True,
    )


class AngkaKreditSchema(BaseSchema):
    """Angka kredit from the predikat, for jabatan fungsional (6/2022)."""

    jenjang = Pilihan("Jenjang jabatan fungsional", tuple(KOEFISIEN_TAHUNAN), required=True)
    bulan = Angka(
        "Bulan dalam periode (0 < bulan ≤ 12)", minimum=0, lebih_dari=True, maksimum=12, allow_none=True
    )


_SKP = {
    PP46_2011: p46.SkpPP46Schema,
    PERMENPANRB_8_2021: p8.SkpPermenPANRB8Schema,
    PERMENPANRB_6_2022: p6.SkpPermenPANRB6Schema,
}
_PERILAKU = {
    PP46_2011: p46.PerilakuKerjaPP46Schema,
    PERMENPANRB_8_2021: p8.PerilakuKerjaPermenPANRB8Schema,
    PERMENPANRB_6_2022: p6.PerilakuKerjaPermenPANRB6Schema,
}


class DocumentPayloadSchema(BaseSchema):
    """A document payload (api.md "Document payload"); ``load`` returns the dict of docs/architecture.md."""

    type = Pilihan("Jenis dokumen (per pegawai)", PERSON_TYPES, listed=DOCUMENT_TYPES, required=True)
    regime = Pilihan(
        "Regime; bila tidak diisi, regime yang berlaku pada periode.mulai", REGIME_IDS, allow_none=True
    )
    regime_override = YaTidak("Terima regime yang tidak sesuai periode", allow_none=True)
    periode = Objek(PeriodeSchema, "Periode penilaian", required=True)
    instansi = Teks("Nama instansi", max_length=300, required=True)
    unit_kerja = Teks("Unit kerja", max_length=300, allow_none=True)
    tempat = Teks("Tempat penandatanganan", max_length=100, allow_none=True)
    tanggal = Tanggal("Tanggal dokumen", allow_none=True)
    pegawai = Objek(IdentitasSchema, "Pegawai yang dinilai", required=True)
    pejabat_penilai = Objek(PenilaiSchema, "Pejabat penilai kinerja", required=True)
    atasan_pejabat_penilai = Objek(
        PenilaiSchema,
        "Atasan pejabat penilai; wajib untuk dokumen_penilaian dan evaluasi pp46_2011",
        allow_none=True,
    )
    skp = PerRegime(_SKP, "Sasaran kinerja pegawai.", required=True)
    perilaku_kerja = PerRegime(
        _PERILAKU,
        "Perilaku kerja; wajib untuk evaluasi dan dokumen_penilaian pp46_2011 dan permenpanrb_8_2021.",
        allow_none=True,
    )
    evaluasi = Objek(EvaluasiSchema, "Evaluasi pejabat penilai", allow_none=True)
    ide_baru = Teks(
        "Ide baru yang bermanfaat bagi organisasi/negara (permenpanrb_8_2021, syarat Sangat Baik)",
        max_length=5000,
        multiline=True,
        allow_none=True,
    )
    angka_kredit = Objek(
        AngkaKreditSchema,
        "Angka kredit dari predikat (permenpanrb_6_2022, jabatan fungsional)",
        allow_none=True,
    )
    callback_url = UrlHttps(
        "URL https untuk webhook; host-nya harus alamat publik (atau di jaringan yang diizinkan "
        "instansi, SKP_WEBHOOK_ALLOW_NETWORKS), diperiksa saat diterima dan sebelum setiap pengiriman",
        allow_none=True,
    )

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _aturan_dokumen(self, data: dict[str, Any], original: Any, **_: Any) -> None:
        if not isinstance(original, Mapping):
            return
        errors = Kesalahan()
        regime = self._regime(data, errors)
        kind = data.get("type")
        if regime is not None:
            self._bidang_regime(data, original, regime, kind, errors)
            if kind is not None:
                self._wajib_per_type(original, regime, kind, errors)
            self._kepemimpinan(data, original, regime, errors)
            self._perspektif_jpt(data, original, regime, errors)
            self._kolom_8_2021(data, original, regime, errors)
        self._identitas(data, regime, errors)
        errors.raise_if_any()

    @staticmethod
    def _regime(data: Mapping[str, Any], errors: Kesalahan) -> str | None:
        """Check the given regime against the period; return the regime the payload resolves to."""
        periode = objek(data.get("periode"))
        mulai, selesai = periode.get("mulai"), periode.get("selesai")
        given = data.get("regime")
        if not isinstance(mulai, date) or not isinstance(selesai, date):
            return given if isinstance(given, str) else None
        try:
            fitting = regime_for_period(mulai, selesai)
        except PeriodeTransisiError as error:
            errors.tambah("periode", error.message)
            fitting = regime_for_date(mulai)
        except PeriodeError:  # selesai before mulai: PeriodeSchema has said so
            fitting = regime_for_date(mulai)
        if given is None:
            if data.get("regime_override"):
                errors.tambah("regime_override", "hanya bermakna bila regime diisi")
            return fitting
        if given != fitting and not data.get("regime_override"):
            errors.tambah(
                "regime",
                f"tidak sesuai dengan periode yang dimulai {mulai.isoformat()} (regime {fitting}); "
                "isi regime_override: true bila memang disengaja",
            )
        return str(given)

    @staticmethod
    def _bidang_regime(
        data: Mapping[str, Any], original: Mapping[str, Any], regime: str, kind: str | None, errors: Kesalahan
    ) -> None:
        """Fields that belong to one regime only are refused elsewhere instead of silently ignored."""
        if kind == "manual_iku" and regime != PERMENPANRB_6_2022:
            errors.tambah("type", "manual_iku hanya untuk regime permenpanrb_6_2022")
        if diisi(original, "ide_baru") and regime != PERMENPANRB_8_2021:
            errors.tambah("ide_baru", "hanya untuk regime permenpanrb_8_2021")
        if diisi(original, "angka_kredit"):
            if regime != PERMENPANRB_6_2022:
                errors.tambah(
                    "angka_kredit",
                    "hanya untuk regime permenpanrb_6_2022; pada pp46_2011 isi angka_kredit per kegiatan",
                )
            elif objek(data.get("pegawai")).get("jenis_jabatan") not in (None, "fungsional"):
                errors.tambah("angka_kredit", "hanya untuk jabatan fungsional")
        evaluasi = objek(original.get("evaluasi"))
        if regime != PERMENPANRB_6_2022:
            for key in ("capaian_organisasi", "rating_hasil_kerja", "rating_perilaku_kerja"):
                if diisi(evaluasi, key):
                    errors.tambah(f"evaluasi.{key}", "hanya untuk regime permenpanrb_6_2022")
        if regime != PERMENPANRB_8_2021 and diisi(evaluasi, "keterangan"):
            errors.tambah("evaluasi.keterangan", "hanya untuk regime permenpanrb_8_2021")

    @staticmethod
    def _wajib_per_type(original: Mapping[str, Any], regime: str, kind: str, errors: Kesalahan) -> None:
        """What each document type needs, read from the raw input so that a missing piece is reported
        even when its neighbours have errors of their own.
        """
        penilaian = kind in ASSESSMENT_TYPES
        atasan_wajib = kind == "dokumen_penilaian" or (kind == "evaluasi" and regime == PP46_2011)
        if atasan_wajib and not diisi(original, "atasan_pejabat_penilai"):
            errors.tambah(
                "atasan_pejabat_penilai",
                f"wajib diisi untuk {kind} regime {regime}"
                if kind == "evaluasi"
                else "wajib diisi untuk dokumen_penilaian",
            )
        skp = objek(original.get("skp"))
        if penilaian and regime in (PP46_2011, PERMENPANRB_8_2021) and not diisi(original, "perilaku_kerja"):
            errors.tambah("perilaku_kerja", f"wajib diisi untuk {kind}")
        rows_key = {
            PP46_2011: "kegiatan",
            PERMENPANRB_8_2021: "kinerja_utama",
            PERMENPANRB_6_2022: "hasil_kerja",
        }[regime]
        for index, row in enumerate(daftar(skp.get(rows_key))):
            if not isinstance(row, Mapping):
                continue
            if penilaian and not diisi(row, "realisasi"):
                errors.tambah(f"skp.{rows_key}.{index}.realisasi", f"wajib diisi untuk {kind}")
            if kind == "manual_iku" and not diisi(row, "manual_iku"):
                errors.tambah(f"skp.{rows_key}.{index}.manual_iku", "wajib diisi untuk dokumen manual_iku")
        if penilaian and regime == PERMENPANRB_6_2022:
            evaluasi = original.get("evaluasi")
            if evaluasi is None:
                errors.tambah("evaluasi", f"wajib diisi untuk {kind}")
            elif isinstance(evaluasi, Mapping):
                for key in ("rating_hasil_kerja", "rating_perilaku_kerja", "capaian_organisasi"):
                    if not diisi(evaluasi, key):
                        errors.tambah(f"evaluasi.{key}", f"wajib diisi untuk {kind}")

    @staticmethod
    def _kepemimpinan(
        data: Mapping[str, Any], original: Mapping[str, Any], regime: str, errors: Kesalahan
    ) -> None:
        """Kepemimpinan is rated exactly for jabatan struktural (rules.md §2, §3)."""
        jenis = objek(data.get("pegawai")).get("jenis_jabatan")
        perilaku = objek(original.get("perilaku_kerja"))
        if jenis is None or not perilaku:
            return
        raters: list[tuple[str, Any]] = []
        if regime == PP46_2011:
            raters = [("perilaku_kerja", perilaku)]
        elif regime == PERMENPANRB_8_2021:
            raters = [("perilaku_kerja.atasan", perilaku.get("atasan"))]
            if perilaku.get("mode") == "survei":
                for group in KELOMPOK_SURVEI:
                    rows = enumerate(daftar(perilaku.get(group)))
                    raters += [(f"perilaku_kerja.{group}.{i}", rater) for i, rater in rows]
        struktural = jenis in JABATAN_STRUKTURAL
        for path, rater in raters:
            if not isinstance(rater, Mapping):
                continue
            if struktural and not diisi(rater, "kepemimpinan"):
                errors.tambah(f"{path}.kepemimpinan", _MSG_STRUKTURAL_WAJIB)
            elif not struktural and diisi(rater, "kepemimpinan"):
                errors.tambah(f"{path}.kepemimpinan", _MSG_STRUKTURAL_SAJA)

    @staticmethod
    def _perspektif_jpt(
        data: Mapping[str, Any], original: Mapping[str, Any], regime: str, errors: Kesalahan
    ) -> None:
        """A JPT's hasil kerja each sit in one of the four perspektif (rules.md §4)."""
        if regime != PERMENPANRB_6_2022 or objek(data.get("pegawai")).get("jenis_jabatan") != "jpt":
            return
        for index, row in enumerate(daftar(objek(original.get("skp")).get("hasil_kerja"))):
            if isinstance(row, Mapping) and not diisi(row, "perspektif"):
                errors.tambah(f"skp.hasil_kerja.{index}.perspektif", "wajib diisi untuk JPT")

    @staticmethod
    def _kolom_8_2021(
        data: Mapping[str, Any], original: Mapping[str, Any], regime: str, errors: Kesalahan
    ) -> None:
        """8/2021 columns belong to one layout: perspektif to the JPT form, the intervened rencana
        kinerja, aspek and model pengembangan to the JA/JF forms (forms.md B1/B2); a value the chosen
        form has no column for is refused instead of silently left off.
        """
        if regime != PERMENPANRB_8_2021:
            return
        jenis = objek(data.get("pegawai")).get("jenis_jabatan")
        if jenis is None:
            return
        jpt = jenis == "jpt"
        skp = objek(original.get("skp"))
        if jpt and skp.get("model") == "pengembangan":
            errors.tambah("skp.model", "model pengembangan hanya untuk JA/JF (FORMAT D.2.2/D.2.3), bukan JPT")
        own, others = ("perspektif",), ("rencana_kinerja_atasan", "aspek")
        refused = others if jpt else own
        for index, row in enumerate(daftar(skp.get("kinerja_utama"))):
            if not isinstance(row, Mapping):
                continue
            for key in refused:
                if diisi(row, key):
                    errors.tambah(
                        f"skp.kinerja_utama.{index}.{key}",
                        "hanya untuk JA/JF" if jpt else "hanya untuk JPT",
                    )

    @staticmethod
    def _identitas(data: Mapping[str, Any], regime: str | None, errors: Kesalahan) -> None:
        """PPPK only from PermenPANRB 6/2022 on (rules.md §5); nobody assesses themselves."""
        pegawai = objek(data.get("pegawai"))
        pppk = jenis_golongan(pegawai.get("golongan")) == "pppk"
        if pppk and regime is not None and regime != PERMENPANRB_6_2022:
            errors.tambah("pegawai.golongan", "golongan PPPK hanya dikenal pada regime permenpanrb_6_2022")
        for role in SIGNING_ORDER[1:]:
            negara = objek(data.get(role)).get("jenis_jabatan") == PEJABAT_NEGARA
            if negara and (pegawai.get("jenis_jabatan") != "jpt" or regime == PP46_2011):
                # forms.md A1, B1: only the penilai of a JPT under 8/2021 or 6/2022 may be political.
                errors.tambah(
                    f"{role}.jenis_jabatan",
                    "pejabat_negara hanya untuk penilai JPT pada permenpanrb_8_2021 dan permenpanrb_6_2022",
                )
        seen: dict[str, str] = {}
        for role in SIGNING_ORDER:
            nip = objek(data.get(role)).get("nip")
            if nip is None:
                continue
            if nip in seen:
                errors.tambah(f"{role}.nip", f"tidak boleh sama dengan NIP {seen[nip].replace('_', ' ')}")
            else:
                seen[nip] = role

    @post_load
    def _isi_regime(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if data.get("regime") is None:
            data["regime"] = regime_for_date(data["periode"]["mulai"])
        return data


class ScoreRequestSchema(DocumentPayloadSchema):
    """Body of ``POST /api/v1/scores``: the same payload (contact data such as ``email`` is accepted and
    plays no part in scoring).
    """
