"""The instance's Garuda (``lambang``) and letterhead (``kop``): printed where forms.md puts them when
the instance has them, absent without a trace when it does not, and the PDF stays PDF/A.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image

from service.documents.converter import LibreOfficeConverter
from service.documents.gambar import FormImageError, load_form_images
from service.documents.render import render_document
from tests.unit.documents.support import PACKAGED, load, raw_example, run


def _png(path: Path, size: tuple[int, int], *, alpha: bool) -> Path:
    """A real image file as an agency would drop it in (with a transparent background if ``alpha``)."""
    image = Image.new("RGBA" if alpha else "RGB", size, (0, 0, 0, 0) if alpha else "white")
    for x in range(size[0] // 4, 3 * size[0] // 4):
        for y in range(size[1] // 4, 3 * size[1] // 4):
            image.putpixel((x, y), (180, 20, 20, 255) if alpha else (180, 20, 20))
    image.save(path)
    return path


def test_images_are_made_opaque_and_only_those_that_exist_are_taken(tmp_path: Path) -> None:
    lambang = _png(tmp_path / "lambang.png", (120, 120), alpha=True)
    images = load_form_images({"lambang": lambang, "kop": tmp_path / "tidak-ada.png"})
    assert set(images) == {"lambang"}
    with Image.open(io.BytesIO(images["lambang"].png)) as flat:
        assert flat.mode == "RGB"  # no alpha: the PDF needs no soft mask
        assert flat.getpixel((0, 0)) == (255, 255, 255)  # transparency became white
        assert flat.getpixel((60, 60)) == (180, 20, 20)
    (tmp_path / "rusak.png").write_bytes(b"bukan gambar")
    with pytest.raises(FormImageError, match=re.escape("rusak.png")):
        load_form_images({"kop": tmp_path / "rusak.png"})


def _pdf(converter: LibreOfficeConverter, example: str, images: dict[str, object]) -> bytes:
    payload, hasil = load(raw_example(example))
    docx = render_document(payload, hasil, packaged_dir=PACKAGED, images=images)  # type: ignore[arg-type]
    return converter.convert(docx, timeout=60)


def _images_on_page_1(pdf: bytes, tmp_path: Path) -> list[tuple[int, int]]:
    path = tmp_path / "form.pdf"
    path.write_bytes(pdf)
    listing = run("pdfimages", "-list", "-f", "1", "-l", "1", str(path)).splitlines()[2:]
    return [(int(line.split()[3]), int(line.split()[4])) for line in listing]


@pytest.mark.slow  # drives LibreOffice
@pytest.mark.parametrize("example", ["permenpanrb_6_2022_dokumen_penilaian", "pp46_2011_dokumen_penilaian"])
def test_the_garuda_and_the_letterhead_print_when_given(
    example: str, converter: LibreOfficeConverter, tmp_path: Path
) -> None:
    images = load_form_images(
        {
            "lambang": _png(tmp_path / "lambang.png", (300, 320), alpha=True),
            "kop": _png(tmp_path / "kop.png", (1800, 240), alpha=False),
        }
    )
    plain = _pdf(converter, example, {})
    dressed = _pdf(converter, example, dict(images))
    assert _images_on_page_1(plain, tmp_path) == []  # without images the layout has none
    # LibreOffice may resample an image to the PDF's resolution: compare shapes, not pixels.
    shapes = sorted(round(w / h, 1) for w, h in _images_on_page_1(dressed, tmp_path))
    assert shapes == [round(300 / 320, 1), round(1800 / 240, 1)]
    path = tmp_path / "dressed.pdf"
    path.write_bytes(dressed)
    meta = run("pdfinfo", "-meta", str(path))
    assert re.search(r"<pdfaid:part>2</pdfaid:part>", meta)
    assert "/SMask" not in dressed.decode("latin-1")  # no transparency reached the PDF


@pytest.mark.slow  # drives LibreOffice
def test_a_form_without_the_garuda_prints_only_the_letterhead(
    converter: LibreOfficeConverter, tmp_path: Path
) -> None:
    images = load_form_images(
        {
            "lambang": _png(tmp_path / "lambang.png", (300, 320), alpha=True),
            "kop": _png(tmp_path / "kop.png", (1800, 240), alpha=False),
        }
    )
    # The 6/2022 SKP carries no Garuda (forms.md A1/A2); any form may carry the agency's letterhead.
    assert _images_on_page_1(_pdf(converter, "permenpanrb_6_2022_skp", dict(images)), tmp_path) == [
        (1800, 240)
    ]


def test_a_broken_image_file_stops_the_start(app_config: dict[str, object], tmp_path: Path) -> None:
    """An operator finds a broken letterhead at start, with its name, not as failed documents later."""
    from service import create_app
    from service.config import ConfigError

    (tmp_path / "kop.png").write_bytes(b"bukan gambar")
    with pytest.raises(ConfigError, match=re.escape(str(tmp_path / "kop.png"))):
        create_app({**app_config, "KOP_IMAGE": str(tmp_path / "kop.png")})
