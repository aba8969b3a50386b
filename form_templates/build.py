"""Build the Word templates of the official forms (python-docx), reproducibly.

    .venv/bin/python form_templates/build.py                 # F4, into form_templates/
    .venv/bin/python form_templates/build.py --paper a4 --out instance/form_templates

Layouts follow ``shared/domain/forms.md`` (labels and numbered header rows verbatim). Conventions:

- every docxtpl tag sits inside one run (each cell/paragraph is written as a single run);
- tables have fixed layout with grid column widths (LibreOffice ignores cell widths alone, P6) and
  their header rows repeat on every page (``w:tblHeader``);
- each signature block holds an invisible marker (white 4 pt ``[[ttd:<role>]]``) above a blank
  space of about 2.7 cm; the PDF signature field is placed there after conversion;
- the bottom margin keeps a band of 25 mm free on every page for the verification QR code and text
  that signing adds.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table, _Cell, _Row

from service.scoring.penandatangan import PENANDATANGAN, PENANDATANGAN_BILA_ADA

HERE = Path(__file__).resolve().parent
PAPER = {"f4": (215.9, 330.0), "a4": (210.0, 297.0)}
MARGIN_MM = 12.0
#: Bottom margin: the reserved 25 mm band for the verification QR code, plus a little air.
BOTTOM_MARGIN_MM = 30.0
FONT = "Arial"
HEADER_FILL = "DEEAF6"
LEFT, CENTER, RIGHT = WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
SIGNATURE_SPACE_PT = 72

_ = None  # an empty cell in a row spec


@dataclass(frozen=True)
class C:
    """One cell of a row spec: text (one run), how many grid columns it spans, and its looks."""

    text: str = ""
    span: int = 1
    bold: bool = False
    align: WD_ALIGN_PARAGRAPH | None = None
    fill: str | None = None
    size: float | None = None
    vm: bool = False  # docxtpl {% vm %}: merge vertically with the same cell of the loop's rows


def H(text: str, span: int = 1) -> C:  # noqa: N802  (reads like a table header in the specs)
    return C(text, span, bold=True, align=CENTER, fill=HEADER_FILL)


def B(text: str, span: int = 1, align: WD_ALIGN_PARAGRAPH | None = LEFT) -> C:  # noqa: N802
    return C(text, span, bold=True, align=align)


#: The title of a form until its first title line names it (:meth:`Form.title`).
DEFAULT_TITLE = "Formulir SKP"


class Form:
    """A document under construction with the helpers every form uses."""

    def __init__(self, *, landscape: bool, paper: str, size: float = 9.5) -> None:
        self.doc = Document()
        self.paper = paper
        short, long_ = PAPER[paper]
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width = Mm(long_ if landscape else short)
        section.page_height = Mm(short if landscape else long_)
        section.left_margin = section.right_margin = Mm(MARGIN_MM)
        section.top_margin = Mm(MARGIN_MM)
        section.bottom_margin = Mm(BOTTOM_MARGIN_MM)
        section.header_distance = Mm(6)
        section.footer_distance = Mm(6)
        self.width = (long_ if landscape else short) - 2 * MARGIN_MM
        style = self.doc.styles["Normal"]
        style.font.name = FONT
        style.font.size = Pt(size)
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.append(fonts)
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attr), FONT)
        fmt = style.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing = 1.0
        self.size = size
        props = self.doc.core_properties
        props.author = "skp-sign"
        props.title = DEFAULT_TITLE
        # python-docx's default template starts with one empty paragraph; reuse it as the first line.
        self._first: object | None = self.doc.paragraphs[0] if self.doc.paragraphs else None
        # The agency's letterhead on top of every form, when the instance has one; without it the
        # three paragraphs go (docxtpl removes a {%p %} paragraph whole).
        self.image("kop", after=4)

    def new_section(self, *, landscape: bool) -> None:
        """Go on in a new section, on a new page, of the given orientation (the same paper and margins);
        tables after it span that section's width.
        """
        short, long_ = PAPER[self.paper]
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width = Mm(long_ if landscape else short)
        section.page_height = Mm(short if landscape else long_)
        self.width = (long_ if landscape else short) - 2 * MARGIN_MM

    def image(self, key: str, *, after: float = 0) -> None:
        """An instance image (``kop``, ``lambang``) centred on its own line, printed only if given."""
        self.para(f"{{%p if {key} %}}")
        self.para(f"{{{{ {key} }}}}", align=CENTER, after=after, keep_next=True)
        self.para("{%p endif %}")

    # -- paragraphs ---------------------------------------------------------------------------------------

    def para(
        self,
        text: str = "",
        *,
        bold: bool = False,
        align: WD_ALIGN_PARAGRAPH = LEFT,
        size: float | None = None,
        before: float = 0,
        after: float = 0,
        keep_next: bool = False,
        underline: bool = False,
        italic: bool = False,
    ) -> object:
        if self._first is not None:
            paragraph = self._first
            self._first = None
        else:
            paragraph = self.doc.add_paragraph()
        _fill_paragraph(
            paragraph, text, bold=bold, align=align, size=size, underline=underline, italic=italic
        )
        fmt = paragraph.paragraph_format  # type: ignore[attr-defined]
        fmt.space_before, fmt.space_after = Pt(before), Pt(after)
        fmt.keep_with_next = keep_next
        return paragraph

    def title(self, *lines: str, size: float = 11) -> None:
        # The form's first title line is the document's title (the PDF's Title metadata); a line
        # with template code could not be, it is only filled in the body.
        props = self.doc.core_properties
        if props.title == DEFAULT_TITLE and lines and "{" not in lines[0]:
            props.title = lines[0]
        for index, line in enumerate(lines):
            self.para(
                line,
                bold=True,
                align=CENTER,
                size=size,
                after=4 if index == len(lines) - 1 else 0,
                keep_next=True,
            )

    def page_break(self) -> None:
        paragraph = self.para()
        paragraph.runs[0].add_break(WD_BREAK.PAGE)  # type: ignore[attr-defined]

    def tag(self, text: str) -> None:
        """A paragraph holding only a docxtpl paragraph tag (``{%p … %}``), removed at render."""
        self.para(text)

    def footnotes(self, *lines: str) -> None:
        for line in lines:
            self.para(line, size=7.5, italic=True)

    # -- tables ---------------------------------------------------------------------------------------

    def table(self, widths: Sequence[float], *, borders: bool = True, size: float | None = None) -> Grid:
        total = sum(widths)
        scale = self.width / total
        widths_mm = [w * scale for w in widths]
        table = self.doc.add_table(rows=0, cols=len(widths_mm))
        if borders:
            table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        tbl_pr = table._tbl.tblPr
        layout = OxmlElement("w:tblLayout")
        layout.set(qn("w:type"), "fixed")
        tbl_pr.append(layout)
        width = OxmlElement("w:tblW")
        width.set(qn("w:w"), str(int(sum(widths_mm) / 25.4 * 1440)))
        width.set(qn("w:type"), "dxa")
        existing = tbl_pr.find(qn("w:tblW"))
        if existing is not None:
            tbl_pr.remove(existing)
        tbl_pr.append(width)
        for column, w in zip(table.columns, widths_mm, strict=True):
            column.width = Mm(w)
        return Grid(self, table, widths_mm, size or self.size)

    def spacer(self, points: float = 4) -> None:
        self.para(size=2, after=points)


def _fill_paragraph(
    paragraph: object,
    text: str,
    *,
    bold: bool = False,
    align: WD_ALIGN_PARAGRAPH | None = None,
    size: float | None = None,
    underline: bool = False,
    italic: bool = False,
    color: RGBColor | None = None,
) -> None:
    p = paragraph
    if align is not None:
        p.alignment = align  # type: ignore[attr-defined]
    run = p.add_run(text)  # type: ignore[attr-defined]
    run.bold = bold or None
    run.underline = underline or None
    run.italic = italic or None
    if size is not None:
        run.font.size = Pt(size)
    if color is not None:
        run.font.color.rgb = color


def _keep_with_next(element: object) -> None:
    """Every paragraph in ``element`` (a paragraph, a row, a table) kept with the one after it."""
    for paragraph in element.iter(qn("w:p")):  # type: ignore[attr-defined]
        ppr = paragraph.get_or_add_pPr()
        existing = ppr.find(qn("w:keepNext"))
        if existing is None:
            ppr.insert_element_before(OxmlElement("w:keepNext"), *_AFTER_KEEP_NEXT)
        else:  # python-docx writes w:val="0" for keep_with_next = False
            existing.attrib.pop(qn("w:val"), None)


#: The children of ``w:pPr`` that come after ``w:keepNext`` (schema order).
_AFTER_KEEP_NEXT = tuple(
    f"w:{tag}"
    for tag in (
        *("keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr", "suppressLineNumbers"),
        *("pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap", "overflowPunct"),
        *("topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid"),
        *("spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc"),
        *("textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle"),
        *("rPr", "sectPr", "pPrChange"),
    )
)


def _keep_tail_with_next(form: Form) -> None:
    """The content just written kept with what comes next (the signature block): the paragraphs at the
    end of the body and the table before them, whole when it has no loop (LibreOffice moves a table
    kept with the next paragraph only whole), else its last row (with the conditional rows after it).
    A table that ends in a loop keeps nothing: a row tag would repeat the property on every row.
    """
    body = form.doc.element.body
    for element in reversed(list(body)):
        if element.tag == qn("w:p"):
            _keep_with_next(element)
        elif element.tag == qn("w:tbl"):
            if "{%tr for" not in "".join(element.itertext()):
                _keep_with_next(element)
                return
            conditional = 0
            for row in reversed(element.findall(qn("w:tr"))):
                text = "".join(row.itertext()).strip()
                if text.startswith("{%tr endfor"):
                    return
                if text.startswith("{%tr endif"):
                    conditional += 1
                elif text.startswith("{%tr if"):
                    conditional -= 1
                elif not text.startswith("{%tr"):
                    _keep_with_next(row)
                    if conditional == 0:
                        return
            return


class Grid:
    """A table being filled row by row from cell specs."""

    def __init__(self, form: Form, table: Table, widths_mm: list[float], size: float) -> None:
        self.form, self.table, self.widths, self.size = form, table, widths_mm, size

    def row(
        self,
        *cells: C | str | None,
        header: bool = False,
        cant_split: bool = True,
        height_pt: float | None = None,
        size: float | None = None,
        keep_next: bool = False,
    ) -> _Row:
        """One row; ``keep_next`` (and every header row): kept on the page of the row after it, which
        LibreOffice does for a row whose paragraphs are all "keep with next".
        """
        specs = [c if isinstance(c, C) else C(c or "") for c in cells]
        if sum(c.span for c in specs) != len(self.widths):
            raise ValueError(f"row spans {sum(c.span for c in specs)} of {len(self.widths)} columns: {specs}")
        row: _Row = self.table.add_row()  # type: ignore[no-untyped-call]
        index = 0
        for spec in specs:
            cell = row.cells[index]
            if spec.span > 1:
                cell = cell.merge(row.cells[index + spec.span - 1])
            self._write(cell, spec, size or spec.size or self.size)
            index += spec.span
        for cell, width in zip(row.cells, self.widths, strict=True):
            cell.width = Mm(width)
        if keep_next or header:
            _keep_with_next(row._tr)
        tr_pr = row._tr.get_or_add_trPr()
        if header:
            tr_pr.append(OxmlElement("w:tblHeader"))
        if cant_split:
            tr_pr.append(OxmlElement("w:cantSplit"))
        if height_pt is not None:
            height = OxmlElement("w:trHeight")
            height.set(qn("w:val"), str(int(height_pt * 20)))
            height.set(qn("w:hRule"), "atLeast")
            tr_pr.append(height)
        return row

    def tag(self, text: str) -> None:
        """A row that holds only a docxtpl row tag (``{%tr … %}``); docxtpl removes it."""
        self.row(C(text, len(self.widths)))

    def numbers(self, count: int, *, parens: bool = True) -> None:
        self.row(
            *(
                C(f"({i})" if parens else str(i), align=CENTER, size=7.5, fill=HEADER_FILL)
                for i in range(1, count + 1)
            ),
            header=True,
        )

    def merge_down(self, row_index: int, column: int, rows: int = 2) -> None:
        """Merge a header cell with the cells below it (static rowspan)."""
        top = self.table.cell(row_index, column)
        top.merge(self.table.cell(row_index + rows - 1, column))

    def _write(self, cell: _Cell, spec: C, size: float) -> None:
        paragraph = cell.paragraphs[0]
        for extra in cell.paragraphs[1:]:
            extra._element.getparent().remove(extra._element)
        for run in list(paragraph.runs):
            run._element.getparent().remove(run._element)
        text = ("{% vm %}" + spec.text) if spec.vm else spec.text
        _fill_paragraph(paragraph, text, bold=spec.bold, align=spec.align, size=size)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
        if spec.fill:
            shading = OxmlElement("w:shd")
            shading.set(qn("w:val"), "clear")
            shading.set(qn("w:color"), "auto")
            shading.set(qn("w:fill"), spec.fill)
            cell._tc.get_or_add_tcPr().append(shading)


# --- signature blocks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signer:
    role: str  # pegawai | pejabat_penilai | atasan_pejabat_penilai
    label: str
    date_line: str = ""
    person: str = ""  # context key; defaults to role
    #: A line under the label, e.g. the signer's jabatan when the label names only the role.
    subtitle: str = ""

    @property
    def key(self) -> str:
        return self.person or self.role


def _signature_cell(cell: _Cell, signer: Signer | None, size: float, *, field: bool = True) -> None:
    """One signature block; ``field=False``: the same block (names, signing space) without the marker,
    so no signature field is placed there (the Lampiran SKP: its signatures are the SKP's).
    """
    cell.paragraphs[0]._element.getparent().remove(cell.paragraphs[0]._element)
    if signer is None:
        cell.add_paragraph()
        return

    def line(
        text: str,
        *,
        size: float = size,
        bold: bool = False,
        underline: bool = False,
        color: RGBColor | None = None,
    ) -> object:
        paragraph = cell.add_paragraph()
        _fill_paragraph(paragraph, text, align=CENTER, size=size, bold=bold, underline=underline, color=color)
        paragraph.paragraph_format.keep_with_next = True
        return paragraph

    line(signer.date_line)
    line(signer.label)
    if signer.subtitle:
        line(signer.subtitle)
    # The marker: white 4 pt text, extractable from the PDF, invisible on paper.
    line(f"[[ttd:{signer.role}]]" if field else "", size=4, color=RGBColor(0xFF, 0xFF, 0xFF))
    spacer = line("", size=2)
    fmt = spacer.paragraph_format  # type: ignore[attr-defined]
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(SIGNATURE_SPACE_PT)
    line(f"{{{{ {signer.key}.nama }}}}", bold=True, underline=True)
    last = line(f"{{{{ {signer.key}.nip_teks }}}}")
    last.paragraph_format.keep_with_next = False  # type: ignore[attr-defined]


def _check_signers(form_id: tuple[str, str], printed: Sequence[str], *, numbered: bool = False) -> None:
    """A form prints a signing block for exactly the signers of the one table (api.md's), no other;
    ``numbered``: the blocks carry numbers, so they must also come in the table's order.
    """
    optional = set(PENANDATANGAN_BILA_ADA.get(form_id, ()))
    expected = [role for role in PENANDATANGAN[form_id] if role not in optional]
    if set(printed) != set(expected) or (numbered and list(printed) != expected):
        message = f"{form_id}: signing blocks for {list(printed)}, but the form's signers are {expected}"
        raise AssertionError(message)


def signatures(
    form: Form,
    form_id: tuple[str, str],
    left: Signer | None,
    right: Signer | None,
    *,
    atasan: Signer | None = None,
    field: bool = True,
    mengetahui: bool = True,
) -> None:
    """Two signer columns, and the atasan pejabat penilai centred below.

    ``form_id`` (regime, type) names the form in ``service.scoring.penandatangan``: the columns must
    be its signers (checked), who sign in that table's order whatever the columns. The atasan's block
    (``atasan``, default "Mengetahui, …") is printed only when the context's ``ttd`` says the atasan
    signs: on a form where the atasan signs "when given", or where the instance adds a "Mengetahui"
    signer (``SKP_MENGETAHUI_FORMS``). ``field=False``: names and signing space, no signature field.
    ``mengetahui=False``: no atasan block at all, for a form the atasan has no part in (the unit and
    coaching documents: one signer on the right, or the pegawai and the penilai).
    """
    _check_signers(form_id, [s.role for s in (left, right) if s is not None])
    # Never a page holding only the signatures: the lines above come with them (forms.md 0).
    _keep_tail_with_next(form)
    form.spacer(6)
    _keep_with_next(form.doc.paragraphs[-1]._p)
    grid = form.table([50, 50], borders=False)
    row = grid.row(C(""), C(""))
    _signature_cell(row.cells[0], left, grid.size, field=field)
    _signature_cell(row.cells[1], right, grid.size, field=field)
    if field and mengetahui:
        grid.tag("{%tr if ttd.atasan_pejabat_penilai %}")
        row = grid.row(C("", 2))
        _signature_cell(row.cells[0], atasan or MENGETAHUI, grid.size)
        grid.tag("{%tr endif %}")


MENGETAHUI = Signer("atasan_pejabat_penilai", "Mengetahui, Atasan Pejabat Penilai Kinerja")


# --- shared blocks -----------------------------------------------------------------------------------


def header_row(form: Form, left: str, right: str) -> None:
    grid = form.table([55, 45], borders=False)
    grid.row(B(left), B(right, align=RIGHT))
    form.spacer(3)


def identity_6(
    form: Form,
    *,
    left: str = "PEGAWAI YANG DINILAI",
    right: str = "PEJABAT PENILAI KINERJA",
    left_key: str = "pegawai",
    right_key: str = "pejabat_penilai",
    pangkat: str = "PANGKAT/GOL RUANG",
    widths: Sequence[float] = (10, 44, 96, 10, 44, 96),
    size: float | None = None,
) -> None:
    # The label column holds "PANGKAT/GOL RUANG" on one line (34 of 300 wrapped it after the slash).
    grid = form.table(widths, size=size)
    grid.row(H("NO"), H(left, 2), H("NO"), H(right, 2), header=True)
    for number, (label, field) in enumerate(
        (
            ("NAMA", "nama"),
            ("NIP", "nip"),
            (pangkat, "pangkat_golongan"),
            ("JABATAN", "jabatan"),
            ("UNIT KERJA", "unit_kerja"),
        ),
        start=1,
    ):
        grid.row(
            C(str(number), align=CENTER),
            label,
            f"{{{{ {left_key}.{field} }}}}",
            C(str(number), align=CENTER),
            label,
            f"{{{{ {right_key}.{field} }}}}",
        )
    form.spacer(4)


def perilaku_6(form: Form, *, umpan_balik: bool, band: str) -> None:
    widths = [10, 150, 74, 74] if umpan_balik else [10, 180, 118]
    grid = form.table(widths)
    n = len(widths)
    if umpan_balik:  # forms.md A5: the extra right column of the evaluasi has its own head
        grid.row(H(band, n - 1), H("UMPAN BALIK BERKELANJUTAN BERDASARKAN BUKTI DUKUNG"), header=True)
    else:
        grid.row(H(band, n), header=True)
    grid.tag("{%tr for p in perilaku %}")
    # One aspect on one page: its name and every panduan line but the last kept with the next row.
    grid.row(C("{{ p.no }}", align=CENTER), C("{{ p.aspek }}", n - 1, bold=True), keep_next=True)
    grid.tag("{%tr for item in p.panduan %}")
    cells = [C(""), C("- {{ item }}"), C("Ekspektasi Khusus Pimpinan: {{ p.ekspektasi }}", vm=True)]
    if umpan_balik:
        cells.append(C("{{ p.umpan_balik }}", vm=True))
    grid.tag("{%tr if loop.last %}")
    grid.row(*cells)
    grid.tag("{%tr else %}")
    grid.row(*cells, keep_next=True)
    grid.tag("{%tr endif %}")
    grid.tag("{%tr endfor %}")
    grid.tag("{%tr endfor %}")
    form.spacer(4)


def lampiran_6(form: Form, paper_title: Sequence[str]) -> None:
    # A page break before the title, not a paragraph holding a break: that paragraph, pushed onto a
    # page of its own by a full page before it, left that page blank.
    first = len(form.doc.paragraphs)
    form.title("LAMPIRAN SASARAN KINERJA PEGAWAI", *paper_title)
    form.doc.paragraphs[first].paragraph_format.page_break_before = True
    header_row(form, "{{ instansi|upper }}", "PERIODE PENILAIAN: {{ periode.penilaian }}")
    grid = form.table([10, 292])
    for key, label in (
        ("dukungan_sumber_daya", "DUKUNGAN SUMBER DAYA"),
        ("skema_pertanggungjawaban", "SKEMA PERTANGGUNGJAWABAN"),
        ("konsekuensi", "KONSEKUENSI"),
    ):
        grid.row(C(label, 2, bold=True, fill=HEADER_FILL))
        grid.tag(f"{{%tr for item in lampiran.{key} %}}")
        grid.row(C("{{ item.no }}", align=CENTER), "{{ item.uraian }}")
        grid.tag("{%tr endfor %}")
        grid.tag(f"{{%tr if not lampiran.{key} %}}")
        grid.row(C("-", align=CENTER), "-")
        grid.tag("{%tr endif %}")
    form.spacer(6)
    # The block of the SKP, names and signing space alike (forms.md A3), but no signature field: the
    # signatures of the SKP page cover the whole document, lampiran included (one field per signer).
    signatures(
        form,
        ("permenpanrb_6_2022", "skp"),
        Signer("pegawai", "Pegawai yang Dinilai"),
        Signer("pejabat_penilai", "Pejabat Penilai Kinerja", date_line="{{ tempat_tanggal }}"),
        field=False,
    )


def grouped_rows(grid: Grid, groups: str, cells: Sequence[C], empty: str = "-") -> None:
    """Rows of ``groups`` (each with ``baris``); ``vm`` cells span the rows of their group."""
    grid.tag(f"{{%tr for g in {groups} %}}")
    grid.tag("{%tr for b in g.baris %}")
    grid.row(*cells)
    grid.tag("{%tr endfor %}")
    grid.tag("{%tr endfor %}")
    grid.tag(f"{{%tr if not {groups} %}}")
    grid.row(C(empty, len(grid.widths), align=CENTER))
    grid.tag("{%tr endif %}")


SKP_6_FOOTNOTES = (
    "* Dalam hal rencana hasil kerja Pimpinan yang diintervensi adalah hasil kerja pejabat pimpinan tinggi "
    "dan Pimpinan unit kerja mandiri/organisasi maka dituliskan rencana hasil kerja beserta indikator "
    "kinerja individu pejabat pimpinan tinggi dan Pimpinan unit kerja mandiri atau sasaran dan indikator "
    "kinerja organisasi yang diintervensi",
    "** Pimpinan dapat memberikan Ekspektasi khusus terhadap satu atau lebih aspek perilaku kerja Pegawai",
)


# --- PermenPANRB 6/2022 ----------------------------------------------------------------------------


#: The kualitatif forms' label over the IKIs and targets of one RHK (forms.md A1 [V:T7], A2 [I:T5]).
UKURAN_KUALITATIF = "Ukuran keberhasilan/Indikator Kinerja Individu, dan Target:"
UKURAN_KUALITATIF_JPT = "Ukuran keberhasilan/Indikator Kinerja Individu, Target, dan Perspektif:"


_AFTER_PBDR = (
    *("shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap", "overflowPunct", "topLinePunct"),
    *("autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind"),
    *("contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection", "textAlignment"),
    *("textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange"),
)


def _rule_above(paragraph: object) -> None:
    """A thin line over a paragraph, as the border between two rows of the form."""
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for attr, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "1"), ("w:color", "000000")):
        top.set(qn(attr), value)
    borders.append(top)
    # Schema order: pBdr comes before shd, spacing, ind, jc … (Word refuses a misplaced one).
    paragraph._p.get_or_add_pPr().insert_element_before(  # type: ignore[attr-defined]
        borders, *(f"w:{tag}" for tag in _AFTER_PBDR)
    )
    paragraph.paragraph_format.space_before = Pt(2)  # type: ignore[attr-defined]


def _rule_below(paragraph: object) -> None:
    """A line under a paragraph across the text width, as under the title of the Dokumen Evaluasi."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for attr, value in (("w:val", "single"), ("w:sz", "8"), ("w:space", "4"), ("w:color", "000000")):
        bottom.set(qn(attr), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().insert_element_before(  # type: ignore[attr-defined]
        borders, *(f"w:{tag}" for tag in _AFTER_PBDR)
    )


def hasil_kerja_kualitatif_6(form: Form, *, jpt: bool, evaluasi: bool) -> None:
    """The HASIL KERJA table of pendekatan kualitatif: per RHK the RHK, ruled off from its ukuran below.

    forms.md A1 (JPT, T7): ``n | <RHK>`` then ``  | Ukuran keberhasilan/…, Target, dan Perspektif:`` with
    the IKIs; no numbered column row. A2 (JA/JF, T5): the intervened pimpinan RHK beside them. The
    evaluasi adds the realisasi and umpan balik columns of its kuantitatif table beside both (our
    reading; forms.md gives no kualitatif evaluasi grid).
    """
    if jpt:
        widths = [10, 150, 72, 70] if evaluasi else [10, 292]
        headers = [H("NO."), H("RENCANA HASIL KERJA")] if evaluasi else []
        first = [C("{{ g.no }}", align=CENTER), C("{{ g.rhk }}")]
    else:
        widths = [10, 70, 110, 56, 56] if evaluasi else [10, 100, 192]
        headers = [H("NO"), H("RENCANA HASIL KERJA PIMPINAN YANG DIINTERVENSI" + ("" if evaluasi else "*"))]
        headers.append(H("RENCANA HASIL KERJA"))
        first = [C("{{ g.no }}", align=CENTER), C("{{ g.rhk_atasan }}"), C("{{ g.rhk }}")]
    if evaluasi:
        headers += [
            H("REALISASI BERDASARKAN BUKTI DUKUNG"),
            H("UMPAN BALIK BERKELANJUTAN BERDASARKAN BUKTI DUKUNG"),
        ]
        first += [C("{{ g.realisasi }}"), C("{{ g.umpan_balik }}")]
    grid = form.table(widths)
    n = len(widths)
    grid.row(H("HASIL KERJA", n), header=True)
    if headers:
        grid.row(*headers, header=True)
    label_column = 1 if jpt else 2
    for band, key in (("A. UTAMA", "hasil_kerja_utama"), ("B. TAMBAHAN", "hasil_kerja_tambahan")):
        grid.row(B(band, n), keep_next=True)
        grid.tag(f"{{%tr for g in {key} %}}")
        # One table row that cannot split, its RHK cell ruled in two: LibreOffice would let two rows
        # part at a page foot, leaving the ukuran without its RHK.
        cell = grid.row(*first).cells[label_column]
        label = cell.add_paragraph()
        text = UKURAN_KUALITATIF_JPT if jpt else UKURAN_KUALITATIF
        _fill_paragraph(label, text, bold=True, size=grid.size)
        _rule_above(label)
        _fill_paragraph(cell.add_paragraph(), "{{ g.ukuran }}", size=grid.size)
        grid.tag("{%tr endfor %}")
        grid.tag(f"{{%tr if not {key} %}}")
        grid.row(C("-", n, align=CENTER))
        grid.tag("{%tr endif %}")
    form.spacer(4)


def skp_6(paper: str, *, jpt: bool) -> Form:
    form = Form(landscape=True, paper=paper)
    bagi = (
        "BAGI PEJABAT PIMPINAN TINGGI DAN PIMPINAN UNIT KERJA MANDIRI"
        if jpt
        else "BAGI PEJABAT ADMINISTRASI DAN PEJABAT FUNGSIONAL"
    )
    title = ("PENDEKATAN HASIL KERJA {{ pendekatan }}", bagi)
    form.title("SASARAN KINERJA PEGAWAI", *title)
    header_row(form, "{{ instansi|upper }}", "PERIODE PENILAIAN: {{ periode.penilaian }}")
    identity_6(form)
    form.tag('{%p if pendekatan == "KUALITATIF" %}')
    hasil_kerja_kualitatif_6(form, jpt=jpt, evaluasi=False)
    form.tag("{%p else %}")
    if jpt:
        grid = form.table([10, 100, 100, 45, 45])
        grid.row(H("HASIL KERJA", 5), header=True)
        grid.row(
            H("NO"),
            H("RENCANA HASIL KERJA"),
            H("INDIKATOR KINERJA INDIVIDU"),
            H("TARGET"),
            H("PERSPEKTIF"),
            header=True,
        )
        grid.numbers(5)
        cells = [
            C("{{ g.no }}", align=CENTER, vm=True),
            C("{{ g.rhk }}", vm=True),
            C("{{ b.iki }}"),
            C("{{ b.target }}", align=CENTER),
            C("{{ b.perspektif }}", align=CENTER),
        ]
    else:
        grid = form.table([10, 62, 62, 24, 90, 40])
        grid.row(H("HASIL KERJA", 6), header=True)
        grid.row(
            H("NO"),
            H("RENCANA HASIL KERJA PIMPINAN YANG DIINTERVENSI*"),
            H("RENCANA HASIL KERJA"),
            H("ASPEK"),
            H("INDIKATOR KINERJA INDIVIDU"),
            H("TARGET"),
            header=True,
        )
        grid.numbers(6)
        cells = [
            C("{{ g.no }}", align=CENTER, vm=True),
            C("{{ g.rhk_atasan }}", vm=True),
            C("{{ g.rhk }}", vm=True),
            C("{{ b.aspek }}", align=CENTER),
            C("{{ b.iki }}"),
            C("{{ b.target }}", align=CENTER),
        ]
    n = len(grid.widths)
    grid.row(B("A. UTAMA", n), keep_next=True)
    grouped_rows(grid, "hasil_kerja_utama", cells)
    grid.row(B("B. TAMBAHAN", n), keep_next=True)
    grouped_rows(grid, "hasil_kerja_tambahan", cells)
    form.spacer(4)
    form.tag("{%p endif %}")
    perilaku_6(form, umpan_balik=False, band="PERILAKU KERJA" if jpt else "PERILAKU KERJA**")
    if not jpt:
        form.footnotes(*SKP_6_FOOTNOTES)
    form.para("")
    signatures(
        form,
        ("permenpanrb_6_2022", "skp"),
        Signer("pegawai", "Pegawai yang Dinilai"),
        Signer("pejabat_penilai", "Pejabat Penilai Kinerja", date_line="{{ tempat_tanggal }}"),
        atasan=MENGETAHUI,
    )
    lampiran_6(form, title)
    return form


def manual_iku_6(paper: str) -> Form:
    form = Form(landscape=False, paper=paper)
    form.tag("{%p for m in manual_iku %}")
    form.title("MANUAL INDIKATOR KINERJA")
    form.para("{{ instansi|upper }} — PERIODE PENILAIAN: {{ periode.penilaian }}", align=CENTER, after=4)
    grid = form.table([34, 66])
    rows = (
        ("Rencana Hasil Kerja", "{{ m.rhk }}"),
        ("UKURAN KEBERHASILAN/INDIKATOR KINERJA DAN TARGET", "{{ m.iki_target }}"),
        ("TUJUAN", "{{ m.tujuan }}"),
    )
    for label, value in rows:
        grid.row(B(label), value)
    grid.row(B("DESKRIPSI"), C("Definisi", bold=True, fill=HEADER_FILL))
    grid.row(C(""), "{{ m.definisi }}")
    grid.row(C(""), C("Formula", bold=True, fill=HEADER_FILL))
    grid.row(C(""), "{{ m.formula }}")
    grid.merge_down(len(rows), 0, rows=4)
    for label, value in (
        ("SATUAN PENGUKURAN (Opsional bagi pendekatan hasil kerja kualitatif)", "{{ m.satuan }}"),
        ("KUALITAS DAN TINGKAT KENDALI", "{{ m.kendali }}"),
        ("SUMBER DATA", "{{ m.sumber_data }}"),
        ("PERIODE PELAPORAN", "{{ m.pelaporan }}"),
    ):
        grid.row(B(label), value)
    form.tag("{%p if not loop.last %}")
    form.page_break()
    form.tag("{%p endif %}")
    form.tag("{%p endfor %}")
    form.tag("{%p if not manual_iku %}")
    form.title("MANUAL INDIKATOR KINERJA")
    form.para("Tidak ada manual indikator kinerja dalam dokumen ini.", align=CENTER)
    form.tag("{%p endif %}")
    form.para("")
    signatures(
        form,
        ("permenpanrb_6_2022", "manual_iku"),
        Signer("pegawai", "Pegawai yang Dinilai"),
        Signer("pejabat_penilai", "Pejabat Penilai Kinerja", date_line="{{ tempat_tanggal }}"),
        atasan=MENGETAHUI,
    )
    return form


#: Not a row of forms.md A5/A6: the angka kredit a jabatan fungsional's payload asks for (its jenjang
#: and months) has no other place on the 6/2022 forms, so both print it whole.
KONVERSI_ANGKA_KREDIT = (
    "{{ angka_kredit.nilai }} (jenjang {{ angka_kredit.jenjang }}, koefisien "
    "{{ angka_kredit.koefisien }}, {{ angka_kredit.persentase }}, {{ angka_kredit.bulan }} bulan)"
)


def evaluasi_6(paper: str, *, jpt: bool) -> Form:
    form = Form(landscape=True, paper=paper)
    bagi = (
        "BAGI PEJABAT PIMPINAN TINGGI DAN PIMPINAN UNIT KERJA MANDIRI"
        if jpt
        else "BAGI PEJABAT ADMINISTRASI DAN PEJABAT FUNGSIONAL"
    )
    form.title(
        "EVALUASI KINERJA PEGAWAI",
        "PENDEKATAN HASIL KERJA {{ pendekatan }}",
        bagi,
        "PERIODE: {{ periode.jenis_label }}",
    )
    header_row(form, "{{ instansi|upper }}", "PERIODE PENILAIAN: {{ periode.penilaian }}")
    identity_6(form)
    grid = form.table([40, 60])
    grid.row(B("CAPAIAN KINERJA ORGANISASI*"), B("{{ evaluasi.capaian_organisasi }}"))
    row = grid.row(B("POLA DISTRIBUSI:"), C("{{ pola_distribusi }}", bold=True, align=CENTER))
    # The kurva (service/documents/kurva.py) is an inline image docxtpl puts in its own paragraph.
    _fill_paragraph(row.cells[1].add_paragraph(), "{{ kurva }}", align=CENTER, size=grid.size)
    form.spacer(4)
    form.tag('{%p if pendekatan == "KUALITATIF" %}')
    hasil_kerja_kualitatif_6(form, jpt=jpt, evaluasi=True)
    form.tag("{%p else %}")
    if jpt:
        grid = form.table([10, 55, 55, 25, 28, 65, 64])
        grid.row(H("HASIL KERJA", 7), header=True)
        grid.row(
            H("NO."),
            H("RENCANA HASIL KERJA"),
            H("INDIKATOR KINERJA INDIVIDU"),
            H("TARGET"),
            H("PERSPEKTIF"),
            H("REALISASI BERDASARKAN BUKTI DUKUNG"),
            H("UMPAN BALIK BERKELANJUTAN BERDASARKAN BUKTI DUKUNG"),
            header=True,
        )
        grid.numbers(7)
        cells = [
            C("{{ g.no }}", align=CENTER, vm=True),
            C("{{ g.rhk }}", vm=True),
            C("{{ b.iki }}"),
            C("{{ b.target }}", align=CENTER),
            C("{{ b.perspektif }}", align=CENTER),
            C("{{ b.realisasi }}"),
            C("{{ g.umpan_balik }}", vm=True),
        ]
    else:
        grid = form.table([10, 42, 42, 20, 52, 28, 54, 54])
        grid.row(H("HASIL KERJA", 8), header=True)
        grid.row(
            H("NO"),
            H("RENCANA HASIL KERJA PIMPINAN YANG DIINTERVENSI"),
            H("RENCANA HASIL KERJA"),
            H("ASPEK"),
            H("INDIKATOR KINERJA INDIVIDU"),
            H("TARGET"),
            H("REALISASI BERDASARKAN BUKTI DUKUNG"),
            H("UMPAN BALIK BERKELANJUTAN BERDASARKAN BUKTI DUKUNG"),
            header=True,
        )
        grid.numbers(8)
        cells = [
            C("{{ g.no }}", align=CENTER, vm=True),
            C("{{ g.rhk_atasan }}", vm=True),
            C("{{ g.rhk }}", vm=True),
            C("{{ b.aspek }}", align=CENTER),
            C("{{ b.iki }}"),
            C("{{ b.target }}", align=CENTER),
            C("{{ b.realisasi }}"),
            C("{{ g.umpan_balik }}", vm=True),
        ]
    n = len(grid.widths)
    grid.row(B("A. UTAMA", n), keep_next=True)
    grouped_rows(grid, "hasil_kerja_utama", cells)
    grid.row(B("B. TAMBAHAN", n), keep_next=True)
    grouped_rows(grid, "hasil_kerja_tambahan", cells)
    form.spacer(4)
    form.tag("{%p endif %}")
    grid = form.table([40, 60])
    # Not a row of forms.md A5: the payload's general umpan balik has no other place on the form,
    # so it is printed when sent, and the form is as A5 has it when not.
    grid.tag('{%tr if evaluasi.umpan_balik != "-" %}')
    grid.row(B("UMPAN BALIK BERKELANJUTAN"), "{{ evaluasi.umpan_balik }}")
    grid.tag("{%tr endif %}")
    grid.row(B("RATING HASIL KERJA*"), B("{{ evaluasi.rating_hasil_kerja }}"))
    form.spacer(4)
    perilaku_6(form, umpan_balik=True, band="PERILAKU KERJA")
    grid = form.table([40, 60])
    grid.row(B("RATING PERILAKU KERJA*"), B("{{ evaluasi.rating_perilaku_kerja }}"))
    grid.row(B("PREDIKAT KINERJA PEGAWAI*"), B("{{ evaluasi.predikat }}"))
    grid.tag("{%tr if angka_kredit %}")
    grid.row(
        B("KONVERSI ANGKA KREDIT"),
        C(KONVERSI_ANGKA_KREDIT),
    )
    grid.tag("{%tr endif %}")
    form.footnotes("* Pilih salah satu")
    signatures(
        form,
        ("permenpanrb_6_2022", "evaluasi"),
        None,
        Signer("pejabat_penilai", "Pejabat Penilai Kinerja", date_line="{{ tempat_tanggal }}"),
        atasan=MENGETAHUI,
    )
    return form


def section_rows(grid: Grid, number: str, title: str, key: str, *, label: str = "") -> None:
    grid.row(C(number, align=CENTER), C(title, 3, bold=True, fill=HEADER_FILL))
    for text, field in (
        ("NAMA", "nama"),
        ("NIP", "nip"),
        ("PANGKAT/GOL RUANG", "pangkat_golongan"),
        ("JABATAN", "jabatan"),
        ("UNIT KERJA", "unit_kerja"),
    ):
        grid.row(C(""), C(f"{label}{text}"), C(":", align=CENTER), C(f"{{{{ {key}.{field} }}}}"))


def dokumen_6(paper: str) -> Form:
    form = Form(landscape=False, paper=paper, size=10)
    form.image("lambang", after=4)  # forms.md A6: "(1) Diisi lambang burung garuda"
    form.title("DOKUMEN EVALUASI KINERJA PEGAWAI", "PERIODE*: {{ periode.jenis_label }}", size=12)
    _rule_below(form.doc.paragraphs[-1])  # forms.md A6: "Horizontal rule under title [V:T3]"
    header_row(form, "{{ instansi|upper }}", "PERIODE PENILAIAN:")
    form.para("{{ periode.penilaian }}", bold=True, align=RIGHT, after=4)
    grid = form.table([8, 62, 4, 118])
    section_rows(grid, "1", "PEGAWAI YANG DINILAI", "pegawai")
    section_rows(grid, "2", "PEJABAT PENILAI KINERJA", "pejabat_penilai")
    section_rows(grid, "3", "ATASAN PEJABAT PENILAI KINERJA", "atasan_pejabat_penilai")
    grid.row(C("4", align=CENTER), C("EVALUASI KINERJA", 3, bold=True, fill=HEADER_FILL))
    grid.row(
        C(""), "CAPAIAN KINERJA ORGANISASI", C(":", align=CENTER), B("{{ evaluasi.capaian_organisasi }}")
    )
    grid.row(C(""), "PREDIKAT KINERJA PEGAWAI", C(":", align=CENTER), B("{{ evaluasi.predikat }}"))
    grid.tag("{%tr if angka_kredit %}")
    grid.row(C(""), "KONVERSI ANGKA KREDIT", C(":", align=CENTER), C(KONVERSI_ANGKA_KREDIT))
    grid.tag("{%tr endif %}")
    grid.row(C("5", align=CENTER), C("CATATAN/REKOMENDASI", 3, bold=True, fill=HEADER_FILL))
    grid.row(C(""), C("{{ evaluasi.catatan }}", 3), height_pt=60)
    form.footnotes(
        "* periode disesuaikan dengan periode evaluasi kinerja Pegawai yang berlaku pada Instansi Pemerintah",
        "** Pilih salah satu",
    )
    signatures(
        form,
        ("permenpanrb_6_2022", "dokumen_penilaian"),
        Signer("pegawai", "Pegawai yang Dinilai,", date_line="{{ tempat_tanggal }}"),
        Signer("pejabat_penilai", "Pejabat Penilai Kinerja,", date_line="{{ tempat_tanggal }}"),
        atasan=MENGETAHUI,
    )
    return form


# --- PermenPANRB 8/2021 ----------------------------------------------------------------------------

#: Column heads of the three 8/2021 layouts (variant ``dasar``: JA/JF model dasar, ``jpt``,
#: ``pengembangan``: JA/JF model pengembangan; forms.md B1/B2). Model dasar JA/JF: B1 [I; T11]; JPT
#: penilaian: R8a [V], its PERSPEKTIF also on the JPT SKP [I]; model pengembangan: FORMAT D.2.2/D.2.3 [V].
RK_ATASAN_8 = "RENCANA KINERJA ATASAN LANGSUNG/UNIT KERJA"
RK_ATASAN_8_PENGEMBANGAN = "RENCANA KINERJA ATASAN LANGSUNG/ UNIT KERJA/ ORGANISASI"
STANDAR_KINERJA_8 = "TARGET/ KATEGORI PENILAIAN/ STANDAR KINERJA"
LEVELS_8 = (
    ("SANGAT KURANG", "sangat_kurang"),
    ("KURANG", "kurang"),
    ("CUKUP", "cukup"),
    ("BAIK", "baik"),
    ("SANGAT BAIK", "sangat_baik"),
)
NILAI_AKHIR_8 = (
    "NILAI AKHIR SKP = Nilai tertimbang Capaian Rencana Kinerja Utama*** + "
    "Nilai tertimbang Capaian Rencana Kinerja Tambahan"
)


def _two_row_head(grid: Grid, top: Sequence[C], below: dict[int, str]) -> None:
    """Two header rows: ``top`` (spans allowed), and under spanning heads the sub-heads of ``below``
    (grid column → text); every other head is merged with the empty cell under it.
    """
    grid.row(*top, header=True)
    n = len(grid.widths)
    grid.row(*(H(below.get(column, "")) for column in range(n)), header=True)
    first = len(grid.table.rows) - 2
    for column in range(n):
        if column not in below:
            grid.merge_down(first, column)


@dataclass(frozen=True)
class Columns8:
    """One 8/2021 kinerja table: heads, the cells of an IKI row, widths, sub-heads, tambahan lead cells."""

    head: list[C]
    cells: list[C]
    widths: list[float]
    below: dict[int, str]
    tambahan_first: list[C]
    size: float | None = None


def columns_8(variant: str, *, penilaian: bool) -> Columns8:
    """The columns of the 8/2021 SKP (``penilaian=False``) or Penilaian SKP of a variant (forms.md B1/B2)."""
    if variant == "jpt":
        head = [
            H("PERSPEKTIF *"),
            H("NO"),
            H("RENCANA KINERJA"),
            H("INDIKATOR KINERJA INDIVIDU"),
            H("TARGET"),
        ]
        cells = [
            C("{{ b.perspektif }}", align=CENTER),
            C("{{ g.no }}", align=CENTER, vm=True),
            C("{{ g.rencana_kinerja }}", vm=True),
            C("{{ b.iki }}"),
            C("{{ b.target }}", align=CENTER),
        ]
        if not penilaian:
            return Columns8(head, cells, [30, 10, 100, 110, 52], {}, [C(""), C("{{ t.no }}", align=CENTER)])
        head += [
            H("REALISASI"),
            H("CAPAIAN IKI"),
            H("KATEGORI CAPAIAN IKI"),
            H("NILAI CAPAIAN IKI"),
            H("NILAI TERTIMBANG"),
        ]
        cells += [
            C("{{ b.realisasi }}", align=CENTER),
            C("{{ b.capaian }}", align=CENTER),
            C("{{ b.kategori }}", align=CENTER),
            C("{{ b.nilai }}", align=CENTER),
            C("{{ b.nilai_tertimbang }}", align=CENTER),
        ]
        jpt_widths: list[float] = [24, 8, 46, 52, 22, 22, 20, 26, 24, 24]
        return Columns8(head, cells, jpt_widths, {}, [C(""), C("{{ t.no }}", align=CENTER)], size=8)
    pengembangan = variant == "pengembangan"
    head = [
        H("NO"),
        H(RK_ATASAN_8_PENGEMBANGAN if pengembangan else RK_ATASAN_8),
        H("RENCANA KINERJA"),
        H("ASPEK"),
        H("INDIKATOR KINERJA INDIVIDU"),
        H(STANDAR_KINERJA_8, 5) if pengembangan else H("TARGET"),
    ]
    standar = [C(f"{{{{ b.standar.{key} }}}}", align=CENTER) for _, key in LEVELS_8]
    cells = [
        C("{{ g.no }}", align=CENTER, vm=True),
        C("{{ g.rencana_kinerja_atasan }}", vm=True),
        C("{{ g.rencana_kinerja }}", vm=True),
        C("{{ b.aspek }}", align=CENTER),
        C("{{ b.iki }}"),
        *(standar if pengembangan else [C("{{ b.target }}", align=CENTER)]),
    ]
    widths: list[float] = (
        [10, 45, 45, 20, 55, 25, 25, 25, 25, 25] if pengembangan else [10, 62, 62, 24, 90, 40]
    )
    below = {5 + i: text for i, (text, _) in enumerate(LEVELS_8)} if pengembangan else {}
    first = [C("{{ t.no }}", align=CENTER)]
    if not penilaian:
        return Columns8(head, cells, widths, below, first)
    head += [
        H("REALISASI"),
        H("CAPAIAN IKI") if pengembangan else H("CAPAIAN IKI (DALAM %)"),
        H("KATEGORI CAPAIAN IKI"),
        H("CAPAIAN RENCANA KINERJA", 2),
        H("NILAI TERTIMBANG"),
    ]
    cells += [
        C("{{ b.realisasi }}", align=CENTER),
        C("{{ b.capaian }}", align=CENTER),
        C("{{ b.kategori }}", align=CENTER),
        C("{{ g.capaian_kategori }}", align=CENTER, vm=True),
        C("{{ g.capaian_nilai }}", align=CENTER, vm=True),
        C("{{ g.capaian_tertimbang }}", align=CENTER, vm=True),
    ]
    widths = (
        [8, 26, 26, 17, 28, 15, 15, 15, 15, 15, 19, 16, 19, 18, 15, 21]
        if pengembangan
        else [8, 36, 36, 17, 42, 20, 20, 20, 22, 22, 20, 22]
    )
    below |= {len(widths) - 3: "KATEGORI", len(widths) - 2: "NILAI"}
    # Sixteen columns: 7 pt keeps every head word whole ("TERTIMBANG", "KURANG").
    return Columns8(head, cells, widths, below, first, size=7 if pengembangan else 8)


def kinerja_8(form: Form, variant: str, *, penilaian: bool) -> None:
    """The kinerja table of the 8/2021 SKP (``penilaian=False``) or Penilaian SKP, per variant."""
    columns = columns_8(variant, penilaian=penilaian)
    grid = form.table(columns.widths, size=columns.size)
    if columns.below:
        _two_row_head(grid, columns.head, columns.below)
    else:
        grid.row(*columns.head, header=True)
    n = len(grid.widths)
    grid.numbers(n)
    grid.row(B("A. KINERJA UTAMA", n), keep_next=True)
    grouped_rows(grid, "kinerja_utama", columns.cells)
    if penilaian and variant == "dasar":
        grid.row(B("NILAI KINERJA UTAMA", n - 1, align=RIGHT), B("{{ nilai.rata_rata_iki }}", align=CENTER))
    grid.row(B("B. KINERJA TAMBAHAN", n), keep_next=True)
    grid.tag("{%tr for t in kinerja_tambahan %}")
    first = columns.tambahan_first
    if penilaian:
        grid.row(
            *first,
            C("{{ t.uraian }}", n - len(first) - 3),
            C("{{ t.kategori }}", align=CENTER),
            C("{{ t.nilai }}", align=CENTER),
            C("{{ t.nilai }}", align=CENTER),
        )
    else:
        grid.row(*first, C("{{ t.uraian }}", n - len(first)))
    grid.tag("{%tr endfor %}")
    grid.tag("{%tr if not kinerja_tambahan %}")
    grid.row(C("-", n, align=CENTER))
    grid.tag("{%tr endif %}")
    if penilaian:
        if variant == "dasar":
            grid.row(
                B("NILAI KINERJA TAMBAHAN", n - 1, align=RIGHT),
                B("{{ nilai.kinerja_tambahan }}", align=CENTER),
            )
        total = "NILAI AKHIR SKP" if variant == "pengembangan" else NILAI_AKHIR_8
        grid.row(B(total, n - 1, align=RIGHT), B("{{ nilai.skp }}", align=CENTER))
        keterangan = "KETERANGAN PEJABAT PENILAI (Opsional)" if variant == "pengembangan" else "KETERANGAN"
        grid.row(B(keterangan, 3), C("{{ skp_8_2021.keterangan }}", n - 3))
    form.spacer(4)


def skp_8(paper: str, variant: str = "dasar") -> Form:
    form = Form(landscape=True, paper=paper)
    form.title("SASARAN KINERJA PEGAWAI", "{{ bagi_8_2021 }}")
    header_row(form, "{{ instansi|upper }}", "PERIODE PENILAIAN: {{ periode.penilaian }}")
    identity_6(form)
    kinerja_8(form, variant, penilaian=False)
    signatures(
        form,
        ("permenpanrb_8_2021", "skp"),
        Signer("pegawai", "Pegawai yang Dinilai"),
        Signer("pejabat_penilai", "Pejabat Penilai Kinerja", date_line="{{ tempat_tanggal }}"),
        atasan=MENGETAHUI,
    )
    return form


def evaluasi_8(paper: str, variant: str = "dasar") -> Form:
    form = Form(landscape=True, paper=paper)
    if variant == "pengembangan":
        # FORMAT D.2.2 (administrasi) / D.2.3 (fungsional): the title names the jabatan.
        form.title("{{ skp_8_2021.judul_pengembangan }}")
        form.doc.core_properties.title = "PENILAIAN SKP"
    else:
        form.title("PENILAIAN SASARAN KINERJA PEGAWAI", "{{ bagi_8_2021 }}")
    header_row(form, "{{ instansi|upper }}", "PERIODE PENILAIAN: {{ periode.penilaian }}")
    identity_6(form)
    kinerja_8(form, variant, penilaian=True)
    grid = form.table([10, 112, 60, 60, 60])
    grid.row(H("PERILAKU KERJA", 5), header=True)
    grid.row(
        H("NO"),
        H("ASPEK PERILAKU"),
        H("NILAI ATASAN"),
        H("NILAI REKAN KERJA"),
        H("NILAI BAWAHAN"),
        header=True,
    )
    grid.tag("{%tr for p in perilaku_8_2021 %}")
    grid.row(
        C("{{ p.no }}", align=CENTER),
        "{{ p.aspek }}",
        C("{{ p.atasan }}", align=CENTER),
        C("{{ p.rekan }}", align=CENTER),
        C("{{ p.bawahan }}", align=CENTER),
    )
    grid.tag("{%tr endfor %}")
    grid.row(B("NILAI PERILAKU KERJA", 4, align=RIGHT), B("{{ nilai.perilaku }}", align=CENTER))
    form.spacer(4)
    grid = form.table([10, 172, 60, 60])
    grid.row(H("PENILAIAN KINERJA", 4), header=True)
    grid.row(
        C("1", align=CENTER),
        "NILAI SKP × {{ nilai.bobot_skp }}",
        C("{{ nilai.skp }}", align=CENTER),
        C("{{ nilai.skp_tertimbang }}", align=CENTER),
    )
    grid.row(
        C("2", align=CENTER),
        "NILAI PERILAKU KERJA × {{ nilai.bobot_perilaku }}",
        C("{{ nilai.perilaku }}", align=CENTER),
        C("{{ nilai.perilaku_tertimbang }}", align=CENTER),
    )
    grid.row(C("3", align=CENTER), B("NILAI KINERJA PEGAWAI", 2), B("{{ nilai.kinerja }}", align=CENTER))
    grid.row(C("4", align=CENTER), B("PREDIKAT KINERJA", 2), B("{{ nilai.predikat }}", align=CENTER))
    signatures(
        form,
        ("permenpanrb_8_2021", "evaluasi"),
        None,
        Signer("pejabat_penilai", "Pejabat Penilai Kinerja", date_line="{{ tempat_tanggal }}"),
        atasan=MENGETAHUI,
    )
    return form


def dokumen_8(paper: str) -> Form:
    form = Form(landscape=False, paper=paper, size=10)
    form.title("DOKUMEN PENILAIAN KINERJA PEGAWAI NEGERI SIPIL", "PERIODE: {{ periode.bulan }}", size=12)
    header_row(form, "{{ instansi|upper }}", "PERIODE PENILAIAN:")
    form.para("{{ periode.penilaian }}", bold=True, align=RIGHT, after=4)
    grid = form.table([8, 62, 4, 118])
    section_rows(grid, "1", "PNS YANG DINILAI", "pegawai")
    section_rows(grid, "2", "PEJABAT PENILAI KINERJA", "pejabat_penilai")
    section_rows(grid, "3", "ATASAN PEJABAT PENILAI KINERJA", "atasan_pejabat_penilai")
    grid.row(C("4", align=CENTER), C("PENILAIAN KINERJA", 3, bold=True, fill=HEADER_FILL))
    grid.row(
        C(""),
        "NILAI SKP × {{ nilai.bobot_skp }}",
        C(":", align=CENTER),
        "{{ nilai.skp }} × {{ nilai.bobot_skp }} = {{ nilai.skp_tertimbang }}",
    )
    grid.row(
        C(""),
        "NILAI PERILAKU KERJA × {{ nilai.bobot_perilaku }}",
        C(":", align=CENTER),
        "{{ nilai.perilaku }} × {{ nilai.bobot_perilaku }} = {{ nilai.perilaku_tertimbang }}",
    )
    grid.row(C(""), B("NILAI KINERJA PEGAWAI"), C(":", align=CENTER), B("{{ nilai.kinerja }}"))
    grid.row(C(""), B("PREDIKAT KINERJA"), C(":", align=CENTER), B("{{ nilai.predikat }}"))
    grid.row(C("5", align=CENTER), C("PERMASALAHAN KINERJA", 3, bold=True, fill=HEADER_FILL))
    grid.row(C(""), C("{{ evaluasi.permasalahan }}", 3), height_pt=40)
    grid.row(C("6", align=CENTER), C("REKOMENDASI", 3, bold=True, fill=HEADER_FILL))
    grid.row(C(""), C("{{ evaluasi.rekomendasi }}", 3), height_pt=40)
    signatures(
        form,
        ("permenpanrb_8_2021", "dokumen_penilaian"),
        Signer("pegawai", "Pegawai yang Dinilai,"),
        Signer("pejabat_penilai", "Pejabat Penilai Kinerja,", date_line="{{ tempat_tanggal }}"),
        atasan=MENGETAHUI,
    )
    return form


# --- PP 46/2011 ------------------------------------------------------------------------------------


def skp_pp46(paper: str, *, guru: bool) -> Form:
    form = Form(landscape=True, paper=paper)
    form.title("FORMULIR SASARAN KERJA", "PEGAWAI NEGERI SIPIL", size=12)
    grid = form.table([10, 34, 106, 10, 34, 106])
    grid.row(
        H("NO"),
        H("I. PEJABAT PENILAI", 2),
        H("NO"),
        H("II. PEGAWAI NEGERI SIPIL YANG DINILAI", 2),
        header=True,
    )
    for number, (label, field) in enumerate(
        (
            ("Nama", "nama"),
            ("NIP", "nip"),
            ("Pangkat/Gol.Ruang", "pangkat_golongan"),
            ("Jabatan", "jabatan"),
            ("Unit Kerja", "unit_kerja"),
        ),
        start=1,
    ):
        grid.row(
            C(f"{number}.", align=CENTER),
            label,
            f"{{{{ pejabat_penilai.{field} }}}}",
            C(f"{number}.", align=CENTER),
            label,
            f"{{{{ pegawai.{field} }}}}",
        )
    form.spacer(4)
    grid = form.table([10, 150, 18, 36, 24, 30, 34])
    grid.row(H("NO"), H("III. KEGIATAN TUGAS JABATAN"), H("AK"), H("TARGET", 4), header=True)
    grid.row(H(""), H(""), H(""), H("KUANT/OUTPUT"), H("KUAL/MUTU"), H("WAKTU"), H("BIAYA"), header=True)
    for column in range(3):
        grid.merge_down(0, column)
    grid.numbers(7, parens=False)
    grid.tag("{%tr for k in kegiatan %}")
    grid.row(
        C("{{ k.no }}", align=CENTER),
        "{{ k.uraian }}",
        C("{{ k.ak }}", align=CENTER),
        C("{{ k.target.kuantitas }}", align=CENTER),
        C("{{ k.target.kualitas }}", align=CENTER),
        C("{{ k.target.waktu }}", align=CENTER),
        C("{{ k.target.biaya }}", align=CENTER),
    )
    grid.tag("{%tr endfor %}")
    if guru:
        grid.row(
            B("JUMLAH ANGKA KREDIT", 2, align=RIGHT),
            B("{{ pp46.jumlah_angka_kredit }}", align=CENTER),
            C("", 4),
        )
    signatures(
        form,
        ("pp46_2011", "skp"),
        Signer("pejabat_penilai", "Pejabat Penilai,"),
        Signer(
            "pegawai", "Pegawai Negeri Sipil Yang Dinilai,", date_line="{{ tempat }}, {{ periode.mulai }}"
        ),
        atasan=Signer("atasan_pejabat_penilai", "Mengetahui, Atasan Pejabat Penilai"),
    )
    return form


def evaluasi_pp46(paper: str) -> Form:
    form = Form(landscape=True, paper=paper, size=8)
    form.title("PENILAIAN CAPAIAN SASARAN KERJA", "PEGAWAI NEGERI SIPIL", size=12)
    form.para("Jangka Waktu Penilaian : {{ periode.mulai }} s/d {{ periode.selesai }}", after=4)
    form.para("{{ pegawai.nama }} — {{ pegawai.nip_teks }} — {{ pegawai.jabatan }}", after=4)
    widths = [9, 58, 12, 27, 16, 18, 20, 12, 27, 16, 18, 20, 26, 27]
    grid = form.table(widths)
    grid.row(
        H("NO"),
        H("I. KEGIATAN TUGAS JABATAN"),
        H("AK"),
        H("TARGET", 4),
        H("AK"),
        H("REALISASI", 4),
        H("PENG- HITUNGAN"),
        H("NILAI CAPAIAN SKP"),
        header=True,
    )
    grid.row(
        H(""),
        H(""),
        H(""),
        H("KUANT/ OUTPUT"),
        H("KUAL/ MUTU"),
        H("WAKTU"),
        H("BIAYA"),
        H(""),
        H("KUANT/ OUTPUT"),
        H("KUAL/ MUTU"),
        H("WAKTU"),
        H("BIAYA"),
        H(""),
        H(""),
        header=True,
    )
    for column in (0, 1, 2, 7, 12, 13):
        grid.merge_down(0, column)
    grid.numbers(14, parens=False)
    grid.tag("{%tr for k in kegiatan %}")
    grid.row(
        C("{{ k.no }}", align=CENTER),
        "{{ k.uraian }}",
        C("{{ k.ak }}", align=CENTER),
        C("{{ k.target.kuantitas }}", align=CENTER),
        C("{{ k.target.kualitas }}", align=CENTER),
        C("{{ k.target.waktu }}", align=CENTER),
        C("{{ k.target.biaya }}", align=CENTER),
        C("{{ k.realisasi.ak }}", align=CENTER),
        C("{{ k.realisasi.kuantitas }}", align=CENTER),
        C("{{ k.realisasi.kualitas }}", align=CENTER),
        C("{{ k.realisasi.waktu }}", align=CENTER),
        C("{{ k.realisasi.biaya }}", align=CENTER),
        C("{{ k.penghitungan }}", align=CENTER),
        C("{{ k.nilai_capaian }}", align=CENTER),
    )
    grid.tag("{%tr endfor %}")
    grid.tag("{%tr if guru %}")
    grid.row(
        B("JUMLAH ANGKA KREDIT", 2, align=RIGHT), B("{{ pp46.jumlah_angka_kredit }}", align=CENTER), C("", 11)
    )
    grid.tag("{%tr endif %}")
    grid.row(B("II. TUGAS TAMBAHAN DAN KREATIVITAS/UNSUR PENUNJANG:", 14), keep_next=True)
    grid.row(
        C(""),
        C("a. Tugas Tambahan:", 12, bold=True),
        C("{{ pp46.nilai_tugas_tambahan }}", align=CENTER),
        keep_next=True,
    )
    grid.tag("{%tr for t in tugas_tambahan %}")
    grid.row(C(""), C("{{ t.no }}. {{ t.uraian }}", 12), C(""))
    grid.tag("{%tr endfor %}")
    grid.row(C(""), C("b. Kreativitas:", 12, bold=True), C("{{ pp46.nilai_kreativitas }}", align=CENTER))
    grid.tag("{%tr for k in kreativitas %}")
    grid.row(C(""), C("{{ k.no }}. {{ k.uraian }} (tingkat {{ k.tingkat }})", 12), C(""))
    grid.tag("{%tr endfor %}")
    grid.row(B("NILAI CAPAIAN SKP", 13, align=CENTER), B("{{ pp46.nilai_skp }}", align=CENTER))
    grid.row(C("", 13), B("{{ pp46.sebutan_skp }}", align=CENTER))
    signatures(
        form,
        ("pp46_2011", "evaluasi"),
        None,
        Signer("pejabat_penilai", "Pejabat Penilai,", date_line="{{ tempat }}, {{ periode.selesai }}"),
        atasan=Signer("atasan_pejabat_penilai", "Mengetahui, Atasan Pejabat Penilai"),
    )
    return form


def dokumen_pp46(paper: str) -> Form:
    form = Form(landscape=False, paper=paper, size=10)
    _pp46_cover(form)
    form.page_break()
    _pp46_identities(form)
    form.page_break()
    _pp46_scores(form)
    form.page_break()
    _pp46_keberatan_and_signatures(form)
    return form


def _pp46_cover(form: Form) -> None:
    """Side 1 of the booklet."""
    form.para("", after=30)
    form.image("lambang", after=20)  # forms.md C3: the Garuda on top of the cover
    form.title("PENILAIAN PRESTASI KERJA", "PEGAWAI NEGERI SIPIL", size=16)
    form.para("Jangka Waktu Penilaian", bold=True, align=CENTER, before=30)
    form.para("{{ periode.teks }}", align=CENTER, after=40)
    grid = form.table([15, 35, 4, 80, 15], borders=False)
    for label, field in (
        ("Nama Pegawai", "nama"),
        ("NIP", "nip"),
        ("Pangkat/Gol.Ruang", "pangkat_golongan"),
        ("Jabatan", "jabatan"),
        ("Unit Kerja", "unit_kerja"),
    ):
        grid.row(C(""), label, ":", f"{{{{ pegawai.{field} }}}}", C(""))
    form.para("{{ unit_kerja|upper }}", bold=True, align=CENTER, before=120)
    form.para("{{ instansi|upper }}", bold=True, align=CENTER)
    form.para("TAHUN {{ periode.tahun }}", bold=True, align=CENTER)


def _pp46_identities(form: Form) -> None:
    """Side 2: the three people."""
    form.para("RAHASIA", bold=True, align=RIGHT)
    form.title("PENILAIAN PRESTASI KERJA", "PEGAWAI NEGERI SIPIL", size=12)
    grid = form.table([55, 45], borders=False)
    grid.row(B("{{ instansi|upper }}"), B("Jangka Waktu Penilaian", align=RIGHT))
    grid.row(C(""), C("{{ periode.teks }}", align=RIGHT))
    form.spacer(4)
    grid = form.table([8, 8, 60, 4, 112])
    for number, title, key in (
        ("1", "YANG DINILAI", "pegawai"),
        ("2", "PEJABAT PENILAI", "pejabat_penilai"),
        ("3", "ATASAN PEJABAT PENILAI", "atasan_pejabat_penilai"),
    ):
        grid.row(C(number, align=CENTER), C(title, 4, bold=True, fill=HEADER_FILL))
        for letter, label, field in (
            ("a.", "Nama", "nama"),
            ("b.", "NIP", "nip"),
            ("c.", "Pangkat/Gol. Ruang", "pangkat_golongan"),
            ("d.", "Jabatan/Pekerjaan", "jabatan"),
            ("e.", "Unit Organisasi", "unit_kerja"),
        ):
            grid.row(C(""), C(letter, align=CENTER), label, C(":", align=CENTER), f"{{{{ {key}.{field} }}}}")


def _pp46_scores(form: Form) -> None:
    """Side 3: unsur yang dinilai (60 % SKP + 40 % perilaku) and the keberatan box."""
    form.para("RAHASIA", bold=True, align=RIGHT, after=6)
    grid = form.table([8, 42, 50, 24, 36, 32])
    grid.row(C("4", align=CENTER), H("UNSUR YANG DINILAI", 4), H("Jumlah"), header=True)
    grid.row(
        C(""),
        C("a. Sasaran Kerja PNS (SKP)", 2),
        C("{{ pp46.nilai_skp }}", align=CENTER),
        C("x 60%", align=CENTER),
        C("{{ pp46.nilai_skp_60 }}", align=CENTER),
    )
    grid.tag("{%tr for p in perilaku_pp46 %}")
    grid.row(
        C(""),
        C("{% vm %}b. Perilaku Kerja"),
        C("{{ p.no }}. {{ p.aspek }}"),
        C("{{ p.nilai }}", align=CENTER),
        C("{{ p.sebutan }}", align=CENTER),
        C(""),
    )
    grid.tag("{%tr endfor %}")
    grid.row(C(""), C(""), C("7. Jumlah"), C("{{ pp46.jumlah_perilaku }}", align=CENTER), C(""), C(""))
    grid.row(
        C(""),
        C(""),
        C("8. Nilai Rata-rata"),
        C("{{ pp46.rata_rata_perilaku }}", align=CENTER),
        C("{{ pp46.sebutan_perilaku }}", align=CENTER),
        C(""),
    )
    grid.row(
        C(""),
        C(""),
        C("9. Nilai Perilaku Kerja"),
        C("{{ pp46.rata_rata_perilaku }}", align=CENTER),
        C("x 40%", align=CENTER),
        C("{{ pp46.nilai_perilaku_40 }}", align=CENTER),
    )
    grid.row(
        C(""), B("NILAI PRESTASI KERJA", 4, align=CENTER), B("{{ pp46.nilai_prestasi_kerja }}", align=CENTER)
    )
    grid.row(C(""), C("", 4), B("{{ pp46.sebutan }}", align=CENTER))
    form.spacer(6)
    box = form.table([8, 192])
    box.row(C("5", align=CENTER), B("KEBERATAN DARI PEGAWAI NEGERI SIPIL YANG DINILAI (APABILA ADA)"))
    box.row(C(""), "{{ evaluasi.keberatan }}", height_pt=110)
    box.row(C(""), C("Tanggal, ………………", align=RIGHT))


def _pp46_keberatan_and_signatures(form: Form) -> None:
    """Side 4: tanggapan, keputusan, rekomendasi and the three dated signatures (9, 10, 11)."""
    form.para("RAHASIA", bold=True, align=RIGHT, after=6)
    box = form.table([8, 192])
    for number, title, field in (
        ("6", "TANGGAPAN PEJABAT PENILAI ATAS KEBERATAN", "tanggapan"),
        ("7", "KEPUTUSAN ATASAN PEJABAT PENILAI ATAS KEBERATAN", "keputusan"),
    ):
        box.row(C(number, align=CENTER), B(title))
        box.row(C(""), f"{{{{ evaluasi.{field} }}}}", height_pt=70)
        box.row(C(""), C("Tanggal, ………………", align=RIGHT))
    box.row(C("8", align=CENTER), B("REKOMENDASI"))
    box.row(C(""), "{{ evaluasi.rekomendasi }}", height_pt=50)
    form.spacer(4)
    # Stacked right–left–right, in the order the booklet numbers them (9, 10, 11) and they sign.
    _check_signers(
        ("pp46_2011", "dokumen_penilaian"),
        ("pejabat_penilai", "pegawai", "atasan_pejabat_penilai"),
        numbered=True,
    )
    grid = form.table([50, 50], borders=False)
    row = grid.row(C(""), C(""))
    _signature_cell(row.cells[0], None, grid.size)
    _signature_cell(
        row.cells[1],
        Signer("pejabat_penilai", "PEJABAT PENILAI", date_line="9. DIBUAT TANGGAL, {{ tanggal }}"),
        grid.size,
    )
    row = grid.row(C(""), C(""))
    _signature_cell(
        row.cells[0],
        Signer(
            "pegawai", "PEGAWAI NEGERI SIPIL YANG DINILAI", date_line="10. DITERIMA TANGGAL, {{ tanggal }}"
        ),
        grid.size,
    )
    _signature_cell(row.cells[1], None, grid.size)
    row = grid.row(C(""), C(""))
    _signature_cell(row.cells[0], None, grid.size)
    _signature_cell(
        row.cells[1],
        Signer(
            "atasan_pejabat_penilai",
            "ATASAN PEJABAT PENILAI",
            date_line="11. DITERIMA TANGGAL, {{ tanggal }}",
        ),
        grid.size,
    )


# --- Unit and coaching documents (forms.md §E) -----------------------------------------------------

P6, P8 = "permenpanrb_6_2022", "permenpanrb_8_2021"
#: identity_6 on a portrait page: a NO column wide enough for "NO" on one line.
#: mm at 9 pt: the label column holds "PANGKAT/ GOL. RUANG" (36 mm) on one line, a value column a
#: name with its titles ("Eko Prasetyo, S.T., M.Kom.", 39 mm), each with Word's 3.8 mm of cell padding.
IDENTITY_PORTRAIT = (9, 42, 45, 9, 42, 45)


def header_portrait(form: Form, periode: str = "PERIODE PENILAIAN:") -> None:
    """Instansi left, the period's kind right and its dates on a line of their own (a portrait page
    has no room beside it).
    """
    header_row(form, "{{ instansi|upper }}", f"{periode} {{{{ periode.jenis_label }}}}")
    form.para("{{ periode.penilaian }}", bold=True, align=RIGHT, after=4)


def pegawai_table(
    form: Form,
    key: str,
    columns: Sequence[tuple[float, str, str, WD_ALIGN_PARAGRAPH | None]],
    *,
    size: float,
) -> None:
    """A unit's list (context ``key``, one row per pegawai), its header row repeated on each page and
    a "-" row when it is empty; ``columns``: (width, head, member of a row, alignment).
    """
    grid = form.table([width for width, _, _, _ in columns], size=size)
    grid.row(*(H(head) for _, head, _, _ in columns), header=True)
    grid.tag(f"{{%tr for p in {key} %}}")
    grid.row(*(C(f"{{{{ p.{member} }}}}", align=align) for _, _, member, align in columns))
    grid.tag("{%tr endfor %}")
    grid.tag(f"{{%tr if not {key} %}}")
    grid.row(C("-", len(columns), align=CENTER))
    grid.tag("{%tr endif %}")


def distribution_table(
    form: Form,
    predikat: str,
    ketentuan_head: str,
    *,
    ketentuan: C | str = "{{ d.ketentuan }}",
    size: float | None = None,
) -> None:
    """A unit's distribution (context ``distribusi``): each predikat with its count, share and the
    rules on it, the total, then the unit check's warnings as "Catatan" (``unit.catatan``).
    """
    grid = form.table([10, 42, 26, 30, 84], size=size)
    grid.row(H("NO"), H(predikat), H("JUMLAH PEGAWAI"), H("PERSENTASE"), H(ketentuan_head), header=True)
    grid.tag("{%tr for d in distribusi %}")
    grid.row(
        C("{{ d.no }}", align=CENTER),
        "{{ d.predikat }}",
        C("{{ d.jumlah }}", align=CENTER),
        C("{{ d.persen }}", align=CENTER),
        ketentuan,
    )
    grid.tag("{%tr endfor %}")
    grid.row(
        B("JUMLAH", 2, align=CENTER),
        B("{{ unit.jumlah_pegawai }}", align=CENTER),
        B("{{ unit.jumlah_persen }}", align=CENTER),
        C(""),
    )
    form.spacer(4)
    form.para("Catatan:", bold=True, keep_next=True)
    form.para("{{ unit.catatan }}")


def penetapan_predikat_6(paper: str) -> Form:
    """forms.md E1: the layout is ours ([I]) until the lampiran of SE MenPANRB 3/2023 is seen."""
    form = Form(landscape=False, paper=paper, size=10)
    form.title(
        "PENETAPAN PREDIKAT KINERJA",
        "(PREDIKAT KINERJA ORGANISASI DAN DISTRIBUSI PREDIKAT KINERJA PEGAWAI)",
    )
    header_portrait(form, "PERIODE:")
    grid = form.table([70, 4, 118], borders=False)
    grid.row(B("UNIT KERJA / SATUAN ORGANISASI"), C(":", align=CENTER), B("{{ unit_kerja }}"))
    grid.row(B("A. CAPAIAN KINERJA ORGANISASI"), C(":", align=CENTER), B("{{ unit.capaian_organisasi }}"))
    grid.row(C("     Dasar penetapan capaian"), C(":", align=CENTER), C("{{ unit.dasar_capaian }}"))
    grid.row(B("B. POLA DISTRIBUSI"), C(":", align=CENTER), C(""), keep_next=True)
    form.spacer(2)
    form.para("{{ unit.judul_kurva }}", bold=True, align=CENTER, size=8.5, keep_next=True)
    # The unit's actual distribution over the guidance curve (service/documents/kurva.py, aktual=…).
    form.para("{{ kurva_unit }}", align=CENTER, keep_next=True)
    form.para("{{ unit.pola }}", size=9, after=6)
    form.para("C. DISTRIBUSI PREDIKAT KINERJA PEGAWAI", bold=True, after=3, keep_next=True)
    distribution_table(
        form,
        "PREDIKAT KINERJA PEGAWAI",
        "KETENTUAN POLA DISTRIBUSI",
        ketentuan=C("{{ d.ketentuan }}", size=8.5),
    )
    signatures(
        form,
        (P6, "penetapan_predikat"),
        None,
        Signer(
            "pimpinan_yang_berwenang",
            "{{ pimpinan_yang_berwenang.jabatan }},",
            date_line="{{ tempat_tanggal }}",
        ),
        mengetahui=False,
    )
    # D. the lampiran, on landscape pages of its own section: one row per pegawai of the unit.
    form.new_section(landscape=True)
    form.title("LAMPIRAN PENETAPAN PREDIKAT KINERJA", "D. DAFTAR PREDIKAT KINERJA PEGAWAI")
    header_row(form, "{{ unit_kerja|upper }}", "PERIODE: {{ periode.penilaian }}")
    pegawai_table(
        form,
        "daftar_pegawai",
        [
            (10, "NO", "no", CENTER),
            (48, "NAMA", "nama", None),
            (40, "NIP", "nip", CENTER),
            (44, "PANGKAT/GOL. RUANG", "pangkat_golongan", None),
            (50, "JABATAN", "jabatan", None),
            (38, "RATING HASIL KERJA", "rating_hasil_kerja", CENTER),
            (38, "RATING PERILAKU KERJA", "rating_perilaku_kerja", CENTER),
            (38, "PREDIKAT KINERJA", "predikat", CENTER),
        ],
        size=9,
    )
    return form


def peringkat_8(paper: str) -> Form:
    """forms.md E2 [I]: the ranking of a unit, in the hasil's rank order (nilai, then predikat)."""
    form = Form(landscape=False, paper=paper, size=10)
    form.title("PEMERINGKATAN KINERJA PEGAWAI NEGERI SIPIL", "TAHUN {{ periode.tahun }}")
    header_portrait(form)
    form.para("UNIT KERJA: {{ unit_kerja }}", bold=True, after=4)
    # mm at 8 pt, with 3.8 mm of cell padding: PERINGKAT (16 mm), a name with its titles (33 mm), a
    # NIP (28 mm), "PANGKAT/GOL RUANG" (32 mm), each on one line.
    pegawai_table(
        form,
        "peringkat",
        [
            (21, "PERINGKAT", "peringkat", CENTER),
            (37, "NAMA", "nama", None),
            (33, "NIP", "nip", CENTER),
            (36, "PANGKAT/GOL RUANG", "pangkat_golongan", None),
            (29, "JABATAN", "jabatan", None),
            (17, "NILAI KINERJA", "nilai", CENTER),
            (19, "PREDIKAT KINERJA", "predikat", CENTER),
        ],
        size=8,
    )
    # Ours (forms.md E2 names none): the unit's distribution against PermenPANRB 8/2021's, as the
    # penetapan of 6/2022 prints its pola, and the unit check's warnings.
    form.spacer(6)
    form.para("DISTRIBUSI PREDIKAT KINERJA", bold=True, after=3, keep_next=True)
    distribution_table(form, "PREDIKAT KINERJA", "KETENTUAN DISTRIBUSI", size=8)
    signatures(
        form,
        (P8, "peringkat"),
        None,
        Signer(
            "pejabat_yang_berwenang",
            "Pejabat yang Berwenang",
            date_line="{{ tempat_tanggal }}",
            subtitle="{{ pejabat_yang_berwenang.jabatan }}",
        ),
        mengetahui=False,
    )
    return form


#: FORMAT B.1.8's label of the pangkat row (forms.md E3), also used by the catatan bimbingan.
PANGKAT_B18 = "PANGKAT/ GOL. RUANG"


def umpan_balik_bimbingan_6(paper: str) -> Form:
    """FORMAT B.1.8 (forms.md E3 [V]); the answer column (YA/TIDAK) and the catatan are ours."""
    form = Form(landscape=False, paper=paper, size=10)
    form.title("UMPAN BALIK PELAKSANAAN BIMBINGAN KINERJA")
    header_portrait(form)
    identity_6(form, pangkat=PANGKAT_B18, widths=IDENTITY_PORTRAIT, size=9)
    form.para("Tanggal bimbingan kinerja: {{ umpan_balik.tanggal_bimbingan }}", after=4)
    grid = form.table([52, 8, 108, 24])
    grid.row(H("SUBJEK"), H("KRITERIA UMPAN BALIK", 2), H("YA/TIDAK"), header=True)
    grid.tag("{%tr for s in umpan_balik.subjek %}")
    grid.tag("{%tr for k in s.kriteria %}")
    grid.row(
        C("{{ s.subjek }}", bold=True, vm=True),
        C("{{ k.no }}.", align=CENTER),
        "{{ k.kriteria }}",
        C("{{ k.jawaban }}", bold=True, align=CENTER),
    )
    grid.tag("{%tr endfor %}")
    grid.tag("{%tr endfor %}")
    form.spacer(4)
    grid = form.table([40, 152])
    grid.row(B("CATATAN"), "{{ umpan_balik.catatan }}", height_pt=40)
    signatures(
        form,
        (P6, "umpan_balik_bimbingan"),
        None,
        Signer("pegawai", "Pegawai yang Dinilai", date_line="{{ tempat_tanggal }}"),
        mengetahui=False,
    )
    return form


def _text_block(grid: Grid, number: str, title: str, value: str, *, height_pt: float = 40) -> None:
    """A numbered, shaded heading across the form and its free text below it."""
    grid.row(C(number, align=CENTER), C(title, 3, bold=True, fill=HEADER_FILL), keep_next=True)
    grid.row(C(""), C(value, 3), height_pt=height_pt, cant_split=False)


def catatan_bimbingan(regime: str) -> Callable[[str], Form]:
    """forms.md E4 [I]: identity as E3, then what the bimbingan was, found and decided."""

    def make(paper: str) -> Form:
        form = Form(landscape=False, paper=paper, size=10)
        form.title("CATATAN BIMBINGAN KINERJA")
        header_portrait(form)
        identity_6(form, pangkat=PANGKAT_B18, widths=IDENTITY_PORTRAIT, size=9)
        grid = form.table([8, 56, 4, 124])
        grid.row(C("1", align=CENTER), B("TANGGAL"), C(":", align=CENTER), "{{ bimbingan.tanggal }}")
        grid.row(C("2", align=CENTER), B("BENTUK"), C(":", align=CENTER), B("{{ bimbingan.bentuk }}"))
        grid.tag("{%tr if bimbingan.kelompok %}")
        grid.row(C(""), C("Peserta lain"), C(":", align=CENTER), "{{ bimbingan.peserta_teks }}")
        grid.tag("{%tr endif %}")
        _text_block(grid, "3", "PERMASALAHAN/ TOPIK", "{{ bimbingan.topik }}")
        _text_block(grid, "4", "HASIL BIMBINGAN", "{{ bimbingan.hasil }}")
        _text_block(grid, "5", "RENCANA TINDAK LANJUT", "{{ bimbingan.tindak_lanjut }}")
        grid.row(C(""), C("Batas waktu"), C(":", align=CENTER), B("{{ bimbingan.batas_waktu }}"))
        # The penilai signs first, then the pegawai (PENANDATANGAN); the columns are only the layout.
        signatures(
            form,
            (regime, "catatan_bimbingan"),
            Signer("pegawai", "Pegawai yang Dinilai"),
            Signer("pejabat_penilai", "Pejabat Penilai Kinerja", date_line="{{ tempat_tanggal }}"),
            mengetahui=False,
        )
        return form

    return make


def _person_rows(grid: Grid, title: str, key: str) -> None:
    """A shaded heading and the identity rows of one person, on a label : value grid."""
    grid.row(C(title, 3, bold=True, fill=HEADER_FILL), keep_next=True)
    for text, field in (
        ("NAMA", "nama"),
        ("NIP", "nip"),
        ("PANGKAT/GOL RUANG", "pangkat_golongan"),
        ("JABATAN", "jabatan"),
        ("UNIT KERJA", "unit_kerja"),
    ):
        grid.row(C(text), C(":", align=CENTER), C(f"{{{{ {key}.{field} }}}}"))


def konseling(regime: str) -> Callable[[str], Form]:
    """forms.md E4 [I]: the record the konselor fills and signs after a konseling kinerja."""

    def make(paper: str) -> Form:
        form = Form(landscape=False, paper=paper, size=10)
        # Konseling is confidential ("prinsip kerahasiaan"): marked on top, as the PP 46 booklet's pages.
        form.para("RAHASIA", bold=True, align=RIGHT, after=4)
        # Our heading: the regulation names the form "Format Pelaksanaan Konseling Kinerja" but its
        # layout has not been seen; the title follows the other forms (no "FORMAT" before the name).
        form.title("PELAKSANAAN KONSELING KINERJA")
        header_portrait(form)
        grid = form.table([66, 4, 122])
        _person_rows(grid, "PEGAWAI YANG DINILAI", "pegawai")
        grid.tag("{%tr if pejabat_penilai.ada %}")
        _person_rows(grid, "PEJABAT PENILAI KINERJA", "pejabat_penilai")
        grid.tag("{%tr endif %}")
        _person_rows(grid, "KONSELOR", "konselor")
        grid.row(C("KATEGORI KONSELOR"), C(":", align=CENTER), C("{{ konseling.kategori_konselor }}"))
        grid.row(B("TANGGAL KONSELING"), C(":", align=CENTER), B("{{ konseling.tanggal }}"))
        for title, value in (
            ("PERMASALAHAN PERILAKU KERJA", "{{ konseling.permasalahan }}"),
            ("HASIL KONSELING", "{{ konseling.hasil }}"),
        ):
            grid.row(C(title, 3, bold=True, fill=HEADER_FILL), keep_next=True)
            grid.row(C(value, 3), height_pt=40, cant_split=False)
        grid.row(C("TINDAK LANJUT", 3, bold=True, fill=HEADER_FILL), keep_next=True)
        grid.row(C("{{ konseling.tindak_lanjut }}", 3), keep_next=True)
        grid.row(C("{{ konseling.uraian_tindak_lanjut }}", 3), height_pt=30, cant_split=False)
        form.footnotes(
            "Dokumen ini bersifat rahasia: isinya hanya untuk pegawai yang bersangkutan, konselor, "
            "dan pejabat yang berwenang."
        )
        signatures(
            form,
            (regime, "konseling"),
            None,
            Signer("konselor", "Konselor", date_line="{{ tempat_tanggal }}"),
            mengetahui=False,
        )
        return form

    return make


FORMS: dict[str, Callable[[str], Form]] = {
    "permenpanrb_6_2022/skp.docx": lambda paper: skp_6(paper, jpt=False),
    "permenpanrb_6_2022/skp_jpt.docx": lambda paper: skp_6(paper, jpt=True),
    "permenpanrb_6_2022/manual_iku.docx": manual_iku_6,
    "permenpanrb_6_2022/evaluasi.docx": lambda paper: evaluasi_6(paper, jpt=False),
    "permenpanrb_6_2022/evaluasi_jpt.docx": lambda paper: evaluasi_6(paper, jpt=True),
    "permenpanrb_6_2022/dokumen_penilaian.docx": dokumen_6,
    "permenpanrb_8_2021/skp.docx": skp_8,
    "permenpanrb_8_2021/skp_jpt.docx": lambda paper: skp_8(paper, "jpt"),
    "permenpanrb_8_2021/skp_pengembangan.docx": lambda paper: skp_8(paper, "pengembangan"),
    "permenpanrb_8_2021/evaluasi.docx": evaluasi_8,
    "permenpanrb_8_2021/evaluasi_jpt.docx": lambda paper: evaluasi_8(paper, "jpt"),
    "permenpanrb_8_2021/evaluasi_pengembangan.docx": lambda paper: evaluasi_8(paper, "pengembangan"),
    "permenpanrb_8_2021/dokumen_penilaian.docx": dokumen_8,
    "pp46_2011/skp.docx": lambda paper: skp_pp46(paper, guru=False),
    "pp46_2011/skp_guru.docx": lambda paper: skp_pp46(paper, guru=True),
    "pp46_2011/evaluasi.docx": evaluasi_pp46,
    "pp46_2011/dokumen_penilaian.docx": dokumen_pp46,
    "permenpanrb_6_2022/penetapan_predikat.docx": penetapan_predikat_6,
    "permenpanrb_8_2021/peringkat.docx": peringkat_8,
    "permenpanrb_8_2021/catatan_bimbingan.docx": catatan_bimbingan(P8),
    "permenpanrb_6_2022/catatan_bimbingan.docx": catatan_bimbingan(P6),
    "permenpanrb_6_2022/umpan_balik_bimbingan.docx": umpan_balik_bimbingan_6,
    "permenpanrb_8_2021/konseling.docx": konseling(P8),
    "permenpanrb_6_2022/konseling.docx": konseling(P6),
}


def _normalise(path: Path) -> None:
    """Fixed timestamps in the zip and core properties, so a rebuild gives the same bytes."""
    import zipfile

    with zipfile.ZipFile(path) as source:
        items = [(info.filename, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for name, data in items:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data)


def build(out: Path, paper: str = "f4") -> list[Path]:
    written = []
    for name, make in FORMS.items():
        form = make(paper)
        import datetime as dt

        stamp = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
        form.doc.core_properties.created = stamp
        form.doc.core_properties.modified = stamp
        form.doc.core_properties.last_modified_by = "skp-sign"
        form.doc.core_properties.revision = 1
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        form.doc.save(str(path))
        _normalise(path)
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paper", choices=sorted(PAPER), default="f4")
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args(argv)
    for path in build(args.out, args.paper):
        print(path)


if __name__ == "__main__":
    main()
