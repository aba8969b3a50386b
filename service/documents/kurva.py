"""The kurva distribusi predikat kinerja pegawai of PermenPANRB 6/2022 (forms.md A5), drawn as a PNG.

One guidance curve per capaian kinerja organisasi (five variants), and optionally a unit's actual
distribution over it (issue 15: the penetapan predikat kinerja). The chart is drawn with matplotlib's
object API on the Agg canvas (no pyplot, so no global figure state shared between the threads of a
worker) and written as an opaque RGB PNG: no alpha channel, so the PDF gets no soft mask and stays a
plain PDF/A-2b image. Text is rasterised into the image, so no font has to be embedded in the PDF.

Pure apart from the CPU: no files, no settings; the same arguments give the same bytes.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Mapping, Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from PIL import Image

from service.documents.context.permenpanrb_6_2022 import KurvaDistribusi, judul_kurva
from service.scoring.vocabulary import PREDIKAT_PERMENPANRB_6_2022

__all__ = ["KATEGORI", "POLA_KURVA", "KurvaDistribusi", "judul_kurva", "kurva_png", "png"]

#: The x axis, left to right as forms.md A5 prints it: (predikat id, label on the axis).
KATEGORI: Sequence[tuple[str, str]] = (
    ("sangat_kurang", "Sangat Kurang"),
    ("kurang_misconduct", "Kurang/ Misconduct"),
    ("butuh_perbaikan", "Butuh Perbaikan"),
    ("baik", "Baik"),
    ("sangat_baik", "Sangat Baik"),
)

#: The guidance curve per capaian organisasi, in percent of the unit's pegawai along :data:`KATEGORI`.
#: The regulation gives the shape and a few bounds, not the points; these points are one shape that
#: meets every rule of :data:`service.scoring.policy.POLA_DISTRIBUSI_6_2022` for its capaian (a test
#: holds them to it), with the peak where rules.md §4 puts most pegawai.
POLA_KURVA: Mapping[str, tuple[int, int, int, int, int]] = {
    "istimewa": (2, 3, 10, 25, 60),
    "baik": (2, 8, 15, 60, 15),
    "butuh_perbaikan": (5, 15, 60, 15, 5),
    "kurang": (15, 60, 15, 7, 3),
    "sangat_kurang": (60, 20, 12, 8, 0),
}

_GARIS, _BATANG = "#1F4E79", "#9DC3E6"


def kurva_png(
    capaian: str,
    *,
    aktual: Mapping[str, int] | None = None,
    lebar_mm: float = 140,
    tinggi_mm: float = 58,
    dpi: int = 200,
    judul: bool = False,
) -> bytes:
    """The kurva distribusi for one capaian kinerja organisasi, as PNG bytes.

    :param capaian: a capaian kinerja organisasi id (:data:`~service.scoring.vocabulary.CAPAIAN_ORGANISASI`).
    :param aktual: pegawai per predikat id of a unit; drawn as bars, with the guidance curve scaled to
        the unit's size over them. Without it the curve is drawn alone, in percent.
    :param lebar_mm: width of the image as printed; with ``dpi`` it fixes the pixel size.
    :param tinggi_mm: height of the image as printed.
    :param judul: draw :func:`judul_kurva` into the image (a form that prints the title as text does not).
    :raises ValueError: an unknown capaian or predikat id, or a negative count.
    """
    if capaian not in POLA_KURVA:
        raise ValueError(f"capaian kinerja organisasi tidak dikenal: {capaian!r}")
    if aktual is not None:
        unknown = set(aktual) - set(PREDIKAT_PERMENPANRB_6_2022)
        if unknown or any(count < 0 for count in aktual.values()):
            raise ValueError(f"jumlah pegawai per predikat tidak sah: {dict(aktual)!r}")
    width_px, height_px = round(lebar_mm / 25.4 * dpi), round(tinggi_mm / 25.4 * dpi)
    figure = Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi, facecolor="white")
    FigureCanvasAgg(figure)  # the Agg canvas, set on the figure: no display, no pyplot backend
    axes = figure.add_subplot()
    x = list(range(len(KATEGORI)))
    pola = POLA_KURVA[capaian]
    if aktual is None:
        axes.plot(x, pola, color=_GARIS, linewidth=2, marker="o", markersize=4)
        axes.fill_between(x, pola, color=_BATANG)
        axes.set_ylim(0, 100)
        axes.yaxis.set_major_formatter("{x:.0f} %")
    else:
        counts = [aktual.get(key, 0) for key, _ in KATEGORI]
        total = sum(counts)
        axes.bar(x, counts, width=0.6, color=_BATANG, label="Distribusi aktual")
        axes.plot(
            x,
            [share * total / 100 for share in pola],
            color=_GARIS,
            linewidth=2,
            marker="o",
            markersize=4,
            label="Pola distribusi",
        )
        axes.set_ylim(0, max([*counts, max(pola) * total / 100, 1]) * 1.15)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # pegawai are counted whole
        axes.legend(fontsize=6, frameon=False, loc="upper left")
    axes.set_xticks(x, [name for _, name in KATEGORI], fontsize=6.5)
    axes.tick_params(axis="y", labelsize=6)
    axes.set_xlabel("Predikat Kinerja Pegawai", fontsize=7)
    axes.set_ylabel("Frekuensi Pegawai", fontsize=7)
    axes.spines[["top", "right"]].set_visible(False)
    if judul:
        axes.set_title(judul_kurva(capaian), fontsize=7, fontweight="bold")
    figure.tight_layout(pad=0.4)
    drawn = io.BytesIO()
    figure.savefig(drawn, format="png", dpi=dpi, facecolor="white")
    drawn.seek(0)
    output = io.BytesIO()
    with Image.open(drawn) as rgba:  # Agg draws RGBA; the alpha channel goes, the white stays
        rgba.convert("RGB").save(output, format="PNG", dpi=(dpi, dpi), optimize=True)
    return output.getvalue()


def png(kurva: KurvaDistribusi) -> bytes:
    """The chart a form's context asks for (:class:`KurvaDistribusi`), as PNG bytes.

    A guidance curve alone (no actual counts) is one of five images per width, drawn once per process.
    """
    if kurva.aktual is None:
        return _pola_png(kurva.capaian, kurva.lebar_mm)
    return kurva_png(kurva.capaian, aktual=kurva.aktual, lebar_mm=kurva.lebar_mm)


@functools.lru_cache(maxsize=32)
def _pola_png(capaian: str, lebar_mm: float) -> bytes:
    return kurva_png(capaian, lebar_mm=lebar_mm)
