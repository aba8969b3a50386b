"""Context keys of the PermenPANRB 6/2022 forms: hasil kerja, BerAKHLAK, lampiran, evaluasi, manual IKU."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from docxtpl import Listing

from service.documents.context.common import (
    angka,
    bilangan,
    clean_text,
    dash,
    get_in,
    grouped,
    label,
    listing,
    numbered,
    per_pegawai,
)
from service.scoring import policy
from service.scoring.vocabulary import (
    ASPEK_LABEL,
    BERAKHLAK,
    PERIODE_PELAPORAN_LABEL,
    PERSPEKTIF_LABEL,
    TINGKAT_KENDALI_LABEL,
)

__all__ = ["ASPEK_BERAKHLAK", "KEYS", "PANDUAN_BERAKHLAK", "KurvaDistribusi", "context", "judul_kurva"]

#: The keys :func:`context` fills.
KEYS = frozenset(
    {
        "hasil_kerja_utama",
        "hasil_kerja_tambahan",
        "perilaku",
        "lampiran",
        "evaluasi",
        "pola_distribusi",
        "kurva",
        "angka_kredit",
        "manual_iku",
    }
)

#: The panduan perilaku of each BerAKHLAK value (forms.md A1, verbatim, order fixed).
PANDUAN_BERAKHLAK: Mapping[str, tuple[str, str, str]] = {
    "berorientasi_pelayanan": (
        "Memahami dan memenuhi kebutuhan masyarakat",
        "Ramah, cekatan, solutif, dan dapat diandalkan",
        "Melakukan perbaikan tiada henti",
    ),
    "akuntabel": (
        "Melaksanakan tugas dengan jujur, bertanggung jawab, cermat, disiplin, dan berintegritas tinggi",
        "Menggunakan kekayaan dan barang milik negara secara bertanggung jawab, efektif, dan efisien",
        "Tidak menyalahgunakan kewenangan jabatan",
    ),
    "kompeten": (
        "Meningkatkan kompetensi diri untuk menjawab tantangan yang selalu berubah",
        "Membantu orang lain belajar",
        "Melaksanakan tugas dengan kualitas terbaik",
    ),
    "harmonis": (
        "Menghargai setiap orang apapun latar belakangnya",
        "Suka menolong orang lain",
        "Membangun lingkungan kerja yang kondusif",
    ),
    "loyal": (
        "Memegang teguh ideologi Pancasila, Undang-Undang Dasar Negara Republik Indonesia Tahun 1945, "
        "setia pada Negara Kesatuan Republik Indonesia serta pemerintahan yang sah",
        "Menjaga nama baik sesama ASN, Pimpinan, Instansi, dan Negara",
        "Menjaga rahasia jabatan dan negara",
    ),
    "adaptif": (
        "Cepat menyesuaikan diri menghadapi perubahan",
        "Terus berinovasi dan mengembangkan kreativitas",
        "Bertindak proaktif",
    ),
    "kolaboratif": (
        "Memberi kesempatan kepada berbagai pihak untuk berkontribusi",
        "Terbuka dalam bekerja sama untuk menghasilkan nilai tambah",
        "Menggerakkan pemanfaatan berbagai sumberdaya untuk tujuan bersama",
    ),
}

#: The seven BerAKHLAK values as the form prints them: (id, label, panduan perilaku), in form order.
ASPEK_BERAKHLAK: Sequence[tuple[str, str, tuple[str, str, str]]] = tuple(
    (key, ASPEK_LABEL[key], PANDUAN_BERAKHLAK[key]) for key in BERAKHLAK
)

#: Ids printed otherwise than in capitals (forms.md A7: Kurang/Misconduct is printed KURANG).
_CETAK = {"kurang_misconduct": "KURANG"}

_LAMPIRAN = ("dukungan_sumber_daya", "skema_pertanggungjawaban", "konsekuensi")

_JUDUL_KURVA = "KURVA DISTRIBUSI PREDIKAT KINERJA PEGAWAI DENGAN CAPAIAN KINERJA ORGANISASI"
_CAPAIAN_CETAK = {
    "istimewa": "ISTIMEWA",
    "baik": "BAIK",
    "butuh_perbaikan": "BUTUH PERBAIKAN",
    "kurang": "KURANG",
    "sangat_kurang": "SANGAT KURANG",
}


def judul_kurva(capaian: str) -> str:
    """The kurva's title as forms.md A5 prints it, e.g. ``… CAPAIAN KINERJA ORGANISASI BAIK``."""
    return f"{_JUDUL_KURVA} {_CAPAIAN_CETAK[capaian]}"


class KurvaDistribusi(NamedTuple):
    """A kurva distribusi a form prints: the context holds this, filling the template draws it.

    The context stays data (no image bytes, no template object, no plotting library):
    :func:`service.documents.render.render_template` draws it with :mod:`service.documents.kurva` and
    places it as an inline image where the template prints it.
    """

    capaian: str
    """Capaian kinerja organisasi id; one of :data:`~service.scoring.vocabulary.CAPAIAN_ORGANISASI`."""
    aktual: Mapping[str, int] | None = None
    """A unit's pegawai per predikat id, drawn over the guidance curve; ``None`` for the curve alone."""
    lebar_mm: float = 140
    """Printed width; the height keeps :func:`service.documents.kurva.kurva_png`'s proportion."""


def _kapital(value: object) -> str:
    """A rating, predikat or capaian id as the 6/2022 forms print it: in capitals."""
    text = clean_text(value)
    return _CETAK.get(text, text.replace("_", " ").upper() or "-")


def _hasil_kerja(payload: Mapping[str, Any], jenis: str) -> list[dict[str, Any]]:
    rows = []
    for item in get_in(payload, "skp", "hasil_kerja") or []:
        if not isinstance(item, Mapping) or item.get("jenis", "utama") != jenis:
            continue
        rhk, atasan = dash(item.get("rencana_hasil_kerja")), dash(item.get("rhk_atasan"))
        perspektif = clean_text(item.get("perspektif"))
        rows.append(
            {
                "_group": (atasan, rhk),
                "rhk": rhk,
                "rhk_atasan": atasan,
                "aspek": label(item.get("aspek")),
                "iki": dash(item.get("iki")),
                "target": bilangan(item.get("target")),
                "perspektif": PERSPEKTIF_LABEL.get(perspektif, label(perspektif)),
                "realisasi": listing(item.get("realisasi")),
                "_realisasi": clean_text(item.get("realisasi"), multiline=True),
                "umpan_balik": listing(item.get("umpan_balik")),
                "rating": _kapital(item.get("rating")) if item.get("rating") else "-",
            }
        )
    groups = grouped(rows, "rhk")
    for group in groups:
        first = group["baris"][0]
        group["rhk_atasan"] = first["rhk_atasan"]
        notes = [clean_text(get_in(row, "umpan_balik"), multiline=True) for row in group["baris"]]
        shown = "\n".join(n for n in notes if n and n != "-")
        group["umpan_balik"] = Listing(shown) if shown else "-"
        group["ukuran"] = _ukuran(group["baris"])
        done = [row["_realisasi"] for row in group["baris"] if row["_realisasi"]]
        group["realisasi"] = Listing("\n".join(done)) if done else "-"
    return groups


def _ukuran(baris: Sequence[Mapping[str, Any]]) -> Listing:
    """The kualitatif forms' one cell per RHK: each IKI with its target (and perspektif, JPT), a line each."""
    lines = []
    for row in baris:
        line = f"- {row['iki']}; target {row['target']}"
        if row["perspektif"] != "-":
            line += f"; perspektif {row['perspektif']}"
        lines.append(line)
    return Listing("\n".join(lines))


def _perilaku(payload: Mapping[str, Any]) -> list[dict[str, Any]]:
    data = payload.get("perilaku_kerja")
    values: Mapping[str, Any] = data if isinstance(data, Mapping) else {}
    out: list[dict[str, Any]] = []
    for number, (key, name, panduan) in enumerate(ASPEK_BERAKHLAK, start=1):
        item = values.get(key)
        entry: Mapping[str, Any] = item if isinstance(item, Mapping) else {}
        out.append(
            {
                "no": str(number),
                "aspek": name,
                "panduan": list(panduan),
                "ekspektasi": clean_text(entry.get("ekspektasi_khusus")) or "-",
                "realisasi": listing(entry.get("realisasi")),
                "umpan_balik": listing(entry.get("umpan_balik")),
            }
        )
    return out


def _pola_distribusi(capaian: object) -> str:
    """The kurva's title (forms.md A5), or ``"-"`` without a capaian organisasi."""
    key = clean_text(capaian)
    return judul_kurva(key) if key in policy.POLA_DISTRIBUSI_6_2022 else "-"


def _kurva(capaian: object) -> KurvaDistribusi | str:
    """The guidance kurva for the capaian organisasi (drawn when the template is filled), or ``""``."""
    key = clean_text(capaian)
    return KurvaDistribusi(key) if key in policy.POLA_DISTRIBUSI_6_2022 else ""


def _pilihan(chosen: str, labels: Mapping[str, str]) -> str:
    """A row of tick boxes, the chosen one marked: ``(x) Outcome    (  ) Outcome Antara``."""
    return "    ".join(f"({'x' if key == chosen else '  '}) {name}" for key, name in labels.items())


def _manual_iku(payload: Mapping[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for item in get_in(payload, "skp", "hasil_kerja") or []:
        manual = item.get("manual_iku") if isinstance(item, Mapping) else None
        if not isinstance(manual, Mapping):
            continue
        kendali = clean_text(manual.get("kualitas_tingkat_kendali"))
        pelaporan = clean_text(manual.get("periode_pelaporan"))
        out.append(
            {
                "no": str(len(out) + 1),
                "rhk": dash(item.get("rencana_hasil_kerja")),
                "iki_target": f"{dash(item.get('iki'))}; target {bilangan(item.get('target'))}",
                "tujuan": listing(manual.get("tujuan")),
                "definisi": listing(manual.get("definisi")),
                "formula": listing(manual.get("formula")),
                "satuan": dash(manual.get("satuan_pengukuran")),
                "kendali": _pilihan(kendali, TINGKAT_KENDALI_LABEL),
                "sumber_data": listing(manual.get("sumber_data")),
                "pelaporan": _pilihan(pelaporan, PERIODE_PELAPORAN_LABEL),
            }
        )
    return out


def _evaluasi(payload: Mapping[str, Any], hasil: Mapping[str, Any]) -> dict[str, Any]:
    evaluasi = payload.get("evaluasi")
    data: Mapping[str, Any] = evaluasi if isinstance(evaluasi, Mapping) else {}
    capaian = hasil.get("capaian_organisasi") or data.get("capaian_organisasi")
    rating_hk = hasil.get("rating_hasil_kerja") or data.get("rating_hasil_kerja")
    rating_pk = hasil.get("rating_perilaku_kerja") or data.get("rating_perilaku_kerja")
    return {
        "capaian_organisasi": _kapital(capaian) if capaian else "-",
        "rating_hasil_kerja": _kapital(rating_hk) if rating_hk else "-",
        "rating_perilaku_kerja": _kapital(rating_pk) if rating_pk else "-",
        "predikat": _kapital(hasil["predikat"]) if hasil.get("predikat") else "-",
        "umpan_balik": listing(data.get("umpan_balik")),
        "permasalahan": listing(data.get("permasalahan")),
        "rekomendasi": listing(data.get("rekomendasi")),
        "catatan": listing(data.get("catatan")),
        "keberatan": listing(data.get("keberatan")),
        "tanggapan": listing(data.get("tanggapan")),
        "keputusan": listing(data.get("keputusan")),
    }


def _angka_kredit(hasil: Mapping[str, Any]) -> dict[str, Any] | None:
    ak = hasil.get("angka_kredit")
    if not isinstance(ak, Mapping) or "nilai" not in ak:
        return None
    return {
        "jenjang": dash(ak.get("jenjang_label")),
        "koefisien": angka(ak.get("koefisien")),
        "persentase": bilangan(ak.get("persentase")) + " %",
        "bulan": bilangan(ak.get("bulan")),
        "nilai": angka(ak.get("nilai"), 3),
    }


def context(payload: Mapping[str, Any], hasil: Mapping[str, Any]) -> dict[str, Any]:
    """The :data:`KEYS` of a payload, whatever its regime: each part reads only what is there.

    A payload of another regime has no hasil kerja, lampiran or manual IKU, so those lists are empty
    and the rest prints ``"-"``; so has a unit or coaching document (:func:`.common.per_pegawai`).
    """
    payload, hasil = per_pegawai(payload, hasil)
    lampiran = get_in(payload, "skp", "lampiran") or {}
    capaian = hasil.get("capaian_organisasi") or get_in(payload, "evaluasi", "capaian_organisasi")
    return {
        "hasil_kerja_utama": _hasil_kerja(payload, "utama"),
        "hasil_kerja_tambahan": _hasil_kerja(payload, "tambahan"),
        "perilaku": _perilaku(payload),
        "lampiran": {key: numbered(get_in(lampiran, key) or []) for key in _LAMPIRAN},
        "evaluasi": _evaluasi(payload, hasil),
        "pola_distribusi": _pola_distribusi(capaian),
        "kurva": _kurva(capaian),
        "angka_kredit": _angka_kredit(hasil),
        "manual_iku": _manual_iku(payload),
    }
