"""Payloads of the unit and coaching documents (api.md "Unit and coaching documents", forms.md §E).

Each type has its own schema, chosen by :func:`load_payload` from the body's ``type``; the per-person
forms keep :class:`~service.schemas.payload.DocumentPayloadSchema`. They share the envelope
(:class:`_Dokumen`: type, regime, periode, instansi, places and dates, callback URL) and its rule that
the regime is the period's; each type is issued only under the regimes that have its form
(:data:`~service.scoring.penandatangan.PENANDATANGAN`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from marshmallow import ValidationError, post_load, validates_schema

from service.schemas.base import BaseSchema, Kesalahan, daftar, diisi, objek
from service.schemas.fields import (
    MSG_WAJIB,
    Angka,
    Daftar,
    Email,
    Objek,
    Pilihan,
    Tanggal,
    Teks,
    UrlHttps,
    YaTidak,
)
from service.schemas.identitas import IdentitasSchema, PenilaiSchema, SertifikatSchema
from service.schemas.payload import DocumentPayloadSchema, PeriodeSchema
from service.scoring.identitas import jenis_golongan, periksa_golongan, periksa_nip, periksa_pangkat
from service.scoring.penandatangan import PENANDATANGAN
from service.scoring.permenpanrb_8_2021 import predikat_sesuai_nilai
from service.scoring.regime import regime_for_date
from service.scoring.vocabulary import (
    BENTUK_BIMBINGAN,
    CAPAIAN_ORGANISASI,
    COACHING_TYPES,
    DOCUMENT_TYPES,
    JAWABAN_UMPAN_BALIK,
    JENIS_JABATAN_PENILAI,
    JUMLAH_KRITERIA_UMPAN_BALIK,
    KATEGORI_KONSELOR,
    PEJABAT_NEGARA,
    PERMENPANRB_6_2022,
    PREDIKAT_PERMENPANRB_8_2021,
    RATING_PERMENPANRB_6_2022,
    REGIME_IDS,
    TINDAK_LANJUT_KONSELING,
    UNIT_TYPES,
)

__all__ = [
    "SCHEMAS",
    "CatatanBimbinganSchema",
    "KonselingSchema",
    "PenetapanPredikatSchema",
    "PeringkatSchema",
    "UmpanBalikBimbinganSchema",
    "load_payload",
]

#: The most pegawai one unit document lists (a unit of 500 is the issue's example; the body limit
#: of 2 MiB holds some 6,000 rows, so this is the bound that speaks first).
MAKS_PEGAWAI_UNIT = 2000

_FREE_TEXT = 5000


class _Dokumen(BaseSchema):
    """What every document carries besides its content: the same members as the per-person forms."""

    type = Pilihan("Jenis dokumen", (*UNIT_TYPES, *COACHING_TYPES), listed=DOCUMENT_TYPES, required=True)
    regime = Pilihan(
        "Regime; bila tidak diisi, regime yang berlaku pada periode.mulai", REGIME_IDS, allow_none=True
    )
    regime_override = YaTidak("Terima regime yang tidak sesuai periode", allow_none=True)
    periode = Objek(PeriodeSchema, "Periode penilaian", required=True)
    instansi = Teks("Nama instansi", max_length=300, required=True)
    unit_kerja = Teks("Unit kerja", max_length=300, allow_none=True)
    tempat = Teks("Tempat penandatanganan", max_length=100, allow_none=True)
    tanggal = Tanggal("Tanggal dokumen", allow_none=True)
    callback_url = UrlHttps(
        "URL https untuk webhook (aturan yang sama dengan dokumen per pegawai)", allow_none=True
    )

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _aturan_dokumen(self, data: dict[str, Any], original: Any, **_: Any) -> None:
        if not isinstance(original, Mapping):
            return
        errors = Kesalahan()
        regime = DocumentPayloadSchema._regime(data, errors)
        kind = data.get("type")
        if regime is not None and kind is not None:
            allowed = [r for r in REGIME_IDS if (r, kind) in PENANDATANGAN]
            if regime not in allowed:
                errors.tambah("type", f"{kind} hanya untuk regime {' dan '.join(allowed)}")
        self._aturan(data, original, regime, errors)
        errors.raise_if_any()

    def _aturan(
        self, data: Mapping[str, Any], original: Mapping[str, Any], regime: str | None, errors: Kesalahan
    ) -> None:
        """Rules joining several members, per type (none by default)."""

    @post_load
    def _isi_regime(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if data.get("regime") is None:
            data["regime"] = regime_for_date(data["periode"]["mulai"])
        return data


def _nip_ganda(rows: list[Any], errors: Kesalahan, path: str, *, pimpinan: tuple[str, Any] | None) -> None:
    """Each pegawai once per list, and the official who signs the list not among them (a list over
    its bound is refused by its own field, and not read further).
    """
    if len(rows) > MAKS_PEGAWAI_UNIT:
        return
    seen: set[str] = set()
    peran, orang = pimpinan or ("", None)
    nip_pimpinan = objek(orang).get("nip")
    for index, row in enumerate(rows):
        nip = objek(row).get("nip")
        if not isinstance(nip, str):
            continue
        if nip in seen:
            errors.tambah(f"{path}.{index}.nip", "NIP ganda dalam satu unit")
        seen.add(nip)
        if nip_pimpinan and nip == nip_pimpinan:
            errors.tambah(
                f"{path}.{index}.nip",
                f"sama dengan NIP {peran.replace('_', ' ')}, yang tidak ditetapkan di sini",
            )


class PenandatanganSchema(BaseSchema):
    """The official who signs a unit document: what the form prints of them (name, NIP, jabatan) and
    what signing needs (e-mail, certificate provider); a pejabat negara (a Bupati, a Menteri) may
    have no NIP and is then known by the NIK.
    """

    nama = Teks("Nama lengkap dengan gelar", max_length=200, required=True)
    nip = Teks(
        "NIP (18 angka); opsional bagi pejabat_negara, yang dikenali dari NIK", max_length=40, allow_none=True
    )
    nik = Teks("NIK (16 angka)", max_length=16, allow_none=True)
    jabatan = Teks("Nama jabatan (dicetak pada blok tanda tangan)", max_length=300, required=True)
    jenis_jabatan = Pilihan(
        "Jenis jabatan; pejabat_negara bagi pejabat politik tanpa NIP", JENIS_JABATAN_PENILAI, required=True
    )
    email = Email("Alamat email untuk tautan penandatanganan; tidak dicetak", allow_none=True)
    sertifikat = Objek(SertifikatSchema, "Penyedia sertifikat penanda tangan ini", allow_none=True)

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _nomor(self, data: dict[str, Any], original: Any, **_: Any) -> None:
        errors = Kesalahan()
        negara = objek(original).get("jenis_jabatan") == PEJABAT_NEGARA
        if not negara and not diisi(original, "nip"):
            errors.tambah("nip", MSG_WAJIB)
        if data.get("nip") is not None:
            for message in periksa_nip(data["nip"], pppk=None):
                errors.tambah("nip", message)
        if data.get("nik") is not None and not re.fullmatch(r"[0-9]{16}", data["nik"]):
            errors.tambah("nik", "harus 16 angka")
        errors.raise_if_any()


class _PegawaiUnit(BaseSchema):
    """A pegawai of the unit as a list prints them."""

    nama = Teks("Nama lengkap dengan gelar", max_length=200, required=True)
    nip = Teks("NIP atau NI PPPK (18 angka)", max_length=40, required=True)
    jabatan = Teks("Nama jabatan", max_length=300, required=True)
    pangkat = Teks("Pangkat (opsional; dari golongan bila tidak diisi)", max_length=100, allow_none=True)

    @validates_schema(skip_on_field_errors=False)
    def _nip(self, data: dict[str, Any], **_: Any) -> None:
        errors = Kesalahan()
        golongan = data.get("golongan")
        jenis = None if golongan is None else jenis_golongan(golongan)
        for message in periksa_golongan(golongan) if golongan is not None else []:
            errors.tambah("golongan", message)
        if "nip" in data:
            for message in periksa_nip(data["nip"], pppk=None if jenis is None else jenis == "pppk"):
                errors.tambah("nip", message)
        if data.get("pangkat") is not None:
            if golongan is None:
                errors.tambah("pangkat", "hanya bersama golongan (pangkat dicetak dengan golongannya)")
            for message in periksa_pangkat(golongan, data["pangkat"]):
                errors.tambah("pangkat", message)
        errors.raise_if_any()


class PegawaiPenetapanSchema(_PegawaiUnit):
    """One pegawai of a penetapan predikat: the two ratings the kuadran reads (6/2022)."""

    golongan = Teks("Golongan/ruang PNS atau golongan PPPK (opsional)", max_length=5, allow_none=True)
    rating_hasil_kerja = Pilihan("Rating hasil kerja", RATING_PERMENPANRB_6_2022, required=True)
    rating_perilaku_kerja = Pilihan("Rating perilaku kerja", RATING_PERMENPANRB_6_2022, required=True)


def _daftar_unit(row: type[_PegawaiUnit], description: str) -> Daftar:
    """A unit document's list of pegawai: one row each, at least one, at most :data:`MAKS_PEGAWAI_UNIT`."""
    return Daftar(Objek(row, "Pegawai"), description, minimum=1, maksimum=MAKS_PEGAWAI_UNIT, required=True)


class _DokumenUnit(_Dokumen):
    """A unit document: its list (``daftar_pegawai``) and the official who signs it (``_PENANDATANGAN``,
    the role of that member), who is not among those the list sets.
    """

    _PENANDATANGAN = ""

    def _aturan(
        self, data: Mapping[str, Any], original: Mapping[str, Any], regime: str | None, errors: Kesalahan
    ) -> None:
        peran = self._PENANDATANGAN
        _nip_ganda(
            daftar(original.get("daftar_pegawai")),
            errors,
            "daftar_pegawai",
            pimpinan=(peran, data.get(peran)),
        )


class PenetapanPredikatSchema(_DokumenUnit):
    """SE MenPANRB 3/2023 "Format Penetapan Predikat Kinerja" (forms.md E1), signed by the pimpinan
    yang berwenang; each pegawai's predikat comes from their two ratings (the kuadran), the
    distribution is checked against the pola of the capaian organisasi.
    """

    unit_kerja = Teks("Unit kerja atau satuan organisasi yang ditetapkan", max_length=300, required=True)
    capaian_organisasi = Pilihan(
        "Capaian kinerja organisasi, ditetapkan pimpinan organisasi di atasnya",
        CAPAIAN_ORGANISASI,
        required=True,
    )
    dasar_capaian = Teks(
        "Dasar penetapan capaian kinerja organisasi (mis. nomor keputusan atau hasil evaluasi)",
        max_length=1000,
        multiline=True,
        required=True,
    )
    pimpinan_yang_berwenang = Objek(
        PenandatanganSchema, "Pimpinan yang berwenang (penanda tangan)", required=True
    )
    daftar_pegawai = _daftar_unit(PegawaiPenetapanSchema, "Pegawai unit kerja")
    _PENANDATANGAN = "pimpinan_yang_berwenang"


class PegawaiPeringkatSchema(_PegawaiUnit):
    """One PNS of a pemeringkatan: the nilai and predikat of their dokumen penilaian kinerja."""

    golongan = Teks("Golongan/ruang PNS (I/a … IV/e)", max_length=5, required=True)
    nilai_kinerja = Angka(
        "Nilai kinerja pada dokumen penilaian kinerja", minimum=0, maksimum=120, required=True
    )
    predikat = Pilihan(
        "Predikat kinerja pada dokumen penilaian kinerja", PREDIKAT_PERMENPANRB_8_2021, required=True
    )

    @validates_schema(skip_on_field_errors=False)
    def _predikat(self, data: dict[str, Any], **_: Any) -> None:
        errors = Kesalahan()
        if jenis_golongan(data.get("golongan")) == "pppk":
            errors.tambah("golongan", "golongan PPPK hanya dikenal pada regime permenpanrb_6_2022")
        nilai, predikat = data.get("nilai_kinerja"), data.get("predikat")
        if nilai is not None and predikat is not None:
            problem = predikat_sesuai_nilai(nilai, predikat)
            if problem:
                errors.tambah("predikat", problem)
        errors.raise_if_any()


class PeringkatSchema(_DokumenUnit):
    """The yearly pemeringkatan kinerja of a unit's PNS (PP 30/2019 BAB VI, PermenPANRB 8/2021;
    forms.md E2), signed by the Pejabat yang Berwenang.
    """

    unit_kerja = Teks("Unit kerja yang diperingkat", max_length=300, required=True)
    pejabat_yang_berwenang = Objek(
        PenandatanganSchema, "Pejabat yang Berwenang (penanda tangan)", required=True
    )
    daftar_pegawai = _daftar_unit(PegawaiPeringkatSchema, "PNS unit kerja")
    _PENANDATANGAN = "pejabat_yang_berwenang"

    def _aturan(
        self, data: Mapping[str, Any], original: Mapping[str, Any], regime: str | None, errors: Kesalahan
    ) -> None:
        periode = objek(data.get("periode"))
        selesai = periode.get("selesai")
        if selesai is not None and (selesai.month, selesai.day) != (12, 31):
            errors.tambah("periode.selesai", "pemeringkatan kinerja tahunan: periode berakhir 31 Desember")
        # 8/2021 applies from 1 Juli 2021: its year is Juli–Desember 2021 (semester_ii), or a whole year.
        if periode.get("jenis") not in (None, "tahunan", "semester_ii"):
            errors.tambah(
                "periode.jenis", "pemeringkatan kinerja tahunan: tahunan (atau semester_ii pada 2021)"
            )
        super()._aturan(data, original, regime, errors)


class _Bimbingan(_Dokumen):
    """A record about one pegawai and their pejabat penilai; its unit kerja is the pegawai's (a
    top-level ``unit_kerja`` would be printed nowhere, so it is refused).
    """

    class Meta(_Dokumen.Meta):
        exclude = ("unit_kerja",)

    pegawai = Objek(IdentitasSchema, "Pegawai yang dinilai", required=True)
    pejabat_penilai = Objek(PenilaiSchema, "Pejabat penilai kinerja", required=True)

    #: The member holding the date of what the record is about (checked against the period).
    _ISI: tuple[str, str] = ("", "")

    def _aturan(
        self, data: Mapping[str, Any], original: Mapping[str, Any], regime: str | None, errors: Kesalahan
    ) -> None:
        self._tanggal(data, errors)
        pegawai = objek(data.get("pegawai"))
        penilai = objek(data.get("pejabat_penilai"))
        if penilai.get("jenis_jabatan") == PEJABAT_NEGARA and pegawai.get("jenis_jabatan") != "jpt":
            # As on the per-person forms (forms.md A1, B1): a political official assesses a JPT only.
            errors.tambah("pejabat_penilai.jenis_jabatan", "pejabat_negara hanya untuk penilai JPT")
        if jenis_golongan(pegawai.get("golongan")) == "pppk" and regime not in (None, PERMENPANRB_6_2022):
            errors.tambah("pegawai.golongan", "golongan PPPK hanya dikenal pada regime permenpanrb_6_2022")
        nip = pegawai.get("nip")
        for peran in ("pejabat_penilai", "konselor"):
            if nip and objek(data.get(peran)).get("nip") == nip:
                errors.tambah(f"{peran}.nip", "tidak boleh sama dengan NIP pegawai")

    def _tanggal(self, data: Mapping[str, Any], errors: Kesalahan) -> None:
        """What is recorded happened within the period, and the record is not dated before it."""
        member, key = self._ISI
        when = objek(data.get(member)).get(key)
        periode = objek(data.get("periode"))
        mulai, selesai = periode.get("mulai"), periode.get("selesai")
        if not isinstance(when, date):
            return
        if isinstance(mulai, date) and isinstance(selesai, date) and not mulai <= when <= selesai:
            errors.tambah(f"{member}.{key}", "harus di dalam periode")
        dibuat = data.get("tanggal")
        if isinstance(dibuat, date) and dibuat < when:
            errors.tambah("tanggal", f"tidak boleh sebelum {member}.{key}")


class PesertaSchema(BaseSchema):
    """Another pegawai of a group bimbingan (named on the record; each signs their own record)."""

    nama = Teks("Nama", max_length=200, required=True)
    nip = Teks("NIP atau NI PPPK", max_length=40, required=True)

    @validates_schema(skip_on_field_errors=False)
    def _nip(self, data: dict[str, Any], **_: Any) -> None:
        if "nip" in data and (messages := periksa_nip(data["nip"], pppk=None)):
            raise ValidationError(messages, "nip")


class BimbinganSchema(BaseSchema):
    """What PP 30/2019 asks the pejabat penilai to record of a bimbingan kinerja."""

    tanggal = Tanggal("Tanggal bimbingan", required=True)
    bentuk = Pilihan("Bentuk bimbingan", BENTUK_BIMBINGAN, required=True)
    peserta_lain = Daftar(
        Objek(PesertaSchema, "Peserta"), "Peserta lain bimbingan kelompok", maksimum=100, allow_none=True
    )
    topik = Teks("Permasalahan/topik", max_length=_FREE_TEXT, multiline=True, required=True)
    hasil = Teks("Hasil bimbingan", max_length=_FREE_TEXT, multiline=True, required=True)
    tindak_lanjut = Teks("Rencana tindak lanjut", max_length=_FREE_TEXT, multiline=True, required=True)
    batas_waktu = Tanggal("Batas waktu tindak lanjut", required=True)

    @validates_schema(skip_on_field_errors=False)
    def _aturan(self, data: dict[str, Any], **_: Any) -> None:
        errors = Kesalahan()
        tanggal, batas = data.get("tanggal"), data.get("batas_waktu")
        if tanggal is not None and batas is not None and batas < tanggal:
            errors.tambah("batas_waktu", "tidak boleh sebelum tanggal bimbingan")
        if data.get("peserta_lain") and data.get("bentuk") == "individu":
            errors.tambah("peserta_lain", "hanya untuk bimbingan kelompok")
        if not data.get("peserta_lain") and data.get("bentuk") == "kelompok":
            errors.tambah("peserta_lain", "wajib diisi untuk bimbingan kelompok (peserta selain pegawai ini)")
        errors.raise_if_any()


class CatatanBimbinganSchema(_Bimbingan):
    """The record of a bimbingan kinerja (PP 30/2019; forms.md E4, our layout): pejabat penilai, then
    pegawai sign.
    """

    bimbingan = Objek(BimbinganSchema, "Rekaman proses bimbingan", required=True)
    _ISI = ("bimbingan", "tanggal")

    def _aturan(
        self, data: Mapping[str, Any], original: Mapping[str, Any], regime: str | None, errors: Kesalahan
    ) -> None:
        super()._aturan(data, original, regime, errors)
        peserta = daftar(objek(original.get("bimbingan")).get("peserta_lain"))
        others = {
            objek(data.get(peran)).get("nip"): peran.replace("_", " ")
            for peran in ("pejabat_penilai", "pegawai")  # the pegawai named first when both share it
        }
        seen: set[str] = set()
        for index, row in enumerate(peserta):
            nip = objek(row).get("nip")
            if not isinstance(nip, str):
                continue
            if nip in others:
                errors.tambah(f"bimbingan.peserta_lain.{index}.nip", f"sama dengan NIP {others[nip]}")
            elif nip in seen:
                errors.tambah(f"bimbingan.peserta_lain.{index}.nip", "NIP ganda")
            seen.add(nip)


class UmpanBalikSchema(BaseSchema):
    """The pegawai's answers to FORMAT B.1.8, one per criterion, in the form's order."""

    tanggal_bimbingan = Tanggal("Tanggal bimbingan kinerja yang diberi umpan balik", required=True)
    jawaban = Daftar(
        Pilihan("Jawaban", JAWABAN_UMPAN_BALIK),
        f"Jawaban atas {JUMLAH_KRITERIA_UMPAN_BALIK} kriteria umpan balik, berurutan",
        minimum=JUMLAH_KRITERIA_UMPAN_BALIK,
        maksimum=JUMLAH_KRITERIA_UMPAN_BALIK,
        required=True,
    )
    catatan = Teks("Catatan pegawai", max_length=_FREE_TEXT, multiline=True, allow_none=True)


class UmpanBalikBimbinganSchema(_Bimbingan):
    """PermenPANRB 6/2022 FORMAT B.1.8 (forms.md E3), signed by the pegawai alone."""

    umpan_balik = Objek(UmpanBalikSchema, "Umpan balik pegawai", required=True)
    _ISI = ("umpan_balik", "tanggal_bimbingan")


class KonselorSchema(IdentitasSchema):
    """Who gave the konseling (PermenPANRB 8/2021: an independent konselor, a trained pejabat
    penilai, or an official whose function it is); signs with their own key, so an ASN with a NIP.
    """

    kategori = Pilihan("Kategori konselor", KATEGORI_KONSELOR, required=True)


class KonselingIsiSchema(BaseSchema):
    """The "rekaman informasi hasil konseling" of the Format Pelaksanaan Konseling Kinerja."""

    tanggal = Tanggal("Tanggal konseling", required=True)
    permasalahan = Teks("Permasalahan perilaku kerja", max_length=_FREE_TEXT, multiline=True, required=True)
    hasil = Teks("Hasil konseling", max_length=_FREE_TEXT, multiline=True, required=True)
    tindak_lanjut = Daftar(
        Pilihan("Tindak lanjut", TINDAK_LANJUT_KONSELING),
        "Tindak lanjut (satu atau lebih)",
        minimum=1,
        maksimum=len(TINDAK_LANJUT_KONSELING),
        required=True,
    )
    uraian_tindak_lanjut = Teks(
        "Uraian tindak lanjut", max_length=_FREE_TEXT, multiline=True, allow_none=True
    )

    @validates_schema(skip_on_field_errors=False)
    def _sekali(self, data: dict[str, Any], **_: Any) -> None:
        chosen = data.get("tindak_lanjut") or []
        if len(set(chosen)) != len(chosen):
            raise ValidationError("setiap tindak lanjut paling banyak sekali", "tindak_lanjut")


class KonselingSchema(_Bimbingan):
    """The Format Pelaksanaan Konseling Kinerja (PermenPANRB 8/2021; forms.md E4, our layout), filled
    and signed by the konselor; confidential (api.md).
    """

    pejabat_penilai = Objek(
        PenilaiSchema, "Pejabat penilai kinerja (dicetak; tidak menandatangani)", allow_none=True
    )
    konselor = Objek(KonselorSchema, "Konselor (penanda tangan)", required=True)
    konseling = Objek(KonselingIsiSchema, "Rekaman hasil konseling", required=True)
    _ISI = ("konseling", "tanggal")

    def _aturan(
        self, data: Mapping[str, Any], original: Mapping[str, Any], regime: str | None, errors: Kesalahan
    ) -> None:
        super()._aturan(data, original, regime, errors)
        konselor, penilai = objek(data.get("konselor")), objek(data.get("pejabat_penilai"))
        trained = konselor.get("kategori") == "pejabat_penilai_terlatih"
        if trained and penilai.get("nip") not in (None, konselor.get("nip")):
            errors.tambah(
                "konselor.nip", "konselor berkategori pejabat_penilai_terlatih adalah pejabat penilai ini"
            )


#: The schema of each unit and coaching type.
SCHEMAS: Mapping[str, type[_Dokumen]] = {
    "penetapan_predikat": PenetapanPredikatSchema,
    "peringkat": PeringkatSchema,
    "catatan_bimbingan": CatatanBimbinganSchema,
    "umpan_balik_bimbingan": UmpanBalikBimbinganSchema,
    "konseling": KonselingSchema,
}
_INSTANCES = {kind: schema() for kind, schema in SCHEMAS.items()}
_PERSON = DocumentPayloadSchema()


def load_payload(body: Any) -> dict[str, Any]:
    """Validate a document payload by its ``type``: the unit and coaching types by their own schema,
    anything else (the per-person forms, or a missing or unknown type, which that schema reports
    with every other problem) by :class:`DocumentPayloadSchema`.

    :raises marshmallow.ValidationError: as the schemas do.
    """
    kind = body.get("type") if isinstance(body, Mapping) else None
    schema = _INSTANCES.get(kind) if isinstance(kind, str) else None
    loaded: dict[str, Any] = (schema or _PERSON).load(body)
    return loaded
