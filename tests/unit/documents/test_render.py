"""Rendering: sandbox, escaping, instance overrides, readable template errors, template checks."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from docx import Document

from service.documents.context import build_context
from service.documents.converter import LibreOfficeConverter
from service.documents.render import TemplateRenderError, render_document, render_template, template_name
from service.documents.templates_check import check_templates
from tests.unit.documents.support import FORM_EXAMPLES, PACKAGED, load, pdftotext, words

NAME = "permenpanrb_8_2021/skp.docx"


def make_template(path: Path, *lines: str) -> Path:
    """A one-paragraph-per-line .docx; each line is one run."""
    document = Document()
    for line in lines:
        document.add_paragraph(line)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def text_of(docx: bytes) -> str:
    document = Document(io.BytesIO(docx))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


@pytest.fixture
def example() -> tuple[dict, dict]:  # type: ignore[type-arg]
    return load(FORM_EXAMPLES[NAME]())


@pytest.mark.parametrize(
    "tag",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__ }}",
        "{{ pegawai.__class__.__init__.__globals__ }}",
        "{% for c in ().__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    ],
)
def test_sandbox_refuses_attribute_tricks(tag: str, tmp_path: Path, example: tuple[dict, dict]) -> None:  # type: ignore[type-arg]
    payload, hasil = example
    instance = tmp_path / "instance"
    make_template(instance / NAME, "Nama: {{ pegawai.nama }}", tag)
    with pytest.raises(TemplateRenderError) as caught:
        render_document(payload, hasil, packaged_dir=PACKAGED, instance_dir=instance)
    message = str(caught.value)
    assert NAME in message
    assert "Traceback" not in message
    assert "\n" not in message


def test_instance_template_wins(tmp_path: Path, example: tuple[dict, dict]) -> None:  # type: ignore[type-arg]
    payload, hasil = example
    instance = tmp_path / "instance"
    make_template(instance / NAME, "TEMPLAT INSTANSI {{ pegawai.nama }} [[ttd:pegawai]]")
    docx = render_document(payload, hasil, packaged_dir=PACKAGED, instance_dir=instance)
    assert f"TEMPLAT INSTANSI {payload['pegawai']['nama']}" in text_of(docx)
    # Other names still come from the packaged templates.
    other = load(FORM_EXAMPLES["pp46_2011/skp.docx"]())
    packaged = render_document(*other, packaged_dir=PACKAGED, instance_dir=instance)
    assert "FORMULIR SASARAN KERJA" in text_of(packaged)


@pytest.mark.slow  # drives LibreOffice
def test_escaping_and_control_characters(
    converter: LibreOfficeConverter, tmp_path: Path, example: tuple[dict, dict]
) -> None:  # type: ignore[type-arg]
    payload, hasil = example
    payload["pegawai"]["jabatan"] = "Analis <b>Data</b> & \"Statistik\" \x00\x07\x1b'Utama'"
    payload["skp"]["kinerja_utama"][0]["iki"] = "Persentase < 5 % & > 2 %\x0bterlapor\ufffe"
    payload["instansi"] = "Dinas A&B <script>alert(1)</script>"
    docx = render_document(payload, hasil, packaged_dir=PACKAGED)
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        xml = archive.read("word/document.xml").decode()
    assert "<b>Data" not in xml
    assert "<script>" not in xml
    text = text_of(docx)
    assert "Analis <b>Data</b> & \"Statistik\" 'Utama'" in text
    assert "Persentase < 5 % & > 2 % terlapor" in text
    path = tmp_path / "escaped.pdf"
    path.write_bytes(converter.convert(docx, timeout=60))
    pdf_text = words(pdftotext(path))
    assert "Analis <b>Data</b> & \"Statistik\" 'Utama'" in pdf_text
    assert "DINAS A&B <SCRIPT>ALERT(1)</SCRIPT>" in pdf_text


def test_very_long_text_renders(example: tuple[dict, dict]) -> None:  # type: ignore[type-arg]
    payload, hasil = example
    payload["skp"]["kinerja_utama"][0]["iki"] = "sangat panjang " * 2000
    assert "sangat panjang sangat panjang" in text_of(render_document(payload, hasil, packaged_dir=PACKAGED))


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        (["{{ pegawai.nama "], "sintaks Jinja salah"),
        (["{% for x in kegiatan %}"], "sintaks Jinja salah"),
        (["{{ tidak_ada.sama_sekali }}"], "variabel tidak dikenal"),
        (["{{ pegawai.nama_lengkap }}"], "variabel tidak dikenal"),
    ],
)
def test_broken_template_gives_a_readable_error(
    lines: list[str], reason: str, tmp_path: Path, example: tuple[dict, dict]
) -> None:  # type: ignore[type-arg]
    path = make_template(tmp_path / "broken.docx", *lines)
    context = build_context(*example)
    with pytest.raises(TemplateRenderError, match=reason) as caught:
        render_template(path, context, name="broken.docx")
    assert "Traceback" not in str(caught.value)


def test_not_a_word_file(tmp_path: Path, example: tuple[dict, dict]) -> None:  # type: ignore[type-arg]
    instance = tmp_path / "instance"
    (instance / NAME).parent.mkdir(parents=True)
    (instance / NAME).write_bytes(b"this is not a zip file")
    with pytest.raises(TemplateRenderError, match="bukan dokumen Word"):
        render_document(*example, packaged_dir=PACKAGED, instance_dir=instance)


def test_no_template_for_the_payload(example: tuple[dict, dict]) -> None:  # type: ignore[type-arg]
    payload, _ = example
    with pytest.raises(TemplateRenderError, match="Manual IKU"):
        template_name({**payload, "type": "manual_iku"})
    with pytest.raises(TemplateRenderError, match="tidak ditemukan"):
        render_document(payload, {}, packaged_dir=Path("/nonexistent"))


def test_packaged_templates_pass_the_check() -> None:
    assert check_templates(PACKAGED) == []


def test_check_reports_problems(tmp_path: Path) -> None:
    make_template(tmp_path / "ok.docx", "{{ pegawai.nama }} [[ttd:pegawai]]")
    make_template(tmp_path / "bad/syntax.docx", "{{ pegawai.nama [[ttd:pegawai]]", "{% if %}")
    make_template(tmp_path / "bad/unknown.docx", "{{ gaji_pokok }} {{ pegawai.nama }} [[ttd:pegawai]]")
    make_template(tmp_path / "bad/nomarker.docx", "{{ pegawai.nama }}")
    split = Document()
    paragraph = split.add_paragraph()
    paragraph.add_run("Nama: {{ pegawai.")
    paragraph.add_run("nama }} [[ttd:pegawai]]")
    split.save(str(tmp_path / "bad/split.docx"))
    (tmp_path / "bad/broken.docx").write_bytes(b"PK\x03\x04 nope")
    # Named after a form: its signing blocks must be that form's signers (service.scoring.penandatangan).
    make_template(tmp_path / "pp46_2011/evaluasi.docx", "[[ttd:pegawai]] [[ttd:pejabat_penilai]]")
    make_template(tmp_path / "permenpanrb_6_2022/skp_jpt.docx", "[[ttd:pejabat_penilai]]")
    make_template(
        tmp_path / "permenpanrb_6_2022/evaluasi_jpt.docx",
        "[[ttd:pejabat_penilai]] [[ttd:atasan_pejabat_penilai]]",
    )

    problems = check_templates(tmp_path)
    found = {(p.template, p.kind) for p in problems}
    assert ("bad/split.docx", "split_tag") in found
    assert ("bad/syntax.docx", "unclosed_tag") in found
    assert ("bad/syntax.docx", "syntax") in found
    assert ("bad/unknown.docx", "unknown_variable") in found
    assert ("bad/nomarker.docx", "no_marker") in found
    assert ("bad/broken.docx", "unreadable") in found
    assert ("pp46_2011/evaluasi.docx", "extra_signer") in found
    assert ("permenpanrb_6_2022/skp_jpt.docx", "missing_signer") in found
    assert not any(p.template == "permenpanrb_6_2022/evaluasi_jpt.docx" for p in problems)
    assert not any(p.template == "ok.docx" for p in problems)
    assert any("gaji_pokok" in str(p) for p in problems)
