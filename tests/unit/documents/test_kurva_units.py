"""Five units, one per capaian kinerja organisasi, each with the distribution its pola asks for: the
penetapan's hasil finds no warning for any of them, and the kurva of each (the chart the penetapan
prints, :func:`service.documents.kurva.kurva_png` with the unit's counts) is drawn side by side.

Set ``SKP_UPDATE_FORM_PREVIEWS=1`` to write the picture to
``docs/forms/penetapan_predikat__kurva_5_unit.png``.
"""

from __future__ import annotations

import io
import os
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from service.documents.kurva import kurva_png
from service.schemas import load_payload
from service.scoring import score_payload
from tests.unit.documents.support import ROOT, raw_example

#: predikat → (rating hasil kerja, rating perilaku kerja) of its kuadran.
RATINGS = {
    "sangat_baik": ("di_atas_ekspektasi", "di_atas_ekspektasi"),
    "baik": ("sesuai_ekspektasi", "sesuai_ekspektasi"),
    "butuh_perbaikan": ("di_bawah_ekspektasi", "sesuai_ekspektasi"),
    "kurang_misconduct": ("sesuai_ekspektasi", "di_bawah_ekspektasi"),
    "sangat_kurang": ("di_bawah_ekspektasi", "di_bawah_ekspektasi"),
}
#: (unit kerja, capaian organisasi, pegawai per predikat best first), as a Bupati might set them.
UNITS = (
    ("Badan Pendapatan Daerah", "istimewa", (22, 14, 3, 1, 0)),
    ("Dinas Komunikasi dan Informatika", "baik", (8, 38, 9, 4, 1)),
    ("Dinas Perhubungan", "butuh_perbaikan", (3, 9, 31, 5, 2)),
    ("Dinas Pasar", "kurang", (1, 3, 5, 18, 3)),
    ("UPT Pengelolaan Sampah", "sangat_kurang", (0, 2, 3, 4, 16)),
)
PICTURE = ROOT / "docs" / "forms" / "penetapan_predikat__kurva_5_unit.png"


def _penetapan(unit: str, capaian: str, counts: tuple[int, ...]) -> dict[str, Any]:
    data = raw_example("permenpanrb_6_2022_penetapan_predikat")
    template = data["daftar_pegawai"][0]
    rows, index = [], 0
    for predikat, count in zip(RATINGS, counts, strict=True):
        for _ in range(count):
            index += 1
            hasil_kerja, perilaku = RATINGS[predikat]
            lahir = f"19{80 + index % 15}{index % 12 + 1:02d}{index % 28 + 1:02d}"
            nip = f"{lahir}2010{index % 12 + 1:02d}1{index:03d}"
            rows.append(
                {
                    **template,
                    "nama": f"Pegawai {index}",
                    "nip": nip,
                    "rating_hasil_kerja": hasil_kerja,
                    "rating_perilaku_kerja": perilaku,
                }
            )
    data.update(unit_kerja=unit, capaian_organisasi=capaian, daftar_pegawai=rows)
    return data


def test_five_units_each_meet_their_pola_and_are_drawn_side_by_side() -> None:
    panels = []
    for unit, capaian, counts in UNITS:
        hasil = score_payload(load_payload(_penetapan(unit, capaian, counts)))
        assert hasil["warnings"] == [], (unit, hasil["warnings"])
        assert all(rule["terpenuhi"] for rule in hasil["pola_distribusi"])
        aktual = {predikat: value["jumlah"] for predikat, value in hasil["distribusi"].items()}
        assert tuple(aktual.values()) == counts
        # As the penetapan prints it: 140 mm wide (here at 110 dpi), its title above it in words.
        chart = Image.open(io.BytesIO(kurva_png(capaian, aktual=aktual, lebar_mm=140, dpi=110)))
        panel = Image.new("RGB", (chart.width, chart.height + 52), "white")
        panel.paste(chart, (0, 52))
        draw, font = ImageDraw.Draw(panel), ImageFont.load_default(size=17)
        draw.text((10, 4), f"{unit} ({sum(counts)} pegawai)", fill="black", font=font)
        judul = f"Capaian kinerja organisasi: {capaian.replace('_', ' ').upper()}"
        draw.text((10, 26), judul, fill="#1F4E79", font=font)
        panels.append(panel)
    picture = Image.new("RGB", (sum(p.width for p in panels), panels[0].height), "white")
    for index, panel in enumerate(panels):
        picture.paste(panel, (index * panels[0].width, 0))
    assert picture.width == 5 * panels[0].width
    assert len({p.tobytes() for p in panels}) == 5
    if os.environ.get("SKP_UPDATE_FORM_PREVIEWS"):
        picture.save(PICTURE, optimize=True)
