"""The kurva distribusi chart (forms.md A5): one PNG per capaian organisasi, opaque, of the printed size."""

from __future__ import annotations

import struct

import pytest

from service.documents.kurva import KATEGORI, POLA_KURVA, KurvaDistribusi, judul_kurva, kurva_png, png
from service.scoring import policy
from service.scoring.vocabulary import CAPAIAN_ORGANISASI

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_header(data: bytes) -> tuple[int, int, int]:
    """Width, height and colour type from the IHDR chunk (colour type 2: RGB, no alpha channel)."""
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height, data[25]


@pytest.mark.parametrize("capaian", CAPAIAN_ORGANISASI)
def test_one_opaque_png_of_the_printed_size_per_capaian(capaian: str) -> None:
    data = kurva_png(capaian, lebar_mm=140, tinggi_mm=58, dpi=200)
    # 140 mm and 58 mm at 200 dpi; RGB without alpha, so the PDF image carries no soft mask.
    assert png_header(data) == (1102, 457, 2)
    assert png_header(kurva_png(capaian, lebar_mm=70, tinggi_mm=29, dpi=100)) == (276, 114, 2)


def test_the_five_capaian_draw_five_different_curves() -> None:
    images = {capaian: kurva_png(capaian) for capaian in CAPAIAN_ORGANISASI}
    assert len(set(images.values())) == len(CAPAIAN_ORGANISASI)
    assert kurva_png("baik") == images["baik"], "the same arguments give the same bytes"


@pytest.mark.parametrize("capaian", CAPAIAN_ORGANISASI)
def test_each_guidance_curve_meets_the_pola_distribusi_of_its_capaian(capaian: str) -> None:
    shares = dict(zip((key for key, _ in KATEGORI), POLA_KURVA[capaian], strict=True))
    assert sum(shares.values()) == 100
    for rule in policy.POLA_DISTRIBUSI_6_2022[capaian]:
        assert rule.terpenuhi(sum(shares[p] for p in rule.predikat), 100), rule.aturan
    assert set(POLA_KURVA) == set(CAPAIAN_ORGANISASI)


def test_actual_counts_are_drawn_over_the_guidance_curve() -> None:
    alone = kurva_png("baik")
    unit = kurva_png(
        "baik", aktual={"sangat_baik": 3, "baik": 14, "butuh_perbaikan": 2, "kurang_misconduct": 1}
    )
    other = kurva_png("baik", aktual={"baik": 20})
    assert png_header(unit) == png_header(alone)
    assert len({alone, unit, other}) == 3


def test_unknown_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="capaian"):
        kurva_png("cukup")
    with pytest.raises(ValueError, match="predikat"):
        kurva_png("baik", aktual={"cukup": 1})
    with pytest.raises(ValueError, match="predikat"):
        kurva_png("baik", aktual={"baik": -1})
    with pytest.raises(ValueError, match="capaian"):
        png(KurvaDistribusi("cukup"))


def test_title_as_the_form_prints_it() -> None:
    assert judul_kurva("butuh_perbaikan") == (
        "KURVA DISTRIBUSI PREDIKAT KINERJA PEGAWAI DENGAN CAPAIAN KINERJA ORGANISASI BUTUH PERBAIKAN"
    )
    assert png(KurvaDistribusi("baik")) == kurva_png("baik")
    assert png(KurvaDistribusi("baik", lebar_mm=70)) == kurva_png("baik", lebar_mm=70)
