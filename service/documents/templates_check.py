"""Static checks of Word form templates (``flask --app service skp templates check``).

Reports, per template: docxtpl tags split over several runs (Word does that when a tag is edited in
pieces; such a tag is fragile), Jinja that does not parse after docxtpl's preprocessing, variables
the context never provides (:data:`~service.documents.context.CONTEXT_KEYS`), templates without
any signature marker, and a form's template (``<regime>/<type>[_variant].docx``) whose signing blocks
are not its signers' (:mod:`service.scoring.penandatangan`): a missing one cannot be signed, an extra
one prints a signing space nobody signs.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import jinja2
from docx.oxml.parser import parse_xml
from docxtpl import DocxTemplate
from jinja2 import meta

from service.documents.context import CONTEXT_KEYS, MARKERS
from service.documents.render import make_environment
from service.scoring.penandatangan import ATASAN, PENANDATANGAN, PENANDATANGAN_BILA_ADA
from service.scoring.vocabulary import DOCUMENT_TYPES

__all__ = ["TemplateProblem", "check_template", "check_templates"]

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_OPEN = re.compile(r"\{\{|\{%|\{#")
_PARTS = re.compile(r"word/(document|header\d*|footer\d*|footnotes)\.xml$")


@dataclass(frozen=True)
class TemplateProblem:
    """One problem in one template."""

    template: str
    """Path relative to the checked directory, e.g. ``pp46_2011/skp.docx``."""
    kind: str
    """``unreadable``, ``split_tag``, ``unclosed_tag``, ``syntax``, ``unknown_variable``, ``no_marker``,
    ``missing_signer`` or ``extra_signer``."""
    message: str
    """What is wrong and where, for a person editing the template."""

    def __str__(self) -> str:
        return f"{self.template}: {self.message}"


def _split_tags(name: str, part: str, xml: bytes) -> list[TemplateProblem]:
    problems = []
    root = parse_xml(xml)
    for paragraph in root.iter(f"{_W}p"):
        runs = ["".join(t.text or "" for t in run.iter(f"{_W}t")) for run in paragraph.iter(f"{_W}r")]
        text = "".join(runs)
        if "{" not in text:
            continue
        owner = [i for i, run in enumerate(runs) for _ in run]
        for match in _TAG.finditer(text):
            if owner[match.start()] != owner[match.end() - 1]:
                problems.append(
                    TemplateProblem(
                        name,
                        "split_tag",
                        f"tag {match.group(0)!r} ({part}) is split over several runs; retype it in one go",
                    )
                )
        rest = _TAG.sub("", text)
        if _OPEN.search(rest):
            snippet = rest[_OPEN.search(rest).start() :][:60]  # type: ignore[union-attr]
            problems.append(TemplateProblem(name, "unclosed_tag", f"unclosed tag near {snippet!r} ({part})"))
    return problems


def check_template(path: Path, *, name: str | None = None) -> list[TemplateProblem]:
    """The problems of one ``.docx`` template (an empty list when it is fine)."""
    label = name or path.name
    try:
        with zipfile.ZipFile(path) as archive:
            parts = {n: archive.read(n) for n in archive.namelist() if _PARTS.search(n)}
    except (OSError, zipfile.BadZipFile) as error:
        return [TemplateProblem(label, "unreadable", f"not a Word (.docx) file: {error}")]
    if "word/document.xml" not in parts:
        return [TemplateProblem(label, "unreadable", "not a Word (.docx) file: no word/document.xml")]

    problems: list[TemplateProblem] = []
    for part, xml in sorted(parts.items()):
        try:
            problems.extend(_split_tags(label, part, xml))
        except SyntaxError as error:  # lxml's XMLSyntaxError
            problems.append(TemplateProblem(label, "unreadable", f"{part} is not well-formed XML: {error}"))

    env = make_environment()
    helper = DocxTemplate(str(path))
    unknown: set[str] = set()
    for part, xml in sorted(parts.items()):
        source = helper.patch_xml(xml.decode("utf-8"))
        try:
            tree = env.parse(source)
        except jinja2.TemplateSyntaxError as error:
            line = source.splitlines()[error.lineno - 1] if error.lineno else ""
            snippet = re.sub(r"<[^>]+>", "", line).strip()[:80]
            problems.append(
                TemplateProblem(
                    label, "syntax", f"Jinja syntax error in {part}: {error.message} (near {snippet!r})"
                )
            )
            continue
        unknown |= meta.find_undeclared_variables(tree) - CONTEXT_KEYS
    problems.extend(
        TemplateProblem(label, "unknown_variable", f"unknown variable {variable!r}; known: context keys")
        for variable in sorted(unknown)
    )
    body = parts["word/document.xml"].decode("utf-8", errors="replace")
    problems.extend(_signer_problems(label, body))
    if not any(marker in body for marker in MARKERS.values()):
        problems.append(
            TemplateProblem(
                label,
                "no_marker",
                "no signature marker ([[ttd:pegawai]] …); no signature field can be placed",
            )
        )
    return problems


def _form_of(name: str) -> tuple[str, str] | None:
    """``pp46_2011/skp_guru.docx`` → ``("pp46_2011", "skp")``; ``None`` for a name that is no form's."""
    regime, _, stem = name.removesuffix(".docx").rpartition("/")
    for type_ in sorted(DOCUMENT_TYPES, key=len, reverse=True):
        if (stem == type_ or stem.startswith(f"{type_}_")) and (regime, type_) in PENANDATANGAN:
            return regime, type_
    return None


def _signer_problems(label: str, body: str) -> list[TemplateProblem]:
    form = _form_of(label)
    if form is None:
        return []
    signers = PENANDATANGAN[form]
    # The atasan's block may always be there: it prints only when ``ttd`` says the atasan signs
    # (when given, or named in SKP_MENGETAHUI_FORMS).
    fixed = [role for role in signers if role not in PENANDATANGAN_BILA_ADA.get(form, ())]
    problems = [
        TemplateProblem(
            label, "missing_signer", f"no signing block {MARKERS[role]} for a signer of this form"
        )
        for role in fixed
        if MARKERS[role] not in body
    ]
    problems.extend(
        TemplateProblem(
            label, "extra_signer", f"signing block {marker} for {role}, who does not sign this form"
        )
        for role, marker in MARKERS.items()
        if role not in signers and role != ATASAN and marker in body
    )
    return problems


def check_templates(directory: Path) -> list[TemplateProblem]:
    """Check every ``.docx`` under ``directory`` (recursively); problems sorted by template."""
    directory = Path(directory)
    problems: list[TemplateProblem] = []
    for path in sorted(directory.rglob("*.docx")):
        problems.extend(check_template(path, name=path.relative_to(directory).as_posix()))
    return problems
