"""Nothing a client sends is silently dropped: every member the schema of a unit or coaching form
accepts is printed on its Word file (issue 15 review).

Each of the seven forms gets a payload (written out below) with every member its schema accepts
filled in, checked against the schema itself, so a member added to the schema and not to the payload
fails here too. The payload goes through ``load_payload`` and ``score_payload`` and is rendered as the
service renders it (no LibreOffice); then every text, number, date and choice the client sent must be
found in the Word file's text (body, tables, headers, footers) in the form it is printed in. Not
printed by design, and not looked for: contact and routing data (``email``, ``sertifikat``,
``callback_url``) and what picks the form (``type``, ``regime``, ``regime_override``).

A value of one row of a list (a pegawai of the unit, a peserta of the bimbingan) must be on the line
or table row of that row's NIP, and of no other row's, so a dropped column is missed by no other
row that happens to hold the same value.
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from docx import Document
from docx.table import Table
from marshmallow import Schema, fields

from service.documents.context import angka, tanggal
from service.documents.context.common import periode
from service.documents.render import render_document, template_name
from service.schemas import load_payload
from service.schemas.dokumen_lain import SCHEMAS
from service.schemas.fields import Angka, Daftar, Objek, Pilihan, Tanggal, Teks
from service.scoring import score_payload
from service.scoring.vocabulary import (
    JENIS_PERIODE_IDS,
    KATEGORI_KONSELOR_LABEL,
    KRITERIA_UMPAN_BALIK,
    LABELS,
    TINDAK_LANJUT_KONSELING_LABEL,
)
from tests.unit.documents.support import PACKAGED
from tests.unit.documents.test_forms_unit import NEW_FORMS

#: Members documented as not printed: contact and routing data, and what chooses the form.
NOT_PRINTED = frozenset(
    {
        "email",
        "sertifikat",
        "callback_url",
        "type",
        "regime",
        "regime_override",
        # Who the signer is for their key and the rules (a NIK identifies a pejabat negara's key; the
        # jenis jabatan decides who may assess whom), printed on no form, as on the per-person forms.
        "nik",
        "jenis_jabatan",
    }
)

#: The nine kriteria of FORMAT B.1.8 in order: an answer is printed on its kriterion's row.
_KRITERIA = [line for _, kriteria in KRITERIA_UMPAN_BALIK for line in kriteria]

# --- the filled payloads -------------------------------------------------------------------------------


def _sertifikat(nik: str, penyedia: str = "bsre") -> dict[str, Any]:
    return {"penyedia": penyedia, "nik": nik, "credential_id": "kredensial-uji-01"}


def penetapan_predikat() -> dict[str, Any]:
    return {
        "type": "penetapan_predikat",
        "regime": "permenpanrb_6_2022",
        "regime_override": False,
        "periode": {"mulai": "2024-01-01", "selesai": "2024-12-31", "jenis": "tahunan"},
        "instansi": "Pemerintah Kabupaten Banyumas",
        "unit_kerja": "Dinas Komunikasi dan Informatika Kabupaten Banyumas",
        "tempat": "Purwokerto",
        "tanggal": "2025-01-20",
        "callback_url": "https://kepegawaian.banyumaskab.go.id/webhook/skp",
        "capaian_organisasi": "butuh_perbaikan",
        "dasar_capaian": "Keputusan Bupati Banyumas Nomor 800/0123/2025\nHasil evaluasi SAKIP 2024",
        "pimpinan_yang_berwenang": {
            "nama": "Dr. Hendra Wijaya, S.T., M.T.",
            "nip": "197503112000031002",
            "nik": "3302011103750002",
            "jabatan": "Kepala Dinas Komunikasi dan Informatika",
            "jenis_jabatan": "jpt",
            "email": "hendra.wijaya@banyumaskab.go.id",
            "sertifikat": _sertifikat("3302011103750002"),
        },
        "daftar_pegawai": [
            {
                "nama": "Anisa Rahmawati, S.Kom.",
                "nip": "198001012002011001",
                "pangkat": "Penata Muda",
                "golongan": "III/a",
                "jabatan": "Pranata Komputer Ahli Pertama",
                "rating_hasil_kerja": "di_atas_ekspektasi",
                "rating_perilaku_kerja": "sesuai_ekspektasi",
            },
            {
                "nama": "Budi Santoso, S.E.",
                "nip": "198102022004062002",
                "pangkat": "Penata Tingkat I",
                "golongan": "III/d",
                "jabatan": "Analis Kebijakan Ahli Muda",
                "rating_hasil_kerja": "sesuai_ekspektasi",
                "rating_perilaku_kerja": "di_bawah_ekspektasi",
            },
            {
                "nama": "Citra Lestari, A.Md.",
                "nip": "198711232011032005",
                "pangkat": "Pengatur",
                "golongan": "II/c",
                "jabatan": "Pengelola Layanan Informasi",
                "rating_hasil_kerja": "di_bawah_ekspektasi",
                "rating_perilaku_kerja": "di_atas_ekspektasi",
            },
        ],
    }


def peringkat() -> dict[str, Any]:
    return {
        "type": "peringkat",
        "regime": "permenpanrb_8_2021",
        "regime_override": False,
        "periode": {"mulai": "2021-07-01", "selesai": "2021-12-31", "jenis": "semester_ii"},
        "instansi": "Pemerintah Kabupaten Banyumas",
        "unit_kerja": "Dinas Komunikasi dan Informatika Kabupaten Banyumas",
        "tempat": "Purwokerto",
        "tanggal": "2022-01-31",
        "callback_url": "https://kepegawaian.banyumaskab.go.id/webhook/skp",
        "pejabat_yang_berwenang": {
            "nama": "Ir. Wahyu Hidayat, M.Si.",
            "nip": "196808171994031005",
            "nik": "3302011708680005",
            "jabatan": "Sekretaris Daerah Kabupaten Banyumas",
            "jenis_jabatan": "jpt",
            "email": "sekda@banyumaskab.go.id",
            "sertifikat": _sertifikat("3302011708680005"),
        },
        "daftar_pegawai": [
            {
                "nama": "Anisa Rahmawati, S.Kom.",
                "nip": "198509212007051003",
                "pangkat": "Penata Muda",
                "golongan": "III/a",
                "jabatan": "Pranata Komputer Ahli Pertama",
                "nilai_kinerja": "112.50",
                "predikat": "sangat_baik",
            },
            {
                "nama": "Budi Santoso, S.E.",
                "nip": "198610222009102004",
                "pangkat": "Penata",
                "golongan": "III/c",
                "jabatan": "Analis Kebijakan Ahli Muda",
                "nilai_kinerja": 104.2,
                "predikat": "baik",
            },
            {
                "nama": "Hadi Susanto",
                "nip": "199204012016042001",
                "pangkat": "Pengatur Muda Tingkat I",
                "golongan": "II/b",
                "jabatan": "Pengadministrasi Perkantoran",
                "nilai_kinerja": 88,
                "predikat": "cukup",
            },
        ],
    }


def _pegawai() -> dict[str, Any]:
    return {
        "nama": "Anisa Rahmawati, S.Kom.",
        "nip": "199206152019032004",
        "nik": "3302015506920004",
        "pangkat": "Penata Muda Tingkat I",
        "golongan": "III/b",
        "jabatan": "Pranata Komputer Ahli Pertama",
        "jenis_jabatan": "fungsional",
        "unit_kerja": "Seksi Persandian",
        "email": "anisa.rahmawati@banyumaskab.go.id",
        "sertifikat": _sertifikat("3302015506920004"),
    }


def _pejabat_penilai() -> dict[str, Any]:
    return {
        "nama": "Eko Prasetyo, S.T., M.Kom.",
        "nip": "198001252005011003",
        "nik": "3302012501800003",
        "pangkat": "Pembina",
        "golongan": "IV/a",
        "jabatan": "Kepala Bidang Persandian dan Statistik",
        "jenis_jabatan": "administrator",
        "unit_kerja": "Bidang Persandian dan Statistik",
        "email": "eko.prasetyo@banyumaskab.go.id",
        "sertifikat": _sertifikat("3302012501800003", "csc"),
    }


def _coaching(kind: str, regime: str) -> dict[str, Any]:
    """The envelope of a coaching record: no top-level unit_kerja (the schema refuses it)."""
    return {
        "type": kind,
        "regime": regime,
        "regime_override": False,
        "periode": {"mulai": "2024-04-01", "selesai": "2024-06-30", "jenis": "triwulan_ii"},
        "instansi": "Pemerintah Kabupaten Banyumas",
        "tempat": "Purwokerto",
        "tanggal": "2024-05-20",
        "callback_url": "https://kepegawaian.banyumaskab.go.id/webhook/skp",
        "pegawai": _pegawai(),
        "pejabat_penilai": _pejabat_penilai(),
    }


def _in_2021(data: dict[str, Any]) -> dict[str, Any]:
    """The same record in a period of PermenPANRB 8/2021 (Juli–September 2021)."""
    data["periode"] = {"mulai": "2021-07-01", "selesai": "2021-09-30", "jenis": "triwulan_iii"}
    data["tanggal"] = "2021-08-20"
    for part in ("bimbingan", "konseling"):
        if part in data:
            data[part]["tanggal"] = "2021-08-16"
            if "batas_waktu" in data[part]:
                data[part]["batas_waktu"] = "2021-09-15"
    return data


def catatan_bimbingan(regime: str) -> dict[str, Any]:
    data = _coaching("catatan_bimbingan", regime)
    data["bimbingan"] = {
        "tanggal": "2024-05-14",
        "bentuk": "kelompok",
        "peserta_lain": [
            {"nama": "Rudi Hartono, S.Kom.", "nip": "199001012015031001"},
            {"nama": "Sinta Dewi, A.Md.", "nip": "199202022016042002"},
        ],
        "topik": "Ketersediaan layanan server April–Juni di bawah target (98,9 %).\n"
        "Rencana pencadangan data belum mencakup aplikasi kepegawaian.",
        "hasil": "Disusun prosedur pengalihan ke catu daya cadangan.\n"
        "Aplikasi kepegawaian masuk jadwal pencadangan harian.",
        "tindak_lanjut": "Menguji pemulihan cadangan aplikasi kepegawaian setiap bulan.",
        "batas_waktu": "2024-06-14",
    }
    return _in_2021(data) if regime == "permenpanrb_8_2021" else data


def umpan_balik_bimbingan() -> dict[str, Any]:
    data = _coaching("umpan_balik_bimbingan", "permenpanrb_6_2022")
    data["umpan_balik"] = {
        "tanggal_bimbingan": "2024-05-14",
        "jawaban": ["ya", "tidak", "ya", "ya", "ya", "tidak", "ya", "tidak", "ya"],
        "catatan": "Bimbingan membantu; mohon lebih banyak ruang bertanya pada sesi berikutnya.",
    }
    return data


def konseling(regime: str) -> dict[str, Any]:
    data = _coaching("konseling", regime)
    data["konselor"] = {
        "nama": "Dra. Sri Mulyani, M.Psi., Psikolog",
        "nip": "197204041998032006",
        "nik": "3302014404720006",
        "pangkat": "Pembina Tingkat I",
        "golongan": "IV/b",
        "jabatan": "Asesor SDM Aparatur Ahli Madya",
        "jenis_jabatan": "pelaksana" if regime == "permenpanrb_8_2021" else "fungsional",
        "unit_kerja": "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
        "email": "sri.mulyani@banyumaskab.go.id",
        "sertifikat": _sertifikat("3302014404720006", "instansi"),
        "kategori": "konselor_independen",
    }
    data["konseling"] = {
        "tanggal": "2024-05-14",
        "permasalahan": "Keterlambatan hadir berulang (12 kali dalam tiga bulan).",
        "hasil": "Disepakati pengaturan jam kerja sesuai ketentuan fleksibilitas.\n"
        "Pemantauan agenda surat mingguan.",
        "tindak_lanjut": ["bimbingan", "pelatihan", "usul_mutasi"],
        "uraian_tindak_lanjut": "Bimbingan kinerja bulanan oleh pejabat penilai.",
    }
    return _in_2021(data) if regime == "permenpanrb_8_2021" else data


#: The seven new forms → a payload (raw JSON) with every member its schema accepts.
FILLED: dict[str, Callable[[], dict[str, Any]]] = {
    "permenpanrb_6_2022/penetapan_predikat.docx": penetapan_predikat,
    "permenpanrb_8_2021/peringkat.docx": peringkat,
    "permenpanrb_8_2021/catatan_bimbingan.docx": lambda: catatan_bimbingan("permenpanrb_8_2021"),
    "permenpanrb_6_2022/catatan_bimbingan.docx": lambda: catatan_bimbingan("permenpanrb_6_2022"),
    "permenpanrb_6_2022/umpan_balik_bimbingan.docx": umpan_balik_bimbingan,
    "permenpanrb_8_2021/konseling.docx": lambda: konseling("permenpanrb_8_2021"),
    "permenpanrb_6_2022/konseling.docx": lambda: konseling("permenpanrb_6_2022"),
}

# --- what was sent, and how it is printed ------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    """One value the client sent: where, what the form prints for it, and the list row it is of."""

    path: str
    printed: str
    row_nip: str | None = None  # the NIP of its list row (a pegawai of the unit, a peserta)
    siblings: frozenset[str] = frozenset()  # the NIPs of the other rows of that list


def _label(name: str, value: str) -> str:
    """A choice as the forms print it: its label (api ids → words)."""
    special: Mapping[str, Mapping[str, str]] = {
        "kategori": KATEGORI_KONSELOR_LABEL,
        "tindak_lanjut": TINDAK_LANJUT_KONSELING_LABEL,
        # The period's kind as the forms head it (6/2022 prints the annual period "AKHIR").
        "jenis": {j: periode({"jenis": j})["jenis_label"] for j in JENIS_PERIODE_IDS},
    }
    table = special.get(name, LABELS)
    return table.get(value) or value.replace("_", " ")


#: Choices whose bare label is found anywhere ("Baik", "ya"): the phrase they are printed in.
_PHRASE = {
    "bentuk": "BENTUK : {label}",
    "capaian_organisasi": "CAPAIAN KINERJA ORGANISASI : {label}",
    "tindak_lanjut": "- {label}",
}


def _printed(name: str, field: fields.Field, value: Any, index: int | None) -> str:  # type: ignore[type-arg]
    """The text the form prints for one sent value: a date or a number the Indonesian way, a choice
    by its label (in its phrase where the bare label would be found anywhere), a text as sent.
    """
    if isinstance(field, Tanggal):
        return tanggal(value)
    if isinstance(field, Angka):
        return angka(Decimal(str(value)))
    if not isinstance(field, Pilihan):
        assert isinstance(field, Teks), f"{name}: a member of a kind this test does not know"
        return str(value)
    label = _label(name, str(value))
    if name == "jawaban" and index is not None:  # FORMAT B.1.8: on its kriterion's row
        return f"{_KRITERIA[index]} {label}"
    return _PHRASE.get(name, "{label}").format(label=label)


def _sent(
    schema: Schema, data: Mapping[str, Any], path: str = "", row: tuple[str, frozenset[str]] | None = None
) -> Iterator[Sent]:
    """Every value of ``data`` that is to be printed, with its printed form, walking its schema."""
    for name, value in data.items():
        if name in NOT_PRINTED:
            continue
        field = schema.fields[name]
        where = f"{path}{name}"
        yield from _values(name, field, value, where=where, row=row)


def _values(
    name: str,
    field: fields.Field,  # type: ignore[type-arg]
    value: Any,
    *,
    where: str,
    row: tuple[str, frozenset[str]] | None,
    index: int | None = None,
) -> Iterator[Sent]:
    if isinstance(field, Objek):
        yield from _sent(field.schema, value, f"{where}.", row)
    elif isinstance(field, Daftar):
        nips = [item.get("nip") for item in value if isinstance(item, Mapping)]
        for i, item in enumerate(value):
            item_row = row
            if isinstance(item, Mapping) and item.get("nip"):
                item_row = (item["nip"], frozenset(n for n in nips if n and n != item["nip"]))
            yield from _values(name, field.inner, item, where=f"{where}.{i}", row=item_row, index=i)
    else:
        nip, others = row or (None, frozenset())
        yield Sent(where, _printed(name, field, value, index), nip, others)


def _members(schema: Schema, data: Mapping[str, Any], path: str = "") -> Iterator[str]:
    """Every member ``schema`` accepts that ``data`` leaves out (into objects and list items)."""
    for name, field in schema.fields.items():
        where = f"{path}{name}"
        if name not in data:
            yield where
            continue
        value = data[name]
        items = value if isinstance(field, Daftar) else [value]
        inner = field.inner if isinstance(field, Daftar) else field
        for i, item in enumerate(items):
            if isinstance(inner, Objek) and isinstance(item, Mapping):
                yield from _members(
                    inner.schema, item, f"{where}.{i}." if inner is not field else f"{where}."
                )


# --- the Word file's text ------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _table_units(table: Table) -> Iterator[str]:
    for row in table.rows:
        cells: list[str] = []
        seen: list[Any] = []  # the cells' elements, held so that ``is`` can tell them apart
        for cell in row.cells:  # a merged cell comes once per grid column it spans
            if any(cell._tc is element for element in seen):
                continue
            seen.append(cell._tc)
            cells.append(cell.text)
            yield from cell.text.splitlines()
            for inner in cell.tables:
                yield from _table_units(inner)
        yield " ".join(cells)


def text_units(docx: bytes) -> list[str]:
    """The Word file's text as lines and table rows (each row's cells joined), headers and footers
    included, whitespace collapsed and case folded.
    """
    document = Document(io.BytesIO(docx))
    parts: list[Any] = [
        document,
        *(s.header for s in document.sections),
        *(s.footer for s in document.sections),
    ]
    units: list[str] = []
    for part in parts:
        for paragraph in part.paragraphs:
            units.extend(paragraph.text.splitlines())
        for table in part.tables:
            units.extend(_table_units(table))
    return [n for n in (_norm(u) for u in units) if n]


def _found(phrase: str, unit: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(_norm(phrase))}(?!\w)", unit) is not None


def not_printed(raw: Mapping[str, Any], docx: bytes) -> list[tuple[str, str]]:
    """Each sent value (path, printed form) the Word file does not show where it belongs."""
    schema = SCHEMAS[raw["type"]]()
    units = text_units(docx)
    whole = " ".join(units)
    missing = []
    for sent in _sent(schema, raw):
        if sent.row_nip is None:
            ok = _found(sent.printed, whole)
        else:
            ok = any(
                _found(sent.printed, unit)
                and sent.row_nip in unit
                and not any(other in unit for other in sent.siblings)
                for unit in units
            )
        if not ok:
            missing.append((sent.path, sent.printed))
    return missing


def _render(raw: Mapping[str, Any]) -> bytes:
    payload = load_payload(copy.deepcopy(dict(raw)))
    return render_document(payload, score_payload(payload), packaged_dir=PACKAGED)


# --- the tests ------------------------------------------------------------------------------------------


def test_the_seven_new_forms_are_covered() -> None:
    assert sorted(FILLED) == sorted(NEW_FORMS)
    for form, make in FILLED.items():
        assert template_name(load_payload(make())) == form


@pytest.mark.parametrize("form", sorted(FILLED))
def test_the_payload_fills_every_member_the_schema_accepts(form: str) -> None:
    raw = FILLED[form]()
    assert list(_members(SCHEMAS[raw["type"]](), raw)) == []


@pytest.mark.parametrize("form", sorted(FILLED))
def test_every_value_sent_is_printed(form: str) -> None:
    raw = FILLED[form]()
    assert not_printed(raw, _render(raw)) == []


def test_a_value_printed_on_another_row_only_is_missed() -> None:
    """The row rule at work: a pegawai's pangkat found on another pegawai's row does not count."""
    raw = penetapan_predikat()
    docx = _render(raw)
    claimed = copy.deepcopy(raw)
    first, second = claimed["daftar_pegawai"][:2]
    first["pangkat"], first["golongan"] = second["pangkat"], second["golongan"]
    before = not_printed(raw, docx)
    assert [m for m in not_printed(claimed, docx) if m not in before] == [
        ("daftar_pegawai.0.pangkat", second["pangkat"]),
        ("daftar_pegawai.0.golongan", second["golongan"]),
    ]
