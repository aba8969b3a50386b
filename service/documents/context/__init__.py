"""The template context: the validated payload and its ``hasil`` as text, ready for the forms.

Everything a template prints is formatted here, once: numbers the Indonesian way (decimal comma,
thousands dot; scores with 2 decimals), dates as "15 Januari 2025", ids as their printed labels, free
text cleaned of characters XML cannot carry. Every key of :data:`CONTEXT_KEYS` is always present
(empty lists, ``"-"`` or ``False`` when the regime or type does not use it), so one template check
(:mod:`.templates_check`) covers all regimes and a template never meets a missing key.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from docxtpl import Listing

__all__ = [
    "ASPEK_BERAKHLAK",
    "CONTEXT_KEYS",
    "MARKERS",
    "ROLES",
    "angka",
    "bilangan",
    "build_context",
    "clean_text",
    "tanggal",
]

#: Signer roles, in signing order (api.md).
ROLES = ("pegawai", "pejabat_penilai", "atasan_pejabat_penilai")

#: The invisible text each signature block carries, found again in the PDF by :mod:`.placement`.
MARKERS: Mapping[str, str] = {role: f"[[ttd:{role}]]" for role in ROLES}

BULAN = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)

#: The seven BerAKHLAK aspects with their panduan perilaku (forms.md A1, verbatim, order fixed).
ASPEK_BERAKHLAK: Sequence[tuple[str, str, tuple[str, str, str]]] = (
    (
        "berorientasi_pelayanan",
        "Berorientasi Pelayanan",
        (
            "Memahami dan memenuhi kebutuhan masyarakat",
            "Ramah, cekatan, solutif, dan dapat diandalkan",
            "Melakukan perbaikan tiada henti",
        ),
    ),
    (
        "akuntabel",
        "Akuntabel",
        (
            "Melaksanakan tugas dengan jujur, bertanggung jawab, cermat, disiplin, dan berintegritas tinggi",
            "Menggunakan kekayaan dan barang milik negara secara bertanggung jawab, efektif, dan efisien",
            "Tidak menyalahgunakan kewenangan jabatan",
        ),
    ),
    (
        "kompeten",
        "Kompeten",
        (
            "Meningkatkan kompetensi diri untuk menjawab tantangan yang selalu berubah",
            "Membantu orang lain belajar",
            "Melaksanakan tugas dengan kualitas terbaik",
        ),
    ),
    (
        "harmonis",
        "Harmonis",
        (
            "Menghargai setiap orang apapun latar belakangnya",
            "Suka menolong orang lain",
            "Membangun lingkungan kerja yang kondusif",
        ),
    ),
    (
        "loyal",
        "Loyal",
        (
            "Memegang teguh ideologi Pancasila, Undang-Undang Dasar Negara Republik Indonesia Tahun 1945, "
            "setia pada Negara Kesatuan Republik Indonesia serta pemerintahan yang sah",
            "Menjaga nama baik sesama ASN, Pimpinan, Instansi, dan Negara",
            "Menjaga rahasia jabatan dan negara",
        ),
    ),
    (
        "adaptif",
        "Adaptif",
        (
            "Cepat menyesuaikan diri menghadapi perubahan",
            "Terus berinovasi dan mengembangkan kreativitas",
            "Bertindak proaktif",
        ),
    ),
    (
        "kolaboratif",
        "Kolaboratif",
        (
            "Memberi kesempatan kepada berbagai pihak untuk berkontribusi",
            "Terbuka dalam bekerja sama untuk menghasilkan nilai tambah",
            "Menggerakkan pemanfaatan berbagai sumberdaya untuk tujuan bersama",
        ),
    ),
)

_ASPEK_PP46 = (
    ("orientasi_pelayanan", "Orientasi Pelayanan"),
    ("integritas", "Integritas"),
    ("komitmen", "Komitmen"),
    ("disiplin", "Disiplin"),
    ("kerja_sama", "Kerja Sama"),
    ("kepemimpinan", "Kepemimpinan"),
)
_ASPEK_8_2021 = (
    ("orientasi_pelayanan", "Orientasi Pelayanan"),
    ("komitmen", "Komitmen"),
    ("inisiatif_kerja", "Inisiatif Kerja"),
    ("kerja_sama", "Kerja Sama"),
    ("kepemimpinan", "Kepemimpinan"),
)

_PERIODE_JENIS = {
    "tahunan": "AKHIR",
    "triwulan_i": "TRIWULAN I",
    "triwulan_ii": "TRIWULAN II",
    "triwulan_iii": "TRIWULAN III",
    "triwulan_iv": "TRIWULAN IV",
    "semester_i": "SEMESTER I",
    "semester_ii": "SEMESTER II",
    "bulanan": "BULANAN",
}

_PERSPEKTIF = {
    "penerima_layanan": "Penerima Layanan",
    "proses_bisnis": "Proses Bisnis",
    "penguatan_internal": "Penguatan Internal",
    "anggaran": "Anggaran",
}

#: Printed labels of 6/2022 ids (forms.md A7: capitals; Kurang/Misconduct is printed KURANG).
_LABEL_6_2022 = {
    "di_atas_ekspektasi": "DI ATAS EKSPEKTASI",
    "sesuai_ekspektasi": "SESUAI EKSPEKTASI",
    "di_bawah_ekspektasi": "DI BAWAH EKSPEKTASI",
    "sangat_baik": "SANGAT BAIK",
    "baik": "BAIK",
    "butuh_perbaikan": "BUTUH PERBAIKAN",
    "kurang_misconduct": "KURANG",
    "kurang": "KURANG",
    "sangat_kurang": "SANGAT KURANG",
    "istimewa": "ISTIMEWA",
}

_BAGI = {
    True: "BAGI PEJABAT PIMPINAN TINGGI DAN PIMPINAN UNIT KERJA MANDIRI",
    False: "BAGI PEJABAT ADMINISTRASI DAN PEJABAT FUNGSIONAL",
}

_KENDALI = (
    ("outcome", "Outcome"),
    ("outcome_antara", "Outcome Antara"),
    ("output_kendali_rendah", "Output Kendali Rendah"),
)
_PELAPORAN = (
    ("bulanan", "Bulanan"),
    ("triwulanan", "Triwulan"),
    ("semesteran", "Semesteran"),
    ("tahunan", "Tahunan"),
)

#: Top-level keys of every context (what templates may use; checked by :mod:`.templates_check`).
CONTEXT_KEYS = frozenset(
    {
        "regime",
        "jenis_dokumen",
        "jpt",
        "kode_verifikasi",
        "instansi",
        "unit_kerja",
        "tempat",
        "tanggal",
        "tempat_tanggal",
        "periode",
        "pegawai",
        "pejabat_penilai",
        "atasan_pejabat_penilai",
        "pendekatan",
        "bagi",
        "bagi_8_2021",
        "penanda",
        # permenpanrb_6_2022
        "hasil_kerja_utama",
        "hasil_kerja_tambahan",
        "perilaku",
        "lampiran",
        "evaluasi",
        "pola_distribusi",
        "angka_kredit",
        "manual_iku",
        # permenpanrb_8_2021
        "kinerja_utama",
        "kinerja_tambahan",
        "perilaku_8_2021",
        "nilai",
        # pp46_2011
        "kegiatan",
        "tugas_tambahan",
        "kreativitas",
        "perilaku_pp46",
        "pp46",
        "guru",
    }
)

_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"[ \t\r\n\x0b\x0c\u2028\u2029]+")
_CENT = Decimal("0.01")


# --- formatting --------------------------------------------------------------------------------------


def clean_text(value: object, *, multiline: bool = False) -> str:
    """Text without the characters XML 1.0 cannot hold; one line unless ``multiline``."""
    if value is None:
        return ""
    text = _CONTROL.sub("", str(value))
    if multiline:
        lines = [_SPACES.sub(" ", line).strip() for line in re.split(r"\r\n|[\r\n\u2028\u2029]", text)]
        return "\n".join(lines).strip()
    return _SPACES.sub(" ", text).strip()


def _dash(value: object) -> str:
    text = clean_text(value)
    return text or "-"


def _listing(value: object) -> Listing | str:
    """Free text that may span lines (docxtpl turns ``\\n`` into line breaks, escaping the rest)."""
    text = clean_text(value, multiline=True)
    return Listing(text) if text else "-"


def _decimal(value: object) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _group_thousands(integer: str) -> str:
    sign = "-" if integer.startswith("-") else ""
    digits = integer.lstrip("-")
    groups: list[str] = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return sign + ".".join(groups)


def angka(value: object, places: int = 2) -> str:
    """A score as printed: ``87.5`` → ``"87,50"``, ``1234.5`` → ``"1.234,50"``; not a number → ``"-"``."""
    number = _decimal(value)
    if number is None:
        return "-"
    quantum = Decimal(1).scaleb(-places)
    text = f"{number.quantize(quantum, rounding=ROUND_HALF_UP):f}"
    integer, _, fraction = text.partition(".")
    return _group_thousands(integer) + ("," + fraction if fraction else "")


def bilangan(value: object) -> str:
    """A quantity as written: ``12`` → ``"12"``, ``0.5`` → ``"0,5"``, at most 2 decimals."""
    number = _decimal(value)
    if number is None:
        return _dash(value)
    text = angka(number, 2)
    if "," in text:
        text = text.rstrip("0").rstrip(",")
    return text


def rupiah(value: object) -> str:
    number = _decimal(value)
    if number is None:
        return "-"
    return "Rp " + angka(number, 0)


def tanggal(value: object) -> str:
    """``2025-01-15`` (a date or ISO text) → ``"15 Januari 2025"``; anything else as text or ``"-"``."""
    day: dt.date | None = None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return _dash(value)
    if day is None:
        return _dash(value)
    return f"{day.day} {BULAN[day.month - 1]} {day.year}"


def _as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _label(value: object) -> str:
    text = clean_text(value)
    return text.replace("_", " ").title() if text else "-"


def _label_6(value: object) -> str:
    text = clean_text(value)
    return _LABEL_6_2022.get(text, text.replace("_", " ").upper() or "-")


# --- common parts ------------------------------------------------------------------------------------


def _orang(data: object) -> dict[str, Any]:
    person: Mapping[str, Any] = data if isinstance(data, Mapping) else {}
    pangkat = clean_text(person.get("pangkat"))
    golongan = clean_text(person.get("golongan"))
    nip = clean_text(person.get("nip"))
    return {
        "ada": bool(person),
        "nama": _dash(person.get("nama")),
        "nip": nip or "-",
        "nip_teks": f"NIP. {nip}" if nip else "NIP. -",
        "pangkat": pangkat or "-",
        "golongan": golongan or "-",
        "pangkat_golongan": ", ".join(p for p in (pangkat, golongan) if p) or "-",
        "jabatan": _dash(person.get("jabatan")),
        "unit_kerja": _dash(person.get("unit_kerja")),
        "jenis_jabatan": clean_text(person.get("jenis_jabatan")),
    }


def _periode(data: object) -> dict[str, str]:
    periode: Mapping[str, Any] = data if isinstance(data, Mapping) else {}
    mulai, selesai = _as_date(periode.get("mulai")), _as_date(periode.get("selesai"))
    jenis = clean_text(periode.get("jenis")) or "tahunan"
    teks_mulai, teks_selesai = tanggal(mulai), tanggal(selesai)
    bulan = "-"
    if mulai and selesai:
        bulan = f"{BULAN[mulai.month - 1]} - {BULAN[selesai.month - 1]} {selesai.year}".upper()
    return {
        "mulai": teks_mulai,
        "selesai": teks_selesai,
        "teks": f"{teks_mulai} s.d. {teks_selesai}",
        "penilaian": f"{teks_mulai} SD {teks_selesai}".upper(),
        "jenis": jenis,
        "jenis_label": _PERIODE_JENIS.get(jenis, jenis.replace("_", " ").upper()),
        "bulan": bulan,
        "tahun": str(selesai.year if selesai else mulai.year if mulai else "-"),
    }


def _numbered(items: Iterable[object]) -> list[dict[str, Any]]:
    return [{"no": str(i), "uraian": _listing(item)} for i, item in enumerate(items, start=1)]


def _get(mapping: object, *path: object) -> Any:
    current: Any = mapping
    for key in path:
        if isinstance(current, Mapping):
            current = current.get(key)
        elif isinstance(current, Sequence) and not isinstance(current, str) and isinstance(key, int):
            current = current[key] if -len(current) <= key < len(current) else None
        else:
            return None
    return current


def _grouped(rows: Sequence[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Consecutive rows with the same ``key`` value form one group (its cells span the group's rows)."""
    groups: list[dict[str, Any]] = []
    for row in rows:
        if groups and groups[-1]["_key"] == row["_group"]:
            groups[-1]["baris"].append(row)
            continue
        groups.append({"_key": row["_group"], "no": str(len(groups) + 1), key: row[key], "baris": [row]})
    for group in groups:
        del group["_key"]
    return groups


# --- permenpanrb_6_2022 ------------------------------------------------------------------------------


def _hasil_kerja(payload: Mapping[str, Any], jenis: str) -> list[dict[str, Any]]:
    rows = []
    for item in _get(payload, "skp", "hasil_kerja") or []:
        if not isinstance(item, Mapping) or item.get("jenis", "utama") != jenis:
            continue
        rhk, atasan = _dash(item.get("rencana_hasil_kerja")), _dash(item.get("rhk_atasan"))
        perspektif = clean_text(item.get("perspektif"))
        rows.append(
            {
                "_group": (atasan, rhk),
                "rhk": rhk,
                "rhk_atasan": atasan,
                "aspek": _label(item.get("aspek")),
                "iki": _dash(item.get("iki")),
                "target": bilangan(item.get("target")),
                "perspektif": _PERSPEKTIF.get(perspektif, _label(perspektif)),
                "realisasi": _listing(item.get("realisasi")),
                "umpan_balik": _listing(item.get("umpan_balik")),
                "rating": _label_6(item.get("rating")) if item.get("rating") else "-",
            }
        )
    groups = _grouped(rows, "rhk")
    for group in groups:
        first = group["baris"][0]
        group["rhk_atasan"] = first["rhk_atasan"]
        notes = [clean_text(_get(row, "umpan_balik"), multiline=True) for row in group["baris"]]
        shown = "\n".join(n for n in notes if n and n != "-")
        group["umpan_balik"] = Listing(shown) if shown else "-"
    return groups


def _perilaku_6(payload: Mapping[str, Any]) -> list[dict[str, Any]]:
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
                "realisasi": _listing(entry.get("realisasi")),
                "umpan_balik": _listing(entry.get("umpan_balik")),
            }
        )
    return out


def _pola_distribusi(capaian: object) -> str:
    from service.scoring import policy

    key = clean_text(capaian)
    rules = policy.POLA_DISTRIBUSI_6_2022.get(key)
    if not rules:
        return "-"
    uraian = "; ".join(rule.uraian for rule in rules)
    return (
        f"Kurva distribusi predikat kinerja pegawai dengan capaian kinerja organisasi "
        f"{_label(key)}: {uraian}."
    )


def _manual_iku(payload: Mapping[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for item in _get(payload, "skp", "hasil_kerja") or []:
        manual = item.get("manual_iku") if isinstance(item, Mapping) else None
        if not isinstance(manual, Mapping):
            continue
        kendali = clean_text(manual.get("kualitas_tingkat_kendali"))
        pelaporan = clean_text(manual.get("periode_pelaporan"))
        out.append(
            {
                "no": str(len(out) + 1),
                "rhk": _dash(item.get("rencana_hasil_kerja")),
                "iki_target": f"{_dash(item.get('iki'))}; target {bilangan(item.get('target'))}",
                "tujuan": _listing(manual.get("tujuan")),
                "definisi": _listing(manual.get("definisi")),
                "formula": _listing(manual.get("formula")),
                "satuan": _dash(manual.get("satuan_pengukuran")),
                "kendali": "    ".join(f"({'x' if k == kendali else '  '}) {name}" for k, name in _KENDALI),
                "sumber_data": _listing(manual.get("sumber_data")),
                "pelaporan": "    ".join(
                    f"({'x' if k == pelaporan else '  '}) {name}" for k, name in _PELAPORAN
                ),
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
        "capaian_organisasi": _label_6(capaian) if capaian else "-",
        "rating_hasil_kerja": _label_6(rating_hk) if rating_hk else "-",
        "rating_perilaku_kerja": _label_6(rating_pk) if rating_pk else "-",
        "predikat": _label_6(hasil["predikat"]) if hasil.get("predikat") else "-",
        "umpan_balik": _listing(data.get("umpan_balik")),
        "permasalahan": _listing(data.get("permasalahan")),
        "rekomendasi": _listing(data.get("rekomendasi")),
        "catatan": _listing(data.get("catatan")),
        "keberatan": _listing(data.get("keberatan")),
        "tanggapan": _listing(data.get("tanggapan")),
        "keputusan": _listing(data.get("keputusan")),
    }


def _angka_kredit(hasil: Mapping[str, Any]) -> dict[str, Any] | None:
    ak = hasil.get("angka_kredit")
    if not isinstance(ak, Mapping) or "nilai" not in ak:
        return None
    return {
        "jenjang": _dash(ak.get("jenjang_label")),
        "koefisien": angka(ak.get("koefisien")),
        "persentase": bilangan(ak.get("persentase")) + " %",
        "bulan": bilangan(ak.get("bulan")),
        "nilai": angka(ak.get("nilai"), 3),
    }


# --- permenpanrb_8_2021 ------------------------------------------------------------------------------


def _target_8(target: object) -> str:
    if isinstance(target, Mapping):
        return f"{bilangan(target.get('min'))} – {bilangan(target.get('max'))}"
    return bilangan(target)


def _kinerja_utama(payload: Mapping[str, Any], hasil: Mapping[str, Any]) -> list[dict[str, Any]]:
    items = [i for i in _get(payload, "skp", "kinerja_utama") or [] if isinstance(i, Mapping)]
    scored = hasil.get("iki") if isinstance(hasil.get("iki"), Sequence) else []
    weights = [_decimal(i.get("bobot")) for i in items]
    total = sum((w for w in weights if w is not None), Decimal(0))
    rows = []
    for index, item in enumerate(items):
        score = _get(scored, index) or {}
        nilai = _decimal(score.get("nilai"))
        tertimbang = None
        if nilai is not None:
            weight = weights[index]
            if weight is not None and total:
                tertimbang = nilai * weight / total
            elif not any(w is not None for w in weights):
                tertimbang = nilai / len(items)
        rencana = _dash(item.get("rencana_kinerja"))
        rows.append(
            {
                "_group": rencana,
                "rencana_kinerja": rencana,
                "iki": _dash(item.get("iki")),
                "target": _target_8(item.get("target")),
                "realisasi": bilangan(item.get("realisasi")),
                "capaian": bilangan(score.get("capaian")) + " %" if score.get("capaian") is not None else "-",
                "kategori": _dash(score.get("kategori_label")),
                "nilai": angka(score.get("nilai")),
                "bobot": bilangan(item.get("bobot")) + " %" if item.get("bobot") is not None else "-",
                "nilai_tertimbang": angka(tertimbang),
            }
        )
    return _grouped(rows, "rencana_kinerja")


def _kinerja_tambahan(payload: Mapping[str, Any]) -> list[dict[str, Any]]:
    from service.scoring import policy

    out: list[dict[str, Any]] = []
    for item in _get(payload, "skp", "kinerja_tambahan") or []:
        if not isinstance(item, Mapping):
            continue
        kategori = clean_text(item.get("kategori"))
        out.append(
            {
                "no": str(len(out) + 1),
                "uraian": _dash(item.get("uraian")),
                "kategori": _label(kategori),
                "nilai": angka(policy.KINERJA_TAMBAHAN_NILAI.get(kategori)),
            }
        )
    return out


def _perilaku_8(payload: Mapping[str, Any]) -> list[dict[str, Any]]:
    data = payload.get("perilaku_kerja")
    perilaku: Mapping[str, Any] = data if isinstance(data, Mapping) else {}

    def mean(groups: object, key: str) -> str:
        if not isinstance(groups, Sequence) or not groups:
            return "-"
        values = [_decimal(_get(g, key)) for g in groups]
        present = [v for v in values if v is not None]
        return angka(sum(present, Decimal(0)) / len(present)) if present else "-"

    out: list[dict[str, Any]] = []
    for key, name in _ASPEK_8_2021:
        atasan = _get(perilaku, "atasan", key)
        rekan, bawahan = mean(perilaku.get("rekan"), key), mean(perilaku.get("bawahan"), key)
        if atasan is None and rekan == "-" and bawahan == "-":
            continue
        out.append(
            {
                "no": str(len(out) + 1),
                "aspek": name,
                "atasan": angka(atasan),
                "rekan": rekan,
                "bawahan": bawahan,
            }
        )
    return out


def _nilai_8(hasil: Mapping[str, Any]) -> dict[str, str]:
    bobot = clean_text(hasil.get("bobot")) or "70/30"
    skp_bobot, _, perilaku_bobot = bobot.partition("/")
    nilai_skp, nilai_perilaku = _decimal(hasil.get("nilai_skp")), _decimal(hasil.get("nilai_perilaku"))
    return {
        "rata_rata_iki": angka(hasil.get("rata_rata_iki")),
        "kinerja_tambahan": angka(_get(hasil, "kinerja_tambahan", "nilai")),
        "skp": angka(nilai_skp),
        "perilaku": angka(nilai_perilaku),
        "perilaku_atasan": angka(_get(hasil, "perilaku_kerja", "atasan")),
        "perilaku_rekan": angka(_get(hasil, "perilaku_kerja", "rekan")),
        "perilaku_bawahan": angka(_get(hasil, "perilaku_kerja", "bawahan")),
        "bobot_skp": f"{skp_bobot} %",
        "bobot_perilaku": f"{perilaku_bobot or '30'} %",
        "skp_tertimbang": angka(
            nilai_skp * Decimal(skp_bobot) / 100 if nilai_skp is not None and skp_bobot.isdigit() else None
        ),
        "perilaku_tertimbang": angka(
            nilai_perilaku * Decimal(perilaku_bobot) / 100
            if nilai_perilaku is not None and perilaku_bobot.isdigit()
            else None
        ),
        "kinerja": angka(hasil.get("nilai_kinerja")),
        "predikat": _dash(hasil.get("predikat_label")).upper(),
    }


# --- pp46_2011 ---------------------------------------------------------------------------------------


def _kegiatan(payload: Mapping[str, Any], hasil: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    scored = hasil.get("kegiatan") if isinstance(hasil.get("kegiatan"), Sequence) else []
    for index, item in enumerate(_get(payload, "skp", "kegiatan") or []):
        if not isinstance(item, Mapping):
            continue
        target: Mapping[str, Any] = item.get("target") or {}
        realisasi: Mapping[str, Any] = item.get("realisasi") or {}
        score = _get(scored, index) or {}
        output = clean_text(target.get("output"))
        satuan_waktu = "Hari" if target.get("satuan_waktu") == "hari" else "Bulan"

        def kuantitas(data: Mapping[str, Any], output: str = output) -> str:
            if data.get("kuantitas") is None:
                return "-"
            return f"{bilangan(data.get('kuantitas'))} {output.title()}".strip()

        def waktu(data: Mapping[str, Any], satuan: str = satuan_waktu) -> str:
            return f"{bilangan(data.get('waktu'))} {satuan}" if data.get("waktu") is not None else "-"

        rows.append(
            {
                "no": str(len(rows) + 1),
                "uraian": _dash(item.get("uraian")),
                "ak": bilangan(item.get("angka_kredit")) if item.get("angka_kredit") is not None else "-",
                "target": {
                    "kuantitas": kuantitas(target),
                    "kualitas": bilangan(target.get("kualitas")),
                    "waktu": waktu(target),
                    "biaya": rupiah(target.get("biaya")),
                },
                "realisasi": {
                    "ak": bilangan(realisasi.get("angka_kredit"))
                    if realisasi.get("angka_kredit") is not None
                    else "-",
                    "kuantitas": kuantitas(realisasi),
                    "kualitas": bilangan(realisasi.get("kualitas"))
                    if realisasi.get("kualitas") is not None
                    else "-",
                    "waktu": waktu(realisasi),
                    "biaya": rupiah(realisasi.get("biaya")),
                },
                "penghitungan": angka(score.get("penghitungan")),
                "nilai_capaian": angka(score.get("nilai_capaian")),
            }
        )
    return rows


def _perilaku_pp46(payload: Mapping[str, Any], hasil: Mapping[str, Any]) -> list[dict[str, Any]]:
    aspek = _get(hasil, "perilaku_kerja", "aspek")
    scored: Mapping[str, Any] = aspek if isinstance(aspek, Mapping) else {}
    given = payload.get("perilaku_kerja")
    values: Mapping[str, Any] = given if isinstance(given, Mapping) else {}
    out: list[dict[str, Any]] = []
    for number, (key, name) in enumerate(_ASPEK_PP46, start=1):
        score = scored.get(key) or {}
        nilai = score.get("nilai", values.get(key))
        out.append(
            {
                "no": str(number),
                "aspek": name,
                "nilai": angka(nilai),
                "sebutan": f"({score['sebutan_label']})" if score.get("sebutan_label") else "",
            }
        )
    return out


def _pp46(hasil: Mapping[str, Any]) -> dict[str, str]:
    def teks_sebutan(key: str) -> str:
        value = hasil.get(key)
        return f"({value})" if value else ""

    nilai_skp = _decimal(hasil.get("nilai_skp"))
    rata_rata = _decimal(_get(hasil, "perilaku_kerja", "rata_rata"))
    return {
        "nilai_skp": angka(nilai_skp),
        "sebutan_skp": teks_sebutan("sebutan_skp_label"),
        "nilai_skp_60": angka(nilai_skp * Decimal("0.6") if nilai_skp is not None else None),
        "rata_rata_capaian": angka(hasil.get("rata_rata_capaian")),
        "nilai_tugas_tambahan": angka(_get(hasil, "tugas_tambahan", "nilai")),
        "nilai_kreativitas": angka(_get(hasil, "kreativitas", "nilai")),
        "jumlah_perilaku": angka(_get(hasil, "perilaku_kerja", "jumlah")),
        "rata_rata_perilaku": angka(rata_rata),
        "sebutan_perilaku": f"({_get(hasil, 'perilaku_kerja', 'sebutan_label')})"
        if _get(hasil, "perilaku_kerja", "sebutan_label")
        else "",
        "nilai_perilaku_40": angka(rata_rata * Decimal("0.4") if rata_rata is not None else None),
        "nilai_prestasi_kerja": angka(hasil.get("nilai_prestasi_kerja")),
        "sebutan": teks_sebutan("sebutan_label"),
        "jumlah_angka_kredit": angka(hasil.get("jumlah_angka_kredit"), 3),
    }


# --- the context -------------------------------------------------------------------------------------


def build_context(
    payload: Mapping[str, Any], hasil: Mapping[str, Any] | None, *, verification_code: str | None = None
) -> dict[str, Any]:
    """Everything the form templates print, as text (keys: :data:`CONTEXT_KEYS`).

    :param payload: the validated payload (docs/architecture.md; JSON-shaped values are accepted too).
    :param hasil: what :func:`service.scoring.score_payload` returned for it (``None``: plan only).
    :param verification_code: the document's verification code, when known.
    """
    hasil = hasil or {}
    regime = clean_text(payload.get("regime"))
    pegawai = _orang(payload.get("pegawai"))
    jpt = pegawai["jenis_jabatan"] == "jpt"
    tempat = _dash(payload.get("tempat"))
    hari = tanggal(payload.get("tanggal"))
    skp = payload.get("skp") if isinstance(payload.get("skp"), Mapping) else {}
    lampiran = _get(skp, "lampiran") or {}
    kegiatan = _kegiatan(payload, hasil) if regime == "pp46_2011" else []
    evaluasi = _evaluasi(payload, hasil)
    return {
        "regime": regime,
        "jenis_dokumen": clean_text(payload.get("type")),
        "jpt": jpt,
        "kode_verifikasi": clean_text(verification_code) or "-",
        "instansi": _dash(payload.get("instansi")),
        "unit_kerja": _dash(payload.get("unit_kerja") or _get(payload, "pegawai", "unit_kerja")),
        "tempat": tempat,
        "tanggal": hari,
        "tempat_tanggal": f"{tempat}, {hari}",
        "periode": _periode(payload.get("periode")),
        "pegawai": pegawai,
        "pejabat_penilai": _orang(payload.get("pejabat_penilai")),
        "atasan_pejabat_penilai": _orang(payload.get("atasan_pejabat_penilai")),
        "pendekatan": (clean_text(_get(skp, "pendekatan")) or "kuantitatif").upper(),
        "bagi": _BAGI[jpt],
        "bagi_8_2021": _BAGI[jpt].removeprefix("BAGI "),
        "penanda": dict(MARKERS),
        "hasil_kerja_utama": _hasil_kerja(payload, "utama"),
        "hasil_kerja_tambahan": _hasil_kerja(payload, "tambahan"),
        "perilaku": _perilaku_6(payload),
        "lampiran": {
            key: _numbered(_get(lampiran, key) or [])
            for key in ("dukungan_sumber_daya", "skema_pertanggungjawaban", "konsekuensi")
        },
        "evaluasi": evaluasi,
        "pola_distribusi": _pola_distribusi(
            hasil.get("capaian_organisasi") or _get(payload, "evaluasi", "capaian_organisasi")
        ),
        "angka_kredit": _angka_kredit(hasil),
        "manual_iku": _manual_iku(payload),
        "kinerja_utama": _kinerja_utama(payload, hasil) if regime == "permenpanrb_8_2021" else [],
        "kinerja_tambahan": _kinerja_tambahan(payload) if regime == "permenpanrb_8_2021" else [],
        "perilaku_8_2021": _perilaku_8(payload) if regime == "permenpanrb_8_2021" else [],
        "nilai": _nilai_8(hasil),
        "kegiatan": kegiatan,
        "tugas_tambahan": _numbered(_get(skp, "tugas_tambahan") or []),
        "kreativitas": [
            {"no": str(i), "uraian": _dash(_get(k, "uraian")), "tingkat": _label(_get(k, "tingkat"))}
            for i, k in enumerate(_get(skp, "kreativitas") or [], start=1)
        ],
        "perilaku_pp46": _perilaku_pp46(payload, hasil) if regime == "pp46_2011" else [],
        "pp46": _pp46(hasil),
        "guru": any(k["ak"] != "-" for k in kegiatan),
    }
