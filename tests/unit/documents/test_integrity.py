"""The content check on strings and on Word files built here: what counts as the same text, in order."""

from __future__ import annotations

import io
import zipfile

from docx import Document as WordDocument
from docx.oxml import parse_xml

from service.documents.integrity import (
    allow_rows_to_split,
    docx_texts,
    missing_texts,
    normalise,
)

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def paragraphs(*texts: str) -> list[tuple[tuple[str, ...], ...]]:
    return [((text,),) for text in texts]


def test_normalise_drops_what_libreoffice_changes() -> None:
    # Line breaks, non-breaking spaces, soft hyphens, automatic hyphenation, ligatures, capitals.
    assert normalise("Rencana\u00a0Hasil  Kerja") == normalise("RENCANA HASIL\nKERJA")
    assert normalise("ke\u00adpe\u00adga\u00adwai\u00adan") == normalise("kepega-\nwaian")
    assert normalise("efisien") == normalise("e\ufb01sien")
    assert normalise("2021–2022") == normalise("2021 - 2022")
    assert normalise(" - ") == ""


def test_texts_in_order_are_found() -> None:
    found = "A. UTAMA\n1 Terkelolanya server 99,5 %\nRATING HASIL KERJA* SESUAI EKSPEKTASI"
    assert missing_texts(paragraphs("A. UTAMA", "Terkelolanya server", "RATING HASIL KERJA*"), found) == []


def test_a_lost_row_is_named_and_does_not_hide_the_next() -> None:
    expected = [
        (("Terkelolanya server",), ("99,5 %",)),
        (("RATING HASIL KERJA*",), ("SESUAI EKSPEKTASI",)),
        (("PERILAKU KERJA",),),
        (("Berorientasi Pelayanan",),),
    ]
    found = "Terkelolanya server 99,5 %\nBerorientasi Pelayanan"
    assert missing_texts(expected, found) == ["RATING HASIL KERJA*", "SESUAI EKSPEKTASI", "PERILAKU KERJA"]


def test_order_matters_between_units() -> None:
    assert missing_texts(paragraphs("pertama", "kedua"), "kedua pertama") == ["kedua"]


def test_cells_of_a_row_may_interleave_but_each_cell_keeps_its_order() -> None:
    # LibreOffice writes a row line by line: cell 2's first line, cell 3, then cell 2's second line.
    row = (("Kolaboratif",), ("- Memberi kesempatan", "- Terbuka dalam bekerja sama"), ("Kerja sama perlu",))
    found = "Kolaboratif - Memberi kesempatan Kerja sama perlu\n- Terbuka dalam bekerja sama\nSesudah"
    assert missing_texts([row, (("Sesudah",),)], found) == []
    swapped = (("Kolaboratif",), ("- Terbuka dalam bekerja sama", "- Memberi kesempatan"))
    assert missing_texts([swapped], found) == ["- Memberi kesempatan"]


def test_a_row_split_over_a_page_with_the_header_repeated_between() -> None:
    row = (("Uraian yang panjang sekali", "lanjutan di halaman dua"), ("Target",))
    found = "Uraian yang panjang sekali Target\n\fNO URAIAN TARGET\nlanjutan di halaman dua\nSesudah"
    assert missing_texts([row, (("Sesudah",),)], found) == []


def test_texts_of_headers_and_boxes_are_found_anywhere_and_dashes_alone_are_not_checked() -> None:
    assert missing_texts(paragraphs("isi", "-", "  "), "isi KOP", anywhere=["KOP", "HILANG"]) == ["HILANG"]


def test_a_text_missing_twice_is_named_once() -> None:
    assert missing_texts(paragraphs("x y", "x y"), "") == ["x y"]


def _docx(document: WordDocument) -> bytes:
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def test_docx_texts_reads_paragraphs_rows_headers_and_leaves_out_what_is_not_printed() -> None:
    document = WordDocument()
    document.sections[0].header.paragraphs[0].text = "KOP DINAS"
    document.add_paragraph("Sebelum tabel")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Sel satu"
    table.cell(0, 1).text = "Baris 1"
    table.cell(0, 1).add_paragraph("Baris 2")
    hidden = document.add_paragraph("Terlihat")
    hidden.add_run(" tersembunyi").font.hidden = True
    field = document.add_paragraph("Halaman ")
    # Fields (a page number, a page count) print what Word cannot know; not checked.
    for xml in (  # python-docx has no API for fields or these characters
        f'<w:fldSimple {W} w:instr="PAGE"><w:r><w:t>7</w:t></w:r></w:fldSimple>',
        f'<w:r {W}><w:fldChar w:fldCharType="begin"/></w:r>',
        f'<w:r {W}><w:instrText xml:space="preserve"> NUMPAGES </w:instrText></w:r>',
        f'<w:r {W}><w:fldChar w:fldCharType="separate"/></w:r>',
        f"<w:r {W}><w:t>9</w:t></w:r>",
        f'<w:r {W}><w:fldChar w:fldCharType="end"/></w:r>',
        f"<w:r {W}><w:t>dari</w:t><w:noBreakHyphen/><w:t>nya</w:t><w:softHyphen/><w:tab/><w:t>x</w:t></w:r>",
    ):
        field._p.append(parse_xml(xml))
    texts = docx_texts(_docx(document))
    assert texts.body == (
        (("Sebelum tabel",),),
        (("Sel satu",), ("Baris 1", "Baris 2")),
        (("Terlihat",),),
        (("Halaman dari-nya x",),),
    )
    assert texts.elsewhere == ("KOP DINAS",)


def test_docx_texts_reads_text_boxes_apart_once() -> None:
    document = WordDocument()
    paragraph = document.add_paragraph("Isi")
    box = (
        f'<w:r {W} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
        '<mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><w:txbxContent>'
        "<w:p><w:r><w:t>Dalam kotak</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice>"
        "<mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>Dalam kotak</w:t></w:r></w:p>"
        "</w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
    )
    paragraph._p.append(parse_xml(box))
    texts = docx_texts(_docx(document))
    assert texts.body == ((("Isi",),),)
    assert texts.elsewhere == ("Dalam kotak",)


def test_allow_rows_to_split_removes_cant_split_only() -> None:
    document = WordDocument()
    table = document.add_table(rows=2, cols=1)
    for row in table.rows:
        row._tr.get_or_add_trPr().append(parse_xml(f"<w:cantSplit {W}/>"))
        row.cells[0].text = "baris"
    before = _docx(document)
    after = allow_rows_to_split(before)
    read = zipfile.ZipFile(io.BytesIO(after)).read("word/document.xml")
    assert b"cantSplit" not in read
    assert b"cantSplit" in zipfile.ZipFile(io.BytesIO(before)).read("word/document.xml")
    assert docx_texts(after) == docx_texts(before)
    assert sorted(zipfile.ZipFile(io.BytesIO(after)).namelist()) == sorted(
        zipfile.ZipFile(io.BytesIO(before)).namelist()
    )
