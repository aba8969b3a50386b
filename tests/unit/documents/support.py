"""Payloads for the document tests: the examples of ``examples/`` (validated and scored) and variants."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

from service.documents.render import render_document
from service.interfaces import PdfConverter
from service.schemas import load_payload
from service.scoring import score_payload

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"
PACKAGED = ROOT / "form_templates"


def raw_example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def load(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Validated payload and its hasil, as the service has them when it renders."""
    payload: dict[str, Any] = load_payload(copy.deepcopy(data))
    return payload, score_payload(payload)


def evaluasi_jpt() -> dict[str, Any]:
    data = raw_example("permenpanrb_6_2022_skp_jpt")
    data["type"] = "evaluasi"
    data["evaluasi"] = {
        "capaian_organisasi": "baik",
        "rating_hasil_kerja": "di_atas_ekspektasi",
        "rating_perilaku_kerja": "sesuai_ekspektasi",
        "umpan_balik": "Pimpinan: pertahankan capaian pada semua perspektif.",
    }
    for item in data["skp"]["hasil_kerja"]:
        item["realisasi"] = "Tercapai sesuai target berdasarkan bukti dukung"
    return data


def skp_guru() -> dict[str, Any]:
    data = raw_example("pp46_2011_evaluasi_guru")
    data["type"] = "skp"
    return data


def coaching_8_2021(name: str) -> dict[str, Any]:
    """A coaching example of 6/2022 moved to a period of PermenPANRB 8/2021 (Juli–Desember 2021),
    its pegawai a PNS (a PPPK is assessed from 6/2022 on).
    """
    data = raw_example(f"permenpanrb_6_2022_{name}")
    data["regime"] = "permenpanrb_8_2021"
    data["periode"] = {"mulai": "2021-07-01", "selesai": "2021-09-30", "jenis": "triwulan_iii"}
    data["tanggal"] = "2021-08-16"
    data["pegawai"] = raw_example("permenpanrb_6_2022_konseling")["pegawai"]
    for part in ("bimbingan", "konseling"):
        if part in data:
            data[part]["tanggal"] = "2021-08-16"
            if "batas_waktu" in data[part]:
                data[part]["batas_waktu"] = "2021-09-15"
    return data


#: Form template → the example payload (raw JSON) that shows it best.
FORM_EXAMPLES: dict[str, Any] = {
    "permenpanrb_6_2022/skp.docx": lambda: raw_example("permenpanrb_6_2022_skp"),
    "permenpanrb_6_2022/skp_jpt.docx": lambda: raw_example("permenpanrb_6_2022_skp_jpt"),
    "permenpanrb_6_2022/manual_iku.docx": lambda: raw_example("permenpanrb_6_2022_manual_iku"),
    "permenpanrb_6_2022/evaluasi.docx": lambda: raw_example("permenpanrb_6_2022_evaluasi_tahunan"),
    "permenpanrb_6_2022/evaluasi_jpt.docx": evaluasi_jpt,
    "permenpanrb_6_2022/dokumen_penilaian.docx": lambda: raw_example("permenpanrb_6_2022_dokumen_penilaian"),
    "permenpanrb_8_2021/skp.docx": lambda: raw_example("permenpanrb_8_2021_skp"),
    "permenpanrb_8_2021/skp_jpt.docx": lambda: raw_example("permenpanrb_8_2021_skp_jpt"),
    "permenpanrb_8_2021/skp_pengembangan.docx": lambda: raw_example("permenpanrb_8_2021_skp_pengembangan"),
    "permenpanrb_8_2021/evaluasi.docx": lambda: raw_example("permenpanrb_8_2021_evaluasi"),
    "permenpanrb_8_2021/evaluasi_jpt.docx": lambda: raw_example("permenpanrb_8_2021_evaluasi_jpt"),
    "permenpanrb_8_2021/evaluasi_pengembangan.docx": lambda: raw_example(
        "permenpanrb_8_2021_evaluasi_pengembangan"
    ),
    "permenpanrb_8_2021/dokumen_penilaian.docx": lambda: raw_example("permenpanrb_8_2021_dokumen_penilaian"),
    "pp46_2011/skp.docx": lambda: raw_example("pp46_2011_skp"),
    "pp46_2011/skp_guru.docx": skp_guru,
    "pp46_2011/evaluasi.docx": lambda: raw_example("pp46_2011_evaluasi"),
    "pp46_2011/dokumen_penilaian.docx": lambda: raw_example("pp46_2011_dokumen_penilaian"),
    "permenpanrb_6_2022/penetapan_predikat.docx": lambda: raw_example(
        "permenpanrb_6_2022_penetapan_predikat"
    ),
    "permenpanrb_8_2021/peringkat.docx": lambda: raw_example("permenpanrb_8_2021_peringkat"),
    "permenpanrb_8_2021/catatan_bimbingan.docx": lambda: coaching_8_2021("catatan_bimbingan"),
    "permenpanrb_6_2022/catatan_bimbingan.docx": lambda: raw_example("permenpanrb_6_2022_catatan_bimbingan"),
    "permenpanrb_6_2022/umpan_balik_bimbingan.docx": lambda: raw_example(
        "permenpanrb_6_2022_umpan_balik_bimbingan"
    ),
    "permenpanrb_8_2021/konseling.docx": lambda: coaching_8_2021("konseling"),
    "permenpanrb_6_2022/konseling.docx": lambda: raw_example("permenpanrb_6_2022_konseling"),
}


def pdftotext(pdf: Path, *, first: int | None = None, last: int | None = None) -> str:
    args = ["pdftotext", "-layout"]
    if first is not None:
        args += ["-f", str(first)]
    if last is not None:
        args += ["-l", str(last)]
    return subprocess.run([*args, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def words(text: str) -> str:
    """Whitespace collapsed, so a phrase is found whatever the line breaks."""
    return " ".join(text.split())


def run(*args: str) -> str:
    return subprocess.run(list(args), capture_output=True, text=True, check=True).stdout


def to_pdf(data: dict[str, Any], converter: PdfConverter, path: Path) -> Path:
    """A payload rendered and converted as the pipeline does it, written to ``path``."""
    payload, hasil = load(data)
    docx = render_document(payload, hasil, packaged_dir=PACKAGED, verification_code="ABC123")
    path.write_bytes(converter.convert(docx, timeout=60))
    return path


def reading_order(path: Path) -> str:
    """The PDF's text cell by cell (pdftotext without ``-layout``, which interleaves side-by-side cells)."""
    return words(run("pdftotext", str(path), "-"))
