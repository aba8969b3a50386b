"""Images an instance provides for its forms: the Garuda (``lambang``) and the agency's letterhead
(``kop``).

Forms print them only when the instance has them (a form without them stays clean). Each is made
an opaque RGB PNG once, when loaded: an alpha channel is flattened onto white, so the PDF needs no
soft mask and stays PDF/A whatever file an agency drops in.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

__all__ = ["IMAGE_WIDTH_MM", "FormImageError", "Gambar", "load_form_images"]

#: How wide each image prints: the Garuda small and centred, the letterhead across a portrait page.
IMAGE_WIDTH_MM = {"lambang": 22.0, "kop": 180.0}

#: Largest image file taken (a letterhead is a few hundred kB; anything bigger is a mistake).
MAX_IMAGE_BYTES = 5 * 1024 * 1024


class FormImageError(Exception):
    """An image file an instance configured cannot be used (named, with why)."""


@dataclass(frozen=True)
class Gambar:
    """An image placed inline in a form (:func:`service.documents.render.render_template`)."""

    png: bytes
    lebar_mm: float


def _opaque_png(data: bytes, name: str) -> bytes:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
                rgba = image.convert("RGBA")
                flat = Image.new("RGB", rgba.size, "white")
                flat.paste(rgba, mask=rgba.getchannel("A"))
            else:
                flat = image.convert("RGB")
    except (UnidentifiedImageError, OSError) as error:
        raise FormImageError(f"{name} is not an image Pillow can read ({error})") from None
    output = io.BytesIO()
    flat.save(output, format="PNG")
    return output.getvalue()


def load_form_images(paths: dict[str, Path]) -> dict[str, Gambar]:
    """The images of ``paths`` (by context key: ``lambang``, ``kop``) that exist, ready to place.

    :raises FormImageError: a file exists but is too large or not an image.
    """
    images: dict[str, Gambar] = {}
    for key, path in paths.items():
        if not path.is_file():
            continue
        data = path.read_bytes()
        if len(data) > MAX_IMAGE_BYTES:
            raise FormImageError(f"{path} is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MiB")
        images[key] = Gambar(png=_opaque_png(data, str(path)), lebar_mm=IMAGE_WIDTH_MM[key])
    return images
