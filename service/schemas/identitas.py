"""Identity of the pegawai and of the officials who assess and sign (rules.md §5)."""

from __future__ import annotations

from typing import Any

from marshmallow import validates_schema

from service.schemas.base import BaseSchema, Kesalahan
from service.schemas.fields import Email, Pilihan, Teks
from service.scoring.identitas import jenis_golongan, periksa_golongan, periksa_nip, periksa_pangkat
from service.scoring.vocabulary import JENIS_JABATAN

__all__ = ["JENIS_JABATAN", "IdentitasSchema"]

# JENIS_JABATAN (the first three are struktural: rated on kepemimpinan) is the vocabulary's, re-exported.


class IdentitasSchema(BaseSchema):
    """A person on the form: the pegawai, the pejabat penilai or the atasan pejabat penilai."""

    nama = Teks("Nama lengkap dengan gelar", max_length=200, required=True)
    nip = Teks(
        "NIP PNS (18 angka: tanggal lahir YYYYMMDD, TMT CPNS YYYYMM, jenis kelamin 1/2, nomor urut) "
        "atau NI PPPK (angka 13–14 = 21)",
        max_length=40,
        required=True,
    )
    pangkat = Teks(
        "Pangkat PNS sesuai golongan/ruang (mis. Penata Muda untuk III/a); PPPK tidak berpangkat",
        max_length=100,
        allow_none=True,
    )
    golongan = Teks(
        "Golongan/ruang PNS (I/a … IV/e) atau golongan PPPK (I … XVII)", max_length=5, required=True
    )
    jabatan = Teks("Nama jabatan", max_length=300, required=True)
    jenis_jabatan = Pilihan(
        "Jenis jabatan; jpt, administrator dan pengawas adalah struktural", JENIS_JABATAN, required=True
    )
    unit_kerja = Teks("Unit kerja", max_length=300, required=True)
    email = Email("Alamat email untuk tautan penandatanganan; tidak dicetak", allow_none=True)

    @validates_schema(skip_on_field_errors=False)
    def _nip_golongan_pangkat(self, data: dict[str, Any], **_: Any) -> None:
        errors = Kesalahan()
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
