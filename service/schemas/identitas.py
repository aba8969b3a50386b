"""Identity of the pegawai and of the officials who assess and sign (rules.md §5)."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import validates_schema

from service.schemas.base import BaseSchema, Kesalahan, diisi, objek
from service.schemas.fields import MSG_WAJIB, Email, Objek, Pilihan, Teks
from service.scoring.identitas import jenis_golongan, periksa_golongan, periksa_nip, periksa_pangkat
from service.scoring.vocabulary import JENIS_JABATAN, JENIS_JABATAN_PENILAI, PEJABAT_NEGARA, PENYEDIA

__all__ = ["JENIS_JABATAN", "PENYEDIA", "IdentitasSchema", "PenilaiSchema", "SertifikatSchema"]

_NIK = re.compile(r"[0-9]{16}")
_NIP_TEXT = (
    "NIP PNS (18 angka: tanggal lahir YYYYMMDD, TMT CPNS YYYYMM, jenis kelamin 1/2, nomor urut) "
    "atau NI PPPK (angka 13–14 = 21)"
)
_GOLONGAN_TEXT = "Golongan/ruang PNS (I/a … IV/e) atau golongan PPPK (I … XVII)"

# JENIS_JABATAN (the first three are struktural: rated on kepemimpinan) is the vocabulary's, re-exported.


class SertifikatSchema(BaseSchema):
    """Which certificate provider signs for this person; without it the instance default applies."""

    penyedia = Pilihan(
        "Penyedia sertifikat: instansi (CA layanan ini), p12 (berkas sendiri), bsre (BSrE), csc (CSC)",
        PENYEDIA,
        required=True,
    )
    nik = Teks(
        "NIK (16 angka) yang dikenal BSrE; bila kosong dipakai nik identitas", max_length=16, allow_none=True
    )
    credential_id = Teks(
        "ID kredensial pada penyedia CSC; bila kosong dicari dari NIK atau NIP pada sertifikat",
        max_length=200,
        allow_none=True,
    )

    @validates_schema(skip_on_field_errors=True)
    def _nik(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("nik") is not None and not _NIK.fullmatch(data["nik"]):
            errors = Kesalahan()
            errors.tambah("nik", "harus 16 angka")
            errors.raise_if_any()


class IdentitasSchema(BaseSchema):
    """A person on the form: the pegawai, the pejabat penilai or the atasan pejabat penilai."""

    nama = Teks("Nama lengkap dengan gelar", max_length=200, required=True)
    nip = Teks(_NIP_TEXT, max_length=40, required=True)
    nik = Teks(
        "NIK (16 angka); dipakai sebagai pengenal penanda tangan bila tidak ber-NIP (pejabat negara)",
        max_length=16,
        allow_none=True,
    )
    pangkat = Teks(
        "Pangkat PNS sesuai golongan/ruang (mis. Penata Muda untuk III/a); PPPK tidak berpangkat",
        max_length=100,
        allow_none=True,
    )
    golongan = Teks(_GOLONGAN_TEXT, max_length=5, required=True)
    jabatan = Teks("Nama jabatan", max_length=300, required=True)
    jenis_jabatan = Pilihan(
        "Jenis jabatan; jpt, administrator dan pengawas adalah struktural", JENIS_JABATAN, required=True
    )
    unit_kerja = Teks("Unit kerja", max_length=300, required=True)
    email = Email("Alamat email untuk tautan penandatanganan; tidak dicetak", allow_none=True)
    sertifikat = Objek(
        SertifikatSchema,
        "Penyedia sertifikat penanda tangan ini (bawaan: pengaturan layanan)",
        allow_none=True,
    )

    @validates_schema(skip_on_field_errors=False)
    def _nip_golongan_pangkat(self, data: dict[str, Any], **_: Any) -> None:
        errors = Kesalahan()
        if data.get("nik") is not None and not _NIK.fullmatch(data["nik"]):
            errors.tambah("nik", "harus 16 angka")
        golongan = data.get("golongan")
        if golongan is not None:
            for message in periksa_golongan(golongan):
                errors.tambah("golongan", message)
        jenis = jenis_golongan(golongan)
        if data.get("nip") is not None:
            for message in periksa_nip(data["nip"], pppk=None if jenis is None else jenis == "pppk"):
                errors.tambah("nip", message)
        if data.get("pangkat") is not None:
            for message in periksa_pangkat(golongan, data["pangkat"]):
                errors.tambah("pangkat", message)
        errors.raise_if_any()


class PenilaiSchema(IdentitasSchema):
    """The pejabat penilai or the atasan pejabat penilai: also a political official (``pejabat_negara``:
    a Menteri, Kepala Daerah, … assessing a JPT) who has no NIP, pangkat or golongan (api.md, forms.md A1).
    """

    nip = Teks(_NIP_TEXT + "; opsional bagi pejabat_negara", max_length=40, allow_none=True)
    golongan = Teks(_GOLONGAN_TEXT + "; opsional bagi pejabat_negara", max_length=5, allow_none=True)
    jenis_jabatan = Pilihan(
        "Jenis jabatan; jpt, administrator dan pengawas adalah struktural; pejabat_negara bagi pejabat "
        "politik (Menteri, Kepala Daerah, …) yang menilai JPT",
        JENIS_JABATAN_PENILAI,
        required=True,
    )

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _wajib_kecuali_pejabat_negara(self, data: dict[str, Any], original: Any, **_: Any) -> None:
        if objek(original).get("jenis_jabatan") in (None, PEJABAT_NEGARA):
            return
        errors = Kesalahan()
        for key in ("nip", "golongan"):
            if not diisi(original, key):
                errors.tambah(key, MSG_WAJIB)
        errors.raise_if_any()
