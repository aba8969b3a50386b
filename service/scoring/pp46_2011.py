"""PP 46/2011 + Perka BKN 1/2013: Penilaian Prestasi Kerja (rules.md §2, seed 002).

Nilai prestasi kerja = 60 % × nilai SKP + 40 % × rata-rata perilaku kerja. The functions take and
return frozen dataclasses and compute at full precision; :func:`hasil` turns the result into the
rounded ``hasil`` object of api.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from service.scoring import policy
from service.scoring.common import (
    HUNDRED,
    ScoringError,
    angka,
    angka_opsional,
    mean,
    periksa_kepemimpinan,
    round2,
    round2_opsional,
    with_label,
)
from service.scoring.vocabulary import ASPEK_PP46_2011, KEPEMIMPINAN, SEBUTAN_PP46_2011

__all__ = [
    "ANGKA_KREDIT_GURU",
    "ANGKA_KREDIT_PEMBELAJARAN_GURU",
    "SEBUTAN",
    "Aspek",
    "HasilPrestasiKerja",
    "Kegiatan",
    "NilaiKegiatan",
    "NilaiPerilaku",
    "PenilaianPrestasiKerja",
    "PerilakuKerja",
    "ReferensiAngkaKredit",
    "angka_kredit_guru",
    "angka_kredit_pembelajaran_guru",
    "efisiensi",
    "hasil",
    "hasil_rencana",
    "nilai_capaian",
    "nilai_efisiensi",
    "nilai_kualitas",
    "nilai_kuantitas",
    "nilai_perilaku_kerja",
    "nilai_prestasi_kerja",
    "nilai_skp",
    "nilai_tugas_tambahan",
    "penilaian_dari_payload",
    "penilaian_prestasi_kerja",
    "sebutan",
]

#: Sebutan ids from best to worst (:data:`~service.scoring.vocabulary.SEBUTAN_PP46_2011`).
SEBUTAN = SEBUTAN_PP46_2011

#: Aspects every pegawai is rated on; kepemimpinan is added for jabatan struktural.
_ASPEK_WAJIB = tuple(name for name in ASPEK_PP46_2011 if name != KEPEMIMPINAN)

_BOBOT_SKP = Decimal("0.6")
_BOBOT_PERILAKU = Decimal("0.4")
_FAKTOR_EFISIENSI = Decimal("1.76")
_NOL = Decimal(0)


@dataclass(frozen=True)
class Aspek:
    """Target or realisasi of one kegiatan tugas jabatan, aspect by aspect."""

    kuantitas: Decimal
    """Output count (e.g. 12 laporan)."""

    kualitas: Decimal
    """Mutu, 0–100; the target is normally 100."""

    waktu: Decimal
    """Months or days; the unit is the same for target and realisasi and does not enter the formula."""

    biaya: Decimal | None = None
    """Rupiah; ``None`` when the kegiatan has no biaya target ("-"), which leaves the aspect out."""


@dataclass(frozen=True)
class Kegiatan:
    """One row of the SKP: a kegiatan tugas jabatan with its target and realisasi."""

    target: Aspek
    """What was agreed in January; every present target is above 0."""

    realisasi: Aspek
    """What was achieved; ``realisasi.biaya`` is given exactly when ``target.biaya`` is."""


@dataclass(frozen=True)
class NilaiKegiatan:
    """Per-aspect values of one kegiatan, unrounded (the form's "penghitungan" columns)."""

    kuantitas: Decimal
    """R/T × 100, not capped."""

    kualitas: Decimal
    """R/T × 100."""

    waktu: Decimal
    """Efficiency-based value; 100 at E = 24 %, 76 at R = T, below 76 (possibly negative) when late."""

    biaya: Decimal | None
    """As waktu; ``None`` when the kegiatan has no biaya target."""

    penghitungan: Decimal
    """Sum of the scored aspects."""

    nilai_capaian: Decimal
    """penghitungan / number of scored aspects."""

    jumlah_aspek: int
    """Number of scored aspects: 3 without biaya, 4 with."""


@dataclass(frozen=True)
class PerilakuKerja:
    """Perilaku kerja aspects, each 0–100: :data:`~service.scoring.vocabulary.ASPEK_PP46_2011`."""

    orientasi_pelayanan: Decimal
    """Orientasi pelayanan."""

    integritas: Decimal
    """Integritas."""

    komitmen: Decimal
    """Komitmen."""

    disiplin: Decimal
    """Disiplin."""

    kerja_sama: Decimal
    """Kerja sama."""

    kepemimpinan: Decimal | None = None
    """Kepemimpinan: given exactly for jabatan struktural (JPT, administrator, pengawas)."""

    def aspek(self) -> dict[str, Decimal]:
        """The rated aspects by name, kepemimpinan only when given, in the form's order."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return {name: value for name, value in values.items() if value is not None}


@dataclass(frozen=True)
class NilaiPerilaku:
    """Perilaku kerja totals."""

    aspek: Mapping[str, Decimal]
    """The rated aspects by name."""

    jumlah: Decimal
    """Sum of the rated aspects."""

    rata_rata: Decimal
    """jumlah / 6 for jabatan struktural, / 5 for the others."""


@dataclass(frozen=True)
class PenilaianPrestasiKerja:
    """Everything one Penilaian Prestasi Kerja needs (the input of :func:`penilaian_prestasi_kerja`)."""

    kegiatan: Sequence[Kegiatan]
    """At least one kegiatan tugas jabatan."""

    jumlah_tugas_tambahan: int
    """Number of tugas tambahan carried out."""

    kreativitas: Sequence[str]
    """Reach of each kreativitas item: ``unit_kerja``, ``instansi`` or ``nasional``."""

    perilaku: PerilakuKerja
    """Perilaku kerja ratings."""

    jenis_jabatan: str
    """``jpt``, ``administrator``, ``pengawas``, ``pelaksana`` or ``fungsional``; decides kepemimpinan."""


@dataclass(frozen=True)
class HasilPrestasiKerja:
    """Every intermediate value of a Penilaian Prestasi Kerja, unrounded."""

    kegiatan: Sequence[NilaiKegiatan]
    """Per-kegiatan values, in input order."""

    rata_rata_capaian: Decimal
    """Mean of the nilai capaian over all kegiatan."""

    nilai_tugas_tambahan: Decimal
    """0, 1, 2 or 3 points."""

    nilai_kreativitas: Decimal
    """Sum of the kreativitas points."""

    nilai_skp: Decimal
    """rata_rata_capaian + tugas tambahan + kreativitas."""

    perilaku: NilaiPerilaku
    """Perilaku kerja totals."""

    nilai_prestasi_kerja: Decimal
    """60 % × nilai SKP + 40 % × rata-rata perilaku."""


# --- arithmetic ------------------------------------------------------------------------------------


def nilai_kuantitas(target: Decimal, realisasi: Decimal) -> Decimal:
    """Kuantitas = R/T × 100, not capped: more output than agreed is rewarded."""
    return realisasi / target * HUNDRED


def nilai_kualitas(target: Decimal, realisasi: Decimal) -> Decimal:
    """Kualitas = R/T × 100."""
    return realisasi / target * HUNDRED


def efisiensi(target: Decimal, realisasi: Decimal) -> Decimal:
    """Efficiency E = 100 − R/T × 100 (percent of the target time or cost saved)."""
    return HUNDRED - realisasi / target * HUNDRED


def nilai_efisiensi(target: Decimal, realisasi: Decimal) -> Decimal:
    """Value of waktu or biaya from the efficiency E (Perka BKN 1/2013).

    E ≤ 24 → ((1.76 T − R) / T) × 100; E > 24 → 76 − ((((1.76 T − R) / T) × 100) − 100). The branch
    is decided by cross-multiplication (E ≤ 24 ⇔ 100 R ≥ 76 T), exact even when R/T does not
    terminate. Late work (R > T) scores below 76 and may go negative; it is reported, not floored.
    """
    dasar = (_FAKTOR_EFISIENSI * target - realisasi) / target * HUNDRED
    if realisasi * HUNDRED >= 76 * target:
        return dasar
    return 76 - (dasar - HUNDRED)


def nilai_capaian(kegiatan: Kegiatan) -> NilaiKegiatan:
    """Nilai capaian of one kegiatan: the mean of its scored aspects.

    A kegiatan not carried out (realisasi kuantitas 0) scores 0 on every aspect, not the 176 the
    waktu formula would give an unused time budget.
    """
    target, realisasi = kegiatan.target, kegiatan.realisasi
    dengan_biaya = target.biaya is not None
    jumlah_aspek = 4 if dengan_biaya else 3
    if realisasi.kuantitas == 0:
        return NilaiKegiatan(_NOL, _NOL, _NOL, _NOL if dengan_biaya else None, _NOL, _NOL, jumlah_aspek)
    kuantitas = nilai_kuantitas(target.kuantitas, realisasi.kuantitas)
    kualitas = nilai_kualitas(target.kualitas, realisasi.kualitas)
    waktu = nilai_efisiensi(target.waktu, realisasi.waktu)
    biaya = None
    if target.biaya is not None:
        if realisasi.biaya is None:
            raise ScoringError("realisasi.biaya", "wajib diisi bila target biaya diisi")
        biaya = nilai_efisiensi(target.biaya, realisasi.biaya)
    penghitungan = kuantitas + kualitas + waktu + (biaya if biaya is not None else _NOL)
    return NilaiKegiatan(
        kuantitas, kualitas, waktu, biaya, penghitungan, penghitungan / jumlah_aspek, jumlah_aspek
    )


def sebutan(nilai: Decimal) -> str:
    """Sebutan of a value as shown (rounded to 2 dp).

    > 90 sangat_baik; > 75 baik; > 60 cukup; > 50 kurang; otherwise buruk: the published integer bands
    91+/76–90/61–75/51–60/≤50 with the gaps between them closed (rules.md §2).
    """
    shown = round2(nilai)
    for batas, id_ in ((90, "sangat_baik"), (75, "baik"), (60, "cukup"), (50, "kurang")):
        if shown > batas:
            return id_
    return "buruk"


def nilai_tugas_tambahan(jumlah: int) -> Decimal:
    """Tugas tambahan points: 0 tasks → 0; 1–3 → 1; 4–6 → 2; 7 or more → 3."""
    if jumlah <= 0:
        return _NOL
    if jumlah <= 3:
        return Decimal(1)
    if jumlah <= 6:
        return Decimal(2)
    return Decimal(3)


def nilai_skp(capaian: Sequence[Decimal], tugas_tambahan: Decimal, kreativitas: Decimal) -> Decimal:
    """Nilai SKP = mean nilai capaian + tugas tambahan points + kreativitas points (not capped)."""
    return mean(capaian) + tugas_tambahan + kreativitas


def nilai_perilaku_kerja(perilaku: PerilakuKerja, jenis_jabatan: str) -> NilaiPerilaku:
    """Jumlah and rata-rata of perilaku kerja: / 6 with kepemimpinan (struktural), / 5 without.

    :raises ScoringError: kepemimpinan given for a non-struktural jabatan, or missing for a struktural one.
    """
    periksa_kepemimpinan(perilaku.kepemimpinan is not None, jenis_jabatan, "perilaku_kerja.kepemimpinan")
    aspek = perilaku.aspek()
    jumlah = sum(aspek.values(), _NOL)
    return NilaiPerilaku(aspek=aspek, jumlah=jumlah, rata_rata=jumlah / len(aspek))


def nilai_prestasi_kerja(nilai_skp: Decimal, rata_rata_perilaku: Decimal) -> Decimal:
    """Nilai prestasi kerja = 60 % × nilai SKP + 40 % × rata-rata perilaku kerja."""
    return _BOBOT_SKP * nilai_skp + _BOBOT_PERILAKU * rata_rata_perilaku


def penilaian_prestasi_kerja(penilaian: PenilaianPrestasiKerja) -> HasilPrestasiKerja:
    """The whole Penilaian Prestasi Kerja, every intermediate value kept.

    :raises ScoringError: no kegiatan, an unknown kreativitas tingkat, or a kepemimpinan mismatch.
    """
    if not penilaian.kegiatan:
        raise ScoringError("skp.kegiatan", "minimal satu kegiatan tugas jabatan")
    kegiatan = []
    for index, item in enumerate(penilaian.kegiatan):
        try:
            kegiatan.append(nilai_capaian(item))
        except ScoringError as error:
            raise ScoringError(f"skp.kegiatan.{index}.{error.field}", error.message) from None
    for index, tingkat in enumerate(penilaian.kreativitas):
        if tingkat not in policy.KREATIVITAS_NILAI:
            raise ScoringError(
                f"skp.kreativitas.{index}.tingkat", "harus salah satu dari unit_kerja, instansi, nasional"
            )
    tambahan = nilai_tugas_tambahan(penilaian.jumlah_tugas_tambahan)
    kreativitas = policy.nilai_kreativitas(penilaian.kreativitas)
    skp = nilai_skp([k.nilai_capaian for k in kegiatan], tambahan, kreativitas)
    perilaku = nilai_perilaku_kerja(penilaian.perilaku, penilaian.jenis_jabatan)
    return HasilPrestasiKerja(
        kegiatan=tuple(kegiatan),
        rata_rata_capaian=mean(k.nilai_capaian for k in kegiatan),
        nilai_tugas_tambahan=tambahan,
        nilai_kreativitas=kreativitas,
        nilai_skp=skp,
        perilaku=perilaku,
        nilai_prestasi_kerja=nilai_prestasi_kerja(skp, perilaku.rata_rata),
    )


# --- angka kredit guru: reference table from seed 002 ---------------------------------------------


@dataclass(frozen=True)
class ReferensiAngkaKredit:
    """One row of the guru angka kredit reference (seed 002); recorded per kegiatan, never scored."""

    kelompok: str
    """Group of the row, e.g. ``diklat_fungsional`` or ``penunjang``."""

    uraian: str
    """Indonesian description as printed in the seed."""

    angka_kredit: Decimal
    """Angka kredit as printed in the seed."""

    catatan: str | None = None
    """A doubt about the printed value, for the form to show; ``None`` when there is none."""


#: Angka kredit of the main duty (melaksanakan pembelajaran) per golongan, assuming nilai PKG Baik.
ANGKA_KREDIT_PEMBELAJARAN_GURU: Mapping[str, Decimal] = {
    "III/a": Decimal("10.50"),
    "III/b": Decimal("9.50"),
    "III/c": Decimal("20.25"),
    "III/d": Decimal("19.50"),
    "IV/a": Decimal("29.75"),
    "IV/b": Decimal("29.75"),
    "IV/c": Decimal("29.00"),
    "IV/d": Decimal("38.75"),
}

_CEK = "nilai sesuai seed 002; tampak salah ketik, periksa dengan Permenneg PAN dan RB 16/2009"


def _ref(kelompok: str, rows: Sequence[tuple[str, str, str]]) -> dict[str, ReferensiAngkaKredit]:
    return {kode: ReferensiAngkaKredit(kelompok, uraian, Decimal(ak)) for kode, uraian, ak in rows}


#: Supporting and development activities of a guru and their angka kredit (seed 002), by stable id.
ANGKA_KREDIT_GURU: Mapping[str, ReferensiAngkaKredit] = {
    **_ref(
        "diklat_fungsional",
        [
            ("diklat_fungsional_lebih_960_jam", "Mengikuti diklat fungsional lebih dari 960 jam", "15"),
            ("diklat_fungsional_641_960_jam", "Mengikuti diklat fungsional 641 s.d. 960 jam", "9"),
            ("diklat_fungsional_481_640_jam", "Mengikuti diklat fungsional 481 s.d. 640 jam", "6"),
            ("diklat_fungsional_181_480_jam", "Mengikuti diklat fungsional 181 s.d. 480 jam", "3"),
            ("diklat_fungsional_81_180_jam", "Mengikuti diklat fungsional 81 s.d. 180 jam", "2"),
            ("diklat_fungsional_30_80_jam", "Mengikuti diklat fungsional 30 s.d. 80 jam", "1"),
        ],
    ),
    **_ref(
        "kegiatan_kolektif",
        [
            (
                "lokakarya_perangkat_kurikulum",
                "Lokakarya atau kegiatan bersama (seperti kelompok kerja guru) untuk penyusunan perangkat "
                "kurikulum dan/atau pembelajaran",
                "0.15",
            ),
            ("pembahas_kegiatan_ilmiah", "Menjadi pembahas pada kegiatan ilmiah", "0.2"),
            ("peserta_kegiatan_ilmiah", "Menjadi peserta pada kegiatan ilmiah", "0.1"),
            (
                "kegiatan_kolektif_lainnya",
                "Kegiatan kolektif lainnya yang sesuai dengan tugas dan kewajiban guru",
                "0.1",
            ),
        ],
    ),
    **_ref(
        "presentasi_forum_ilmiah",
        [
            (
                "narasumber_seminar_lokakarya",
                "Menjadi pemrasaran/narasumber pada seminar atau lokakarya ilmiah",
                "0.2",
            ),
            (
                "narasumber_kolokium_diskusi",
                "Menjadi pemrasaran/narasumber pada kolokium atau diskusi ilmiah",
                "0.2",
            ),
        ],
    ),
    **_ref(
        "publikasi_ilmiah",
        [
            (
                "penelitian_buku_isbn",
                "Laporan hasil penelitian diterbitkan dalam buku ber-ISBN dan diedarkan secara nasional atau "
                "lulus penilaian BSNP",
                "4",
            ),
            (
                "penelitian_jurnal_nasional_terakreditasi",
                "Laporan hasil penelitian dimuat dalam majalah/jurnal ilmiah nasional terakreditasi",
                "3",
            ),
            (
                "penelitian_jurnal_provinsi",
                "Laporan hasil penelitian dimuat dalam majalah/jurnal ilmiah provinsi",
                "2",
            ),
            (
                "penelitian_majalah_kabupaten_kota",
                "Laporan hasil penelitian dimuat dalam majalah ilmiah kabupaten/kota",
                "1",
            ),
            (
                "penelitian_diseminarkan_sekolah",
                "Laporan hasil penelitian diseminarkan di sekolahnya, disimpan di perpustakaan",
                "4",
            ),
            (
                "makalah_tinjauan_ilmiah",
                "Makalah tinjauan ilmiah, tidak diterbitkan, disimpan di perpustakaan",
                "2",
            ),
            (
                "artikel_populer_media_nasional",
                "Artikel ilmiah populer dimuat di media massa tingkat nasional",
                "2",
            ),
            (
                "artikel_populer_media_provinsi",
                "Artikel ilmiah populer dimuat di media massa tingkat provinsi (koran daerah)",
                "1.5",
            ),
            (
                "artikel_ilmiah_jurnal_nasional_terakreditasi",
                "Artikel ilmiah dimuat di jurnal tingkat nasional terakreditasi",
                "2",
            ),
            (
                "artikel_ilmiah_jurnal_nasional_tidak_terakreditasi",
                "Artikel ilmiah dimuat di jurnal nasional tidak terakreditasi/tingkat provinsi",
                "1.5",
            ),
            (
                "artikel_ilmiah_jurnal_lokal",
                "Artikel ilmiah dimuat di jurnal tingkat lokal (kabupaten/kota/sekolah/madrasah)",
                "1",
            ),
        ],
    ),
    **_ref(
        "buku_dan_pedoman",
        [
            ("buku_pelajaran_lolos_bsnp", "Buku pelajaran yang lolos penilaian BSNP", "6"),
            ("buku_pelajaran_isbn", "Buku pelajaran dicetak oleh penerbit dan ber-ISBN", "3"),
            ("buku_pelajaran_tanpa_isbn", "Buku pelajaran dicetak oleh penerbit tetapi belum ber-ISBN", "1"),
            (
                "modul_diktat_provinsi",
                "Modul/diktat digunakan di tingkat provinsi, disahkan Dinas Pendidikan Provinsi",
                "1.5",
            ),
            (
                "modul_diktat_kabupaten_kota",
                "Modul/diktat digunakan di tingkat kabupaten/kota, disahkan Dinas Pendidikan Kabupaten/Kota",
                "1",
            ),
            ("modul_diktat_sekolah", "Modul/diktat digunakan di tingkat sekolah/madrasah setempat", "0.5"),
            ("buku_pendidikan_isbn", "Buku bidang pendidikan dicetak oleh penerbit dan ber-ISBN", "3"),
            (
                "buku_pendidikan_tanpa_isbn",
                "Buku bidang pendidikan dicetak oleh penerbit tetapi belum ber-ISBN",
                "1.5",
            ),
            (
                "karya_terjemahan",
                "Karya hasil terjemahan yang dinyatakan oleh kepala sekolah/madrasah, tiap karya",
                "1",
            ),
            ("buku_pedoman_guru", "Buku pedoman guru", "1.5"),
        ],
    ),
    "teknologi_tepat_guna_kompleks": ReferensiAngkaKredit(
        "karya_inovatif", "Menemukan teknologi tepat guna, kategori kompleks", Decimal(1), _CEK
    ),
    **_ref(
        "karya_inovatif",
        [
            ("teknologi_tepat_guna_sederhana", "Menemukan teknologi tepat guna, kategori sederhana", "2"),
            ("karya_seni_kompleks", "Menemukan/menciptakan karya seni, kategori kompleks", "4"),
            ("karya_seni_sederhana", "Menemukan/menciptakan karya seni, kategori sederhana", "2"),
            ("alat_pelajaran_kompleks", "Membuat alat pelajaran, kategori kompleks", "2"),
            ("alat_pelajaran_sederhana", "Membuat alat pelajaran, kategori sederhana", "1"),
            ("alat_peraga_kompleks", "Membuat alat peraga, kategori kompleks", "2"),
            ("alat_peraga_sederhana", "Membuat alat peraga, kategori sederhana", "1"),
            ("alat_praktikum_kompleks", "Membuat alat praktikum, kategori kompleks", "4"),
            ("alat_praktikum_sederhana", "Membuat alat praktikum, kategori sederhana", "2"),
            (
                "penyusunan_standar_nasional",
                "Mengikuti penyusunan standar/pedoman/soal tingkat nasional",
                "1",
            ),
            (
                "penyusunan_standar_provinsi",
                "Mengikuti penyusunan standar/pedoman/soal tingkat provinsi",
                "1",
            ),
        ],
    ),
    **_ref(
        "penunjang",
        [
            (
                "ijazah_tidak_sesuai_s3",
                "Memperoleh gelar Doktor (S-3) yang tidak sesuai bidang yang diampu",
                "15",
            ),
            (
                "ijazah_tidak_sesuai_s2",
                "Memperoleh gelar Pascasarjana (S-2) yang tidak sesuai bidang yang diampu",
                "10",
            ),
            (
                "ijazah_tidak_sesuai_s1",
                "Memperoleh gelar Sarjana (S-1)/Diploma IV yang tidak sesuai bidang yang diampu",
                "5",
            ),
            (
                "membimbing_siswa",
                "Membimbing siswa dalam praktik kerja nyata/praktik industri/ekstrakurikuler dan sejenisnya",
                "0.17",
            ),
            ("pengawas_ujian_sekolah", "Pengawas ujian penilaian dan evaluasi tingkat sekolah", "0.08"),
            ("pengawas_ujian_nasional", "Pengawas ujian penilaian dan evaluasi tingkat nasional", "0.08"),
            ("organisasi_profesi_pengurus", "Pengurus aktif organisasi profesi", "1"),
            ("organisasi_profesi_anggota", "Anggota aktif organisasi profesi", "0.75"),
            ("kepramukaan_anggota", "Anggota aktif kegiatan kepramukaan", "0.75"),
            ("tim_penilai_angka_kredit", "Menjadi tim penilai angka kredit", "0.04"),
            ("tutor_pelatih_instruktur", "Menjadi tutor/pelatih/instruktur", "0.04"),
            ("satyalancana_30_tahun", "Satyalancana Karya Satya 30 tahun", "3"),
            ("satyalancana_20_tahun", "Satyalancana Karya Satya 20 tahun", "2"),
            ("satyalancana_10_tahun", "Satyalancana Karya Satya 10 tahun", "1"),
            ("penghargaan_tanda_jasa", "Memperoleh penghargaan/tanda jasa", "1"),
        ],
    ),
    "kepramukaan_pengurus": ReferensiAngkaKredit(
        "penunjang", "Pengurus aktif kegiatan kepramukaan", Decimal(12), _CEK
    ),
}


def angka_kredit_pembelajaran_guru(golongan: str) -> Decimal:
    """Angka kredit of the main duty for a golongan (III/a … IV/d), assuming nilai PKG Baik.

    :raises ScoringError: for a golongan the seed does not list (e.g. II/d, IV/e).
    """
    try:
        return ANGKA_KREDIT_PEMBELAJARAN_GURU[golongan]
    except KeyError:
        raise ScoringError(
            "golongan", "tidak ada angka kredit pembelajaran guru untuk golongan ini (III/a … IV/d)"
        ) from None


def angka_kredit_guru(kode: str) -> ReferensiAngkaKredit:
    """The reference row of a supporting activity by its id (see :data:`ANGKA_KREDIT_GURU`).

    :raises ScoringError: for an unknown id.
    """
    try:
        return ANGKA_KREDIT_GURU[kode]
    except KeyError:
        raise ScoringError("kode", "kegiatan angka kredit guru tidak dikenal") from None


# --- payload adapter -------------------------------------------------------------------------------


def _aspek(data: Mapping[str, Any], field: str, *, target: bool) -> Aspek:
    positif = target  # a target divides; a realisasi may be 0
    return Aspek(
        kuantitas=angka(data, "kuantitas", field, lebih_dari_nol=positif),
        kualitas=angka(data, "kualitas", field, lebih_dari_nol=positif),
        waktu=angka(data, "waktu", field, lebih_dari_nol=positif),
        biaya=angka_opsional(data, "biaya", field, lebih_dari_nol=positif),
    )


def _kegiatan(payload: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    kegiatan: list[Mapping[str, Any]] = list(payload.get("skp", {}).get("kegiatan") or [])
    if not kegiatan:
        raise ScoringError("skp.kegiatan", "minimal satu kegiatan tugas jabatan")
    return kegiatan


def penilaian_dari_payload(payload: Mapping[str, Any]) -> PenilaianPrestasiKerja:
    """Read the validated payload (docs/architecture.md) into the input dataclass."""
    skp = payload.get("skp") or {}
    kegiatan = []
    for index, item in enumerate(_kegiatan(payload)):
        field = f"skp.kegiatan.{index}"
        if "realisasi" not in item:
            raise ScoringError(f"{field}.realisasi", "wajib diisi untuk penilaian")
        kegiatan.append(
            Kegiatan(
                target=_aspek(item.get("target") or {}, f"{field}.target", target=True),
                realisasi=_aspek(item["realisasi"], f"{field}.realisasi", target=False),
            )
        )
    data = payload.get("perilaku_kerja")
    if not data:
        raise ScoringError("perilaku_kerja", "wajib diisi untuk penilaian")
    batas = Decimal(100)
    perilaku = PerilakuKerja(
        **{name: angka(data, name, "perilaku_kerja", maksimum=batas) for name in _ASPEK_WAJIB},
        kepemimpinan=angka_opsional(data, KEPEMIMPINAN, "perilaku_kerja", maksimum=batas),
    )
    return PenilaianPrestasiKerja(
        kegiatan=tuple(kegiatan),
        jumlah_tugas_tambahan=len(skp.get("tugas_tambahan") or []),
        kreativitas=tuple(str(k.get("tingkat")) for k in skp.get("kreativitas") or []),
        perilaku=perilaku,
        jenis_jabatan=str(payload.get("pegawai", {}).get("jenis_jabatan", "")),
    )


def _jumlah_angka_kredit(payload: Mapping[str, Any]) -> Decimal:
    return sum(
        (
            angka(k, "angka_kredit", f"skp.kegiatan.{i}")
            for i, k in enumerate(_kegiatan(payload))
            if k.get("angka_kredit") is not None
        ),
        _NOL,
    )


def hasil(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The full ``hasil`` of an evaluasi or dokumen penilaian (api.md), rounded for showing."""
    penilaian = penilaian_dari_payload(payload)
    result = penilaian_prestasi_kerja(penilaian)
    kegiatan = [
        {
            "kuantitas": round2(k.kuantitas),
            "kualitas": round2(k.kualitas),
            "waktu": round2(k.waktu),
            "biaya": round2_opsional(k.biaya),
            "penghitungan": round2(k.penghitungan),
            "jumlah_aspek": k.jumlah_aspek,
            "nilai_capaian": round2(k.nilai_capaian),
            **with_label("sebutan", sebutan(k.nilai_capaian)),
        }
        for k in result.kegiatan
    ]
    perilaku = result.perilaku
    return {
        "kegiatan": kegiatan,
        "jumlah_angka_kredit": round2(_jumlah_angka_kredit(payload)),
        "rata_rata_capaian": round2(result.rata_rata_capaian),
        "tugas_tambahan": {
            "jumlah": penilaian.jumlah_tugas_tambahan,
            "nilai": round2(result.nilai_tugas_tambahan),
        },
        "kreativitas": {"jumlah": len(penilaian.kreativitas), "nilai": round2(result.nilai_kreativitas)},
        "nilai_skp": round2(result.nilai_skp),
        **with_label("sebutan_skp", sebutan(result.nilai_skp)),
        "perilaku_kerja": {
            "aspek": {
                name: {"nilai": round2(value), **with_label("sebutan", sebutan(value))}
                for name, value in perilaku.aspek.items()
            },
            "jumlah": round2(perilaku.jumlah),
            "jumlah_aspek": len(perilaku.aspek),
            "rata_rata": round2(perilaku.rata_rata),
            **with_label("sebutan", sebutan(perilaku.rata_rata)),
        },
        "bobot": "60/40",
        "nilai_prestasi_kerja": round2(result.nilai_prestasi_kerja),
        **with_label("sebutan", sebutan(result.nilai_prestasi_kerja)),
    }


def hasil_rencana(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Plan checks of an SKP without realisasi: what the form's totals row shows.

    ``jumlah_kegiatan``, ``jumlah_angka_kredit`` (the AK target, summed over kegiatan that carry one),
    and ``jumlah_aspek`` per kegiatan (3, or 4 with a biaya target) so the reader sees which divisor
    the evaluation will use.
    """
    kegiatan = _kegiatan(payload)
    rows = []
    for index, item in enumerate(kegiatan):
        target = _aspek(item.get("target") or {}, f"skp.kegiatan.{index}.target", target=True)
        rows.append({"jumlah_aspek": 4 if target.biaya is not None else 3})
    return {
        "jumlah_kegiatan": len(kegiatan),
        "jumlah_angka_kredit": round2(_jumlah_angka_kredit(payload)),
        "kegiatan": rows,
    }
