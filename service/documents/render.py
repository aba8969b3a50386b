"""Fill a form template with docxtpl inside a Jinja sandbox with autoescaping.

Templates are looked up by relative name (``permenpanrb_6_2022/skp.docx``): a file of that name under
the instance's ``form_templates/`` wins over the packaged one, so an agency can restyle a form
without touching the code. Any failure of a template becomes :class:`TemplateRenderError` with a
message a person can act on (the Jinja line and reason), never a stack trace.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import jinja2
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2.sandbox import SandboxedEnvironment

from service.documents import kurva
from service.documents.context import build_context
from service.documents.context.permenpanrb_6_2022 import KurvaDistribusi
from service.documents.gambar import Gambar
from service.scoring.penandatangan import PENANDATANGAN
from service.scoring.vocabulary import (
    COACHING_TYPES,
    DOCUMENT_TYPES,
    PERMENPANRB_6_2022,
    PERMENPANRB_8_2021,
    PP46_2011,
    REGIME_IDS,
    UNIT_TYPES,
)

__all__ = [
    "TEMPLATE_NAMES",
    "TemplateRenderError",
    "make_environment",
    "render_document",
    "render_template",
    "resolve_template",
    "template_name",
]

#: Every packaged form, by regime.
TEMPLATE_NAMES = (
    "permenpanrb_6_2022/skp.docx",
    "permenpanrb_6_2022/skp_jpt.docx",
    "permenpanrb_6_2022/manual_iku.docx",
    "permenpanrb_6_2022/evaluasi.docx",
    "permenpanrb_6_2022/evaluasi_jpt.docx",
    "permenpanrb_6_2022/dokumen_penilaian.docx",
    "permenpanrb_8_2021/skp.docx",
    "permenpanrb_8_2021/skp_jpt.docx",
    "permenpanrb_8_2021/skp_pengembangan.docx",
    "permenpanrb_8_2021/evaluasi.docx",
    "permenpanrb_8_2021/evaluasi_jpt.docx",
    "permenpanrb_8_2021/evaluasi_pengembangan.docx",
    "permenpanrb_8_2021/dokumen_penilaian.docx",
    "pp46_2011/skp.docx",
    "pp46_2011/skp_guru.docx",
    "pp46_2011/evaluasi.docx",
    "pp46_2011/dokumen_penilaian.docx",
    # Unit and coaching documents (forms.md §E): one form per (regime, type) of PENANDATANGAN.
    "permenpanrb_6_2022/penetapan_predikat.docx",
    "permenpanrb_8_2021/peringkat.docx",
    "permenpanrb_8_2021/catatan_bimbingan.docx",
    "permenpanrb_6_2022/catatan_bimbingan.docx",
    "permenpanrb_6_2022/umpan_balik_bimbingan.docx",
    "permenpanrb_8_2021/konseling.docx",
    "permenpanrb_6_2022/konseling.docx",
)


class TemplateRenderError(Exception):
    """A template is missing or broken; the message names the template and the problem."""


def template_name(payload: Mapping[str, Any]) -> str:
    """The relative template name for a payload's regime, type and details.

    JPT forms of 6/2022 and 8/2021 (``pegawai.jenis_jabatan == "jpt"``) have their own SKP and
    evaluasi layout (perspektif instead of the intervened RHK and aspek); an 8/2021 SKP of
    ``skp.model == "pengembangan"`` (JA/JF) has the standar kinerja columns; a PP 46/2011 SKP whose
    kegiatan carry angka kredit uses the guru/JF variant with the angka kredit total. A unit or
    coaching document has one form per regime that has it (those of ``PENANDATANGAN``).

    :raises TemplateRenderError: for a regime or type without a form (manual IKU exists for 6/2022 only).
    """
    regime, kind = payload.get("regime"), payload.get("type")
    if regime not in REGIME_IDS or kind not in DOCUMENT_TYPES:
        raise TemplateRenderError(f"Tidak ada templat untuk regime {regime!r} dan jenis dokumen {kind!r}.")
    if kind in UNIT_TYPES or kind in COACHING_TYPES:
        if (regime, kind) not in PENANDATANGAN:
            raise TemplateRenderError(
                f"Tidak ada templat untuk regime {regime!r} dan jenis dokumen {kind!r}."
            )
        return f"{regime}/{kind}.docx"
    if kind == "manual_iku" and regime != PERMENPANRB_6_2022:
        raise TemplateRenderError("Manual IKU hanya ada pada PermenPANRB 6/2022.")
    pegawai = payload.get("pegawai")
    jpt = isinstance(pegawai, Mapping) and pegawai.get("jenis_jabatan") == "jpt"
    if regime in (PERMENPANRB_6_2022, PERMENPANRB_8_2021) and kind in ("skp", "evaluasi") and jpt:
        return f"{regime}/{kind}_jpt.docx"
    pengembangan = (payload.get("skp") or {}).get("model") == "pengembangan"
    if regime == PERMENPANRB_8_2021 and kind in ("skp", "evaluasi") and pengembangan:
        return f"{regime}/{kind}_pengembangan.docx"
    if regime == PP46_2011 and kind == "skp":
        kegiatan = (payload.get("skp") or {}).get("kegiatan") or []
        if any(isinstance(k, Mapping) and k.get("angka_kredit") is not None for k in kegiatan):
            return "pp46_2011/skp_guru.docx"
    return f"{regime}/{kind}.docx"


def resolve_template(name: str, *, packaged_dir: Path, instance_dir: Path | None) -> Path:
    """The instance's copy of ``name`` when there is one, else the packaged file.

    :raises TemplateRenderError: the name leaves the template folders, or no such file exists.
    """
    relative = Path(name)
    if relative.is_absolute() or ".." in relative.parts:
        raise TemplateRenderError(f"Nama templat tidak sah: {name}")
    for base in (instance_dir, packaged_dir):
        if base is not None and (Path(base) / relative).is_file():
            return Path(base) / relative
    raise TemplateRenderError(f"Templat {name} tidak ditemukan.")


def make_environment() -> SandboxedEnvironment:
    """The Jinja environment for forms: sandboxed (no attribute tricks), autoescaped, strict undefined."""
    return SandboxedEnvironment(autoescape=True, undefined=jinja2.StrictUndefined)


def _describe(error: Exception) -> str:
    if isinstance(error, jinja2.TemplateSyntaxError):
        return f"sintaks Jinja salah ({error.message})"
    if isinstance(error, jinja2.exceptions.SecurityError):
        return f"ekspresi terlarang ({error})"
    if isinstance(error, jinja2.UndefinedError):
        return f"variabel tidak dikenal ({error.message})"
    if isinstance(error, zipfile.BadZipFile | KeyError) or type(error).__name__ == "PackageNotFoundError":
        return "berkas bukan dokumen Word (.docx) yang utuh"
    text = re.sub(r"\s+", " ", str(error)).strip()
    return f"{type(error).__name__}: {text[:300]}" if text else type(error).__name__


def _with_images(template: DocxTemplate, context: Mapping[str, Any]) -> dict[str, Any]:
    """The context with each chart (:class:`KurvaDistribusi`) drawn and each instance image
    (:class:`~service.documents.gambar.Gambar`) placed as an inline image.
    """

    def placed(value: Any) -> Any:
        if isinstance(value, KurvaDistribusi):
            return InlineImage(template, io.BytesIO(kurva.png(value)), width=Mm(value.lebar_mm))
        if isinstance(value, Gambar):
            return InlineImage(template, io.BytesIO(value.png), width=Mm(value.lebar_mm))
        return value

    return {key: placed(value) for key, value in context.items()}


def render_template(path: Path, context: Mapping[str, Any], *, name: str | None = None) -> bytes:
    """Render one ``.docx`` template with a ready context; the filled Word file as bytes.

    :raises TemplateRenderError: the file is not a Word document or its template code fails.
    """
    label = name or path.name
    try:
        template = DocxTemplate(str(path))
        template.render(_with_images(template, context), jinja_env=make_environment())
        output = io.BytesIO()
        template.save(output)
    except Exception as error:  # noqa: BLE001  (every template failure is reported the same readable way)
        raise TemplateRenderError(f"Templat {label} tidak dapat diisi: {_describe(error)}.") from None
    return output.getvalue()


def render_document(
    payload: Mapping[str, Any],
    hasil: Mapping[str, Any] | None,
    *,
    packaged_dir: Path,
    instance_dir: Path | None = None,
    verification_code: str | None = None,
    signers: Collection[str] | None = None,
    images: Mapping[str, Gambar] | None = None,
) -> bytes:
    """The filled Word form for a validated payload and its ``hasil``.

    :param packaged_dir: the service's ``form_templates/``.
    :param instance_dir: the instance's ``form_templates/`` (overrides by relative name), if any.
    :param signers: the roles that sign (the document's signers; default: the form's own).
    :param images: the instance's ``lambang`` and ``kop``, those it has
        (:func:`~service.documents.gambar.load_form_images`); a form prints what it is given.
    :raises TemplateRenderError: no form for the payload, or the template is broken.
    """
    name = template_name(payload)
    path = resolve_template(name, packaged_dir=packaged_dir, instance_dir=instance_dir)
    context = build_context(payload, hasil, verification_code=verification_code, signers=signers)
    context.update(images or {})
    return render_template(path, context, name=name)
