"""The visible stamp as a PNG, for providers that draw the signature appearance themselves (BSrE).

Same content as the stamp :func:`signing.pdf.approve` draws (name, NIP, role, time, a QR code to
the verification page), plus who signed: "Ditandatangani secara elektronik" and the provider.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

from signing.pdf import StampInfo, _format_waktu

__all__ = ["STAMP_DPI", "stamp_png"]

STAMP_DPI = 200

_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
_REGULAR = "DejaVuSans.ttf"
_BOLD = "DejaVuSans-Bold.ttf"

ImageFontType = ImageFont.FreeTypeFont | ImageFont.ImageFont


def stamp_png(stamp: StampInfo, *, width_pt: float, height_pt: float, penyedia: str) -> bytes:
    """Render the stamp at 200 dpi for a box of ``width_pt`` × ``height_pt`` PDF points.

    :param stamp: What the stamp says (as for :func:`signing.pdf.approve`).
    :param width_pt: Width of the signature box in points.
    :param height_pt: Its height.
    :param penyedia: The provider's name shown under "Ditandatangani secara elektronik".
    :return: PNG bytes (RGB, white background, with a 1-px border like the PDF stamp).
    :raises ValueError: for an empty box, or if ``stamp.waktu`` has no time zone.
    """
    if width_pt <= 0 or height_pt <= 0:
        raise ValueError("the stamp box must have a positive size")
    width = max(1, round(width_pt * STAMP_DPI / 72))
    height = max(1, round(height_pt * STAMP_DPI / 72))
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width - 1, height - 1), outline="black", width=max(1, round(STAMP_DPI / 72)))
    pad = max(2, round(height * 0.04))

    qr_side = height - 2 * pad
    if qr_side > width * 0.45:
        qr_side = round(width * 0.45)
    qr = _qr_image(stamp.verify_url, qr_side)
    image.paste(qr, (pad, (height - qr_side) // 2))

    lines: list[tuple[str, bool]] = [
        (stamp.nama, True),
        (f"{stamp.nomor}. {stamp.nip}", False),
        (stamp.peran_label, False),
        (_format_waktu(stamp.waktu), False),
        ("Ditandatangani secara elektronik", False),
        (f"oleh {penyedia}", False),
    ]
    left = pad * 2 + qr_side
    _draw_text_block(draw, lines, box=(left, pad, width - pad, height - pad))

    out = BytesIO()
    image.save(out, format="PNG", dpi=(STAMP_DPI, STAMP_DPI), optimize=True)
    return out.getvalue()


def _qr_image(url: str, side: int) -> Image.Image:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=1, box_size=1)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    modules = len(matrix)
    small = Image.new("1", (modules, modules), 1)
    small.putdata([0 if cell else 1 for row in matrix for cell in row])
    # Nearest-neighbour keeps the modules sharp at any size.
    return small.resize((max(side, modules), max(side, modules)), Image.Resampling.NEAREST).convert("RGB")


def _draw_text_block(
    draw: ImageDraw.ImageDraw, lines: list[tuple[str, bool]], *, box: tuple[int, int, int, int]
) -> None:
    """Largest font size at which every line fits the box (long names are shortened, not cut off)."""
    x1, y1, x2, y2 = box
    avail_w, avail_h = x2 - x1, y2 - y1
    size = max(6, avail_h // len(lines))
    while True:
        fonts = [_font(size, bold) for _text, bold in lines]
        line_h = round(size * 1.18)
        widths = [draw.textlength(text, font=font) for (text, _b), font in zip(lines, fonts, strict=True)]
        if (line_h * len(lines) <= avail_h and max(widths) <= avail_w) or size <= 6:
            break
        size -= 1
    y = y1 + max(0, (avail_h - line_h * len(lines)) // 2)
    for (text, _bold), font in zip(lines, fonts, strict=True):
        draw.text((x1, y), _fit(draw, text, font, avail_w), fill="black", font=font)
        y += line_h


def _fit(draw: ImageDraw.ImageDraw, text: str, font: ImageFontType, width: int) -> str:
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def _font(size: int, bold: bool) -> ImageFontType:
    name = _BOLD if bold else _REGULAR
    for directory in _FONT_DIRS:
        path = directory / name
        if path.exists():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)
