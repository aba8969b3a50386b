"""The unit and coaching forms (forms.md §E): context, template choice and the printed PDF.

The payloads are the examples of ``examples/`` (``support.FORM_EXAMPLES``) validated by the
service's own schema and scored by its scoring, as the service renders them. Real LibreOffice
through the session's warm pool, one PDF per template (module-scoped).
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from pypdf import PdfReader

from service.documents.context import CONTEXT_KEYS, build_context, tanggal
from service.documents.context import bimbingan as bimbingan_context
from service.documents.context import permenpanrb_6_2022 as p6
from service.documents.context import permenpanrb_8_2021 as p8
from service.documents.context import pp46_2011 as p46
from service.documents.context import unit as unit_context
from service.documents.converter import LibreOfficeConverter
from service.documents.placement import locate_markers
from service.documents.render import TEMPLATE_NAMES, TemplateRenderError, render_document, template_name
from service.documents.templates_check import check_template
from service.scoring import score_payload
from service.scoring.penandatangan import PENANDATANGAN
from service.scoring.vocabulary import COACHING_TYPES, UNIT_TYPES
from tests.unit.documents.support import FORM_EXAMPLES, PACKAGED, load, pdftotext, reading_order, words

P6, P8 = "permenpanrb_6_2022", "permenpanrb_8_2021"
#: The seven templates of the unit and coaching documents (a regime's form of each such type).
NEW_FORMS = tuple(
    name
    for name in TEMPLATE_NAMES
    if name.split("/")[1].removesuffix(".docx") in (*UNIT_TYPES, *COACHING_TYPES)
)

#: FORMAT B.1.8 as forms.md E3 quotes it (subjek, then its kriteria), typed here, not imported.
B18 = (
    (
        "TENTANG PEGAWAI",
        (
            "Saya merasa diperhatikan dan dipahami",
            "Saya merasa tindakan/langkah yang telah saya lakukan dihargai",
            "Saya merasa dapat dengan bebas mengemukakan pendapat/pemikiran saya",
        ),
    ),
    (
        "TENTANG PIMPINAN/ PIHAK LAIN YANG DIBERIKAN PENUGASAN KHUSUS",
        (
            "Saya merasa bahwa pandangan yang diberikan berdasarkan data/fakta yang akurat",
            "Saya merasa bahwa pandangan/pendapat yang diberikan kepada saya bersifat positif",
            "Lebih banyak menggunakan metode bertanya dibandingkan menggurui",
        ),
    ),
    (
        "TENTANG PEGAWAI DAN PIMPINAN/ PIHAK LAIN YANG DIBERIKAN PENUGASAN KHUSUS",
        (
            "Saya merasa dibantu dalam mencari solusi dan aksi tindak lanjut",
            "Saya tahu apa yang harus saya lakukan setelah mengikuti kegiatan bimbingan kinerja ini",
            "Saya memahami maksud dan tujuan kegiatan bimbingan kinerja ini",
        ),
    ),
)


def hasil_penetapan(payload: dict[str, Any]) -> dict[str, Any]:
    """The hasil the service keeps for a (validated) penetapan payload."""
    return score_payload(payload)


def _form(name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    return load(FORM_EXAMPLES[name]())


def penetapan() -> tuple[dict[str, Any], dict[str, Any]]:
    return _form("permenpanrb_6_2022/penetapan_predikat.docx")


def peringkat() -> tuple[dict[str, Any], dict[str, Any]]:
    return _form("permenpanrb_8_2021/peringkat.docx")


def coaching(name: str, regime: str = P6) -> tuple[dict[str, Any], dict[str, Any]]:
    return _form(f"{regime}/{name}.docx")


#: The seven new templates → their example (validated payload, hasil), as the service renders them.
CASES: dict[str, Any] = {name: (lambda name=name: _form(name)) for name in FORM_EXAMPLES if name in NEW_FORMS}


def docx_text(docx: bytes) -> str:
    """Every paragraph of a filled Word file, tables included, as one line of words."""
    document = Document(io.BytesIO(docx))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return words(" ".join(parts))


# --- without LibreOffice -----------------------------------------------------------------------------


def test_the_seven_templates_are_packaged_and_chosen_by_regime_and_type() -> None:
    # One form per (regime, type) the signer table has for the five types, each with an example.
    forms = {(r, t) for r, t in PENANDATANGAN if t in (*UNIT_TYPES, *COACHING_TYPES)}
    assert {(n.split("/")[0], n.split("/")[1].removesuffix(".docx")) for n in NEW_FORMS} == forms
    assert len(NEW_FORMS) == len(CASES) == 7
    for name, case in CASES.items():
        assert name in TEMPLATE_NAMES
        payload, _ = case()
        assert template_name(payload) == name
        assert (payload["regime"], payload["type"]) in PENANDATANGAN
        assert check_template(PACKAGED / name, name=name) == [], name
    with pytest.raises(TemplateRenderError):
        template_name({"regime": "pp46_2011", "type": "konseling"})
    with pytest.raises(TemplateRenderError):
        template_name({"regime": P8, "type": "penetapan_predikat"})


@pytest.mark.parametrize("form", sorted(CASES))
def test_every_context_key_is_there_and_the_skp_tables_are_empty(form: str) -> None:
    payload, hasil = CASES[form]()
    assert "pegawai" in payload or "daftar_pegawai" in payload
    context = build_context(payload, hasil)
    assert set(context) == CONTEXT_KEYS
    assert context["hasil_kerja_utama"] == context["kinerja_utama"] == context["kegiatan"] == []
    assert context["perilaku_8_2021"] == context["perilaku_pp46"] == []
    # A unit document's hasil is not a pegawai's: the evaluasi shows no capaian, draws no evaluasi kurva.
    assert context["evaluasi"]["capaian_organisasi"] == "-"
    assert context["kurva"] == ""
    assert context["ttd"] == {
        role: role in PENANDATANGAN[payload["regime"], payload["type"]] for role in context["ttd"]
    }


def test_new_context_modules_fill_their_own_keys_only() -> None:
    groups = [p6.KEYS, p8.KEYS, p46.KEYS, unit_context.KEYS, bimbingan_context.KEYS]
    for i, keys in enumerate(groups):
        for other in groups[i + 1 :]:
            assert not keys & other
    payload, hasil = penetapan()
    assert set(unit_context.context(payload, hasil)) == unit_context.KEYS
    assert set(bimbingan_context.context(payload)) == bimbingan_context.KEYS


def test_penetapan_context_counts_and_words_the_distribution() -> None:
    payload, hasil = penetapan()
    context = build_context(payload, hasil)
    rows = {row["predikat"]: row for row in context["distribusi"]}
    assert list(rows) == ["Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang/Misconduct", "Sangat Kurang"]
    assert [rows[k]["jumlah"] for k in rows] == ["1", "9", "1", "1", "0"]
    assert rows["Baik"]["persen"] == "75 %"
    assert rows["Sangat Baik"]["persen"] == "8,33 %"
    assert "Predikat Baik paling tinggi 70 % (tidak terpenuhi)" in rows["Baik"]["ketentuan"].xml
    assert context["unit"]["capaian_organisasi"] == "BAIK"
    assert context["unit"]["memenuhi_pola"] is False
    assert "unit ini 75 % (9 dari 12 pegawai)" in context["unit"]["catatan"].xml
    kurva = context["kurva_unit"]
    assert isinstance(kurva, p6.KurvaDistribusi)
    assert kurva.capaian == "baik"
    assert kurva.aktual == {
        "sangat_baik": 1,
        "baik": 9,
        "butuh_perbaikan": 1,
        "kurang_misconduct": 1,
        "sangat_kurang": 0,
    }
    assert [p["predikat"] for p in context["daftar_pegawai"]][:2] == ["Sangat Baik", "Baik"]


def test_penetapan_that_meets_the_pola_says_so() -> None:
    payload, _ = penetapan()
    for person in payload["daftar_pegawai"][1:3]:  # two Baik become Butuh Perbaikan: 7 of 12 Baik
        person["rating_hasil_kerja"] = "di_bawah_ekspektasi"
    context = build_context(payload, hasil_penetapan(payload))
    assert context["unit"]["memenuhi_pola"] is True
    assert (
        context["unit"]["catatan"]
        == "Distribusi predikat kinerja pegawai telah sesuai dengan pola distribusi."
    )


def test_peringkat_context_follows_the_hasil_order_and_fills_pangkat_from_golongan() -> None:
    payload, hasil = peringkat()
    rows = build_context(payload, hasil)["peringkat"]
    assert [r["nip"] for r in rows] == [r["nip"] for r in hasil["peringkat"]]
    assert rows[0]["nama"] == "Anisa Rahmawati, S.Kom."
    assert rows[0]["peringkat"] == "1"
    assert rows[0]["nilai"] == "112,50"
    assert rows[0]["pangkat_golongan"] == "Penata Muda, III/a"
    tied = [r for r in rows if r["nilai"] == "96,10"]
    assert len(tied) == 2
    assert tied[0]["peringkat"] == tied[1]["peringkat"]


def test_konseling_without_pejabat_penilai_prints_no_penilai_block() -> None:
    payload, _ = coaching("konseling")
    del payload["pejabat_penilai"]
    text = docx_text(render_document(payload, {}, packaged_dir=PACKAGED))
    assert "PEJABAT PENILAI KINERJA" not in text
    assert "Eko Prasetyo" not in text
    assert "KONSELOR" in text
    assert "Dra. Sri Mulyani, M.Psi., Psikolog" in text


def test_catatan_bimbingan_kelompok_lists_the_other_participants() -> None:
    payload, _ = coaching("catatan_bimbingan")
    payload["bimbingan"]["bentuk"] = "kelompok"
    payload["bimbingan"]["peserta_lain"] = [
        {"nama": "Rudi Hartono, S.Kom.", "nip": "199001012015031001"},
        {"nama": "Sinta Dewi, A.Md.", "nip": "199202022016042002"},
    ]
    text = docx_text(render_document(payload, {}, packaged_dir=PACKAGED))
    assert "KELOMPOK" in text
    assert "1. Rudi Hartono, S.Kom. (NIP. 199001012015031001)" in text
    assert "2. Sinta Dewi, A.Md. (NIP. 199202022016042002)" in text
    individual, _ = coaching("catatan_bimbingan")
    assert "Peserta lain" not in docx_text(render_document(individual, {}, packaged_dir=PACKAGED))


def test_penetapan_lampiran_prints_each_pegawai_pangkat_and_golongan() -> None:
    payload, hasil = load(unit_of(3))
    text = docx_text(render_document(payload, hasil, packaged_dir=PACKAGED))
    assert "NO NAMA NIP PANGKAT/GOL. RUANG JABATAN" in text
    pangkat_of = ("Penata Muda", "Penata Muda Tingkat I", "Penata")  # III/a, III/b, III/c
    for row, pangkat in zip(payload["daftar_pegawai"], pangkat_of, strict=True):
        assert f"{row['nip']} {pangkat}, {row['golongan']} {row['jabatan']}" in text


def test_peringkat_prints_the_jabatan_of_the_pejabat_yang_berwenang() -> None:
    payload, hasil = peringkat()
    text = docx_text(render_document(payload, hasil, packaged_dir=PACKAGED))
    assert f"Pejabat yang Berwenang {payload['pejabat_yang_berwenang']['jabatan']}" in text


@pytest.mark.parametrize("case", [penetapan, peringkat])
def test_a_unit_document_without_a_distribution_calls_nothing_sesuai(
    case: Any,
) -> None:
    payload, _ = case()
    nothing: tuple[dict[str, Any], ...] = ({}, {"distribusi": {}, "warnings": []})
    for hasil in nothing:
        unit = build_context(payload, hasil)["unit"]
        assert unit["catatan"] == "-"
        assert unit["memenuhi_pola"] is False


# --- through LibreOffice -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdfs(converter: LibreOfficeConverter, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One PDF per template, from its example, as the pipeline converts it."""
    folder = tmp_path_factory.mktemp("unit_forms")
    out: dict[str, Path] = {}
    for name, case in CASES.items():
        payload, hasil = case()
        docx = render_document(payload, hasil, packaged_dir=PACKAGED, verification_code="ABC123")
        path = folder / (name.replace("/", "__").removesuffix(".docx") + ".pdf")
        path.write_bytes(converter.convert(docx, timeout=120))
        out[name] = path
    return out


def _markers(path: Path) -> set[str]:
    return set(locate_markers(path.read_bytes()))


@pytest.mark.slow  # drives LibreOffice
@pytest.mark.parametrize("form", sorted(CASES))
def test_each_form_has_the_signing_blocks_of_exactly_its_signers(form: str, pdfs: dict[str, Path]) -> None:
    payload, _ = CASES[form]()
    assert _markers(pdfs[form]) == set(PENANDATANGAN[payload["regime"], payload["type"]])
    text = words(pdftotext(pdfs[form]))
    for role in PENANDATANGAN[payload["regime"], payload["type"]]:
        assert payload[role]["nama"] in text, role
        assert f"NIP. {payload[role]['nip']}" in text, role


@pytest.mark.slow
def test_penetapan_prints_distribution_kurva_and_a_landscape_lampiran(pdfs: dict[str, Path]) -> None:
    path = pdfs["permenpanrb_6_2022/penetapan_predikat.docx"]
    payload, hasil = penetapan()
    reader = PdfReader(path)
    first = reader.pages[0]
    assert first.mediabox.width < first.mediabox.height  # the penetapan itself: portrait
    assert len(first.images) >= 1  # the kurva
    landscape = [i for i, page in enumerate(reader.pages) if page.mediabox.width > page.mediabox.height]
    assert landscape, "no landscape lampiran page"
    lampiran = words(pdftotext(path, first=landscape[0] + 1, last=landscape[-1] + 1))
    assert "D. DAFTAR PREDIKAT KINERJA PEGAWAI" in lampiran
    for person in payload["daftar_pegawai"]:
        assert person["nama"] in lampiran
        assert person["nip"] in lampiran
    front = words(pdftotext(path, first=1, last=landscape[0]))
    assert "PENETAPAN PREDIKAT KINERJA" in front
    assert "A. CAPAIAN KINERJA ORGANISASI : BAIK" in front
    assert payload["dasar_capaian"] in front
    assert "KURVA DISTRIBUSI PREDIKAT KINERJA PEGAWAI DENGAN CAPAIAN KINERJA ORGANISASI BAIK" in front
    for heading in ("PREDIKAT KINERJA", "PERSENTASE", "KETENTUAN POLA DISTRIBUSI"):
        assert heading in front
    assert re.search(r"\b1 Sangat Baik 1 8,33 % ", front)
    assert re.search(r"\b2 Baik 9 75 % Sebagian besar \(lebih dari 50 %\) berpredikat Baik", front)
    assert "Predikat Baik paling tinggi 70 % (tidak terpenuhi)" in front
    assert "JUMLAH 12 100 %" in front
    assert hasil["warnings"]
    for warning in hasil["warnings"]:
        assert words(warning["pesan"]) in front
    # The pimpinan signs on the penetapan page, not in the lampiran.
    page, _ = locate_markers(path.read_bytes())["pimpinan_yang_berwenang"]
    assert page < landscape[0]
    assert f"{payload['pimpinan_yang_berwenang']['jabatan']}," in front


@pytest.mark.slow
def test_peringkat_prints_the_ranks_in_order(pdfs: dict[str, Path]) -> None:
    path = pdfs["permenpanrb_8_2021/peringkat.docx"]
    payload, hasil = peringkat()
    text = words(pdftotext(path))
    positions = [text.index(row["nip"]) for row in hasil["peringkat"]]
    assert positions == sorted(positions)
    names = {p["nip"]: p["nama"] for p in payload["daftar_pegawai"]}
    for row in hasil["peringkat"]:
        assert f"{row['peringkat']} {names[row['nip']]} {row['nip']}" in text
    assert "1 Anisa Rahmawati, S.Kom. 198509212007051003 Penata Muda, III/a" in text
    assert "PEMERINGKATAN KINERJA PEGAWAI NEGERI SIPIL TAHUN 2021" in text
    cells = reading_order(path)
    for heading in (
        "PERINGKAT",
        "PANGKAT/GOL RUANG",
        "NILAI KINERJA",
        "PREDIKAT KINERJA",
        "Pejabat yang Berwenang",
    ):
        assert heading in cells
    # The distribution against 8/2021's rules, and the unit check's warning in words (Baik 75 %).
    assert "DISTRIBUSI PREDIKAT KINERJA" in cells
    assert "Predikat Baik (sesuai ekspektasi) paling tinggi 70 % (tidak terpenuhi)" in text
    assert "Predikat Sangat Baik (di atas ekspektasi) paling tinggi 20 % (terpenuhi)" in text
    [warning] = hasil["warnings"]
    assert words(f"1. {warning['pesan']}") in text


def test_a_peringkat_within_the_rules_says_so() -> None:
    payload, hasil = peringkat()
    hasil = {**hasil, "warnings": []}
    unit = build_context(payload, hasil)["unit"]
    assert (
        unit["catatan"]
        == "Distribusi predikat kinerja telah sesuai dengan ketentuan distribusi per unit kerja."
    )
    assert unit["memenuhi_pola"] is True


@pytest.mark.slow
def test_umpan_balik_prints_format_b18_verbatim_with_the_answers(pdfs: dict[str, Path]) -> None:
    path = pdfs["permenpanrb_6_2022/umpan_balik_bimbingan.docx"]
    payload, _ = coaching("umpan_balik_bimbingan")
    # Cell by cell: each cell's lines together, the columns one after the other.
    text = reading_order(path)
    assert "UMPAN BALIK PELAKSANAAN BIMBINGAN KINERJA" in text
    for label in ("SUBJEK", "KRITERIA UMPAN BALIK", "PANGKAT/", "GOL. RUANG", "PEJABAT PENILAI KINERJA"):
        assert label in text
    for subjek, kriteria in B18:
        assert subjek in text
        for line in kriteria:
            assert line in text
    answers = " ".join(a.upper() for a in payload["umpan_balik"]["jawaban"])
    assert f"YA/TIDAK {answers}" in text
    assert "TIDAK" in answers
    assert "PANGKAT/ GOL. RUANG" in docx_text(render_document(payload, {}, packaged_dir=PACKAGED))
    layout = words(pdftotext(path))
    assert "6. Lebih banyak menggunakan metode bertanya dibandingkan TIDAK" in layout
    assert payload["umpan_balik"]["catatan"] in layout
    assert "Pegawai yang Dinilai" in text


@pytest.mark.slow
@pytest.mark.parametrize("regime", [P6, P8])
def test_catatan_bimbingan_prints_what_was_discussed(regime: str, pdfs: dict[str, Path]) -> None:
    path = pdfs[f"{regime}/catatan_bimbingan.docx"]
    payload, _ = coaching("catatan_bimbingan", regime)
    text = words(pdftotext(path))
    assert "CATATAN BIMBINGAN KINERJA" in text
    assert "BENTUK : INDIVIDU" in text
    for heading in ("PERMASALAHAN/ TOPIK", "HASIL BIMBINGAN", "RENCANA TINDAK LANJUT"):
        assert heading in text
    for part in ("topik", "hasil", "tindak_lanjut"):
        for line in payload["bimbingan"][part].splitlines():
            assert words(line) in text
    batas = payload["bimbingan"]["batas_waktu"]
    assert f"Batas waktu : {tanggal(batas)}" in text
    assert payload["pegawai"]["nama"] in text
    assert payload["pejabat_penilai"]["nama"] in text


@pytest.mark.slow
@pytest.mark.parametrize("regime", [P6, P8])
def test_konseling_is_marked_confidential_and_prints_the_follow_up(
    regime: str, pdfs: dict[str, Path]
) -> None:
    path = pdfs[f"{regime}/konseling.docx"]
    payload, _ = coaching("konseling", regime)
    text = words(pdftotext(path))
    assert text.index("RAHASIA") < text.index("PELAKSANAAN KONSELING KINERJA")
    assert "KONSELOR" in text
    assert "KATEGORI KONSELOR : Konselor independen" in text
    assert "PEJABAT PENILAI KINERJA" in text  # given in the example: printed, though not a signer
    assert payload["pejabat_penilai"]["nama"] in text
    for heading in ("PERMASALAHAN PERILAKU KERJA", "HASIL KONSELING", "TINDAK LANJUT"):
        assert heading in text
    assert words(payload["konseling"]["permasalahan"]) in text
    assert "- Bimbingan - Penugasan khusus" in text
    assert words(payload["konseling"]["uraian_tindak_lanjut"]) in text


def unit_of(size: int) -> dict[str, Any]:
    """The example penetapan (raw JSON) with ``size`` pegawai, each with a NIP the schema accepts and
    of their own (bench/unit_forms.py's recipe: birth date, TMT CPNS 24 years on, sex, sequence), a
    golongan (so the PANGKAT/GOL. RUANG column has something to print) and ratings spread over the
    kuadran.
    """
    data: dict[str, Any] = FORM_EXAMPLES["permenpanrb_6_2022/penetapan_predikat.docx"]()
    ratings = (
        "di_atas_ekspektasi",
        "sesuai_ekspektasi",
        "sesuai_ekspektasi",
        "sesuai_ekspektasi",
        "di_bawah_ekspektasi",
    )
    rows = []
    for i in range(size):
        year, month, day = 1975 + i % 25, i % 12 + 1, i % 28 + 1
        tmt = f"{year + 24}{(i // 12) % 12 + 1:02d}"
        rows.append(
            {
                "nama": f"Pegawai Uji {i:03d}",
                "nip": f"{year}{month:02d}{day:02d}{tmt}{1 + i % 2}{i % 999 + 1:03d}",
                "golongan": ("III/a", "III/b", "III/c", "III/d")[i % 4],
                "jabatan": "Analis Kebijakan Ahli Pertama",
                "rating_hasil_kerja": ratings[i % 5],
                "rating_perilaku_kerja": ratings[(i // 5) % 5],
            }
        )
    data["daftar_pegawai"] = rows
    return data


@pytest.mark.slow
def test_penetapan_of_500_pegawai_prints_every_nip(converter: LibreOfficeConverter, tmp_path: Path) -> None:
    # Validated and scored as the service does it: a NIP the schema refuses fails here, not later.
    payload, hasil = load(unit_of(500))
    assert len(payload["daftar_pegawai"]) == 500
    assert hasil["jumlah_pegawai"] == 500
    docx = render_document(payload, hasil, packaged_dir=PACKAGED)
    path = tmp_path / "penetapan_500.pdf"
    path.write_bytes(converter.convert(docx, timeout=300))
    reader = PdfReader(path)
    pages = len(reader.pages)
    print(f"penetapan predikat, 500 pegawai: {pages} pages")  # reported with -s
    text = words(pdftotext(path))
    missing = [p["nip"] for p in payload["daftar_pegawai"] if p["nip"] not in text]
    assert not missing, f"{len(missing)} NIPs missing, e.g. {missing[:3]}"
    landscape = [i for i, page in enumerate(reader.pages) if page.mediabox.width > page.mediabox.height]
    assert len(landscape) >= 10
    for index in landscape:  # the header row on every page of the lampiran
        assert "NO NAMA NIP PANGKAT/GOL. RUANG JABATAN RATING HASIL RATING PERILAKU" in words(
            pdftotext(path, first=index + 1, last=index + 1)
        )
    assert set(locate_markers(path.read_bytes())) == {"pimpinan_yang_berwenang"}
