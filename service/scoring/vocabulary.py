"""The one vocabulary of the domain: ids and their Indonesian labels, used by schemas, forms and pages.

Pure data, no imports beyond typing: every layer above may read it, none may redefine it. Tuples are
in the order forms and lists show them (best to worst for predikat and ratings).
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = [
    "ASPEK_LABEL",
    "ASPEK_PERILAKU",
    "ASPEK_PERMENPANRB_6_2022",
    "ASPEK_PERMENPANRB_8_2021",
    "ASPEK_PP46_2011",
    "ASSESSMENT_TYPES",
    "BENTUK_BIMBINGAN",
    "BERAKHLAK",
    "CAPAIAN_ORGANISASI",
    "COACHING_TYPES",
    "CONFIDENTIAL_TYPES",
    "DOCUMENT_TYPES",
    "FINAL_STATUSES",
    "JABATAN_STRUKTURAL",
    "JAWABAN_UMPAN_BALIK",
    "JENIS_HASIL_KERJA",
    "JENIS_JABATAN",
    "JENIS_JABATAN_PENILAI",
    "JENIS_PERIODE_IDS",
    "JUMLAH_KRITERIA_UMPAN_BALIK",
    "KATEGORI_KONSELOR",
    "KATEGORI_KONSELOR_LABEL",
    "KATEGORI_PERMENPANRB_8_2021",
    "KELOMPOK_SURVEI",
    "KEPEMIMPINAN",
    "KRITERIA_UMPAN_BALIK",
    "LABELS",
    "MODE_PERILAKU",
    "PEJABAT_NEGARA",
    "PENILAI_SURVEI",
    "PENYEDIA",
    "PENYEDIA_LABEL",
    "PERAN_LABEL",
    "PERIODE_PELAPORAN",
    "PERIODE_PELAPORAN_LABEL",
    "PERMENPANRB_6_2022",
    "PERMENPANRB_8_2021",
    "PERSON_ROLES",
    "PERSON_TYPES",
    "PERSPEKTIF",
    "PERSPEKTIF_LABEL",
    "PLAN_TYPES",
    "PP46_2011",
    "PREDIKAT",
    "PREDIKAT_PERMENPANRB_6_2022",
    "PREDIKAT_PERMENPANRB_8_2021",
    "RATING_PERMENPANRB_6_2022",
    "REGIME_IDS",
    "REGIME_LABEL",
    "SEBUTAN_PP46_2011",
    "SIGNING_ORDER",
    "STATUSES",
    "STATUS_LABEL",
    "TINDAK_LANJUT_KONSELING",
    "TINDAK_LANJUT_KONSELING_LABEL",
    "TINGKAT_KENDALI",
    "TINGKAT_KENDALI_LABEL",
    "TYPE_LABEL",
    "UNIT_TYPES",
]

# --- regimes -----------------------------------------------------------------------------------------

PP46_2011 = "pp46_2011"
PERMENPANRB_8_2021 = "permenpanrb_8_2021"
PERMENPANRB_6_2022 = "permenpanrb_6_2022"

#: The regimes still in use, oldest first (rules.md §1).
REGIME_IDS = (PP46_2011, PERMENPANRB_8_2021, PERMENPANRB_6_2022)

#: The law behind each regime id, as a form or an error message names it.
REGIME_LABEL: Mapping[str, str] = {
    PP46_2011: "PP 46/2011 (Penilaian Prestasi Kerja)",
    PERMENPANRB_8_2021: "PermenPANRB 8/2021 (Penilaian Kinerja)",
    PERMENPANRB_6_2022: "PermenPANRB 6/2022 (Pengelolaan Kinerja)",
}

# --- document types ----------------------------------------------------------------------------------

#: Document types of api.md, and the title each form carries.
#: The per-person forms (one pegawai, their SKP) come first, then the unit and coaching documents
#: (api.md "Unit and coaching documents", forms.md §E).
PERSON_TYPES = ("skp", "manual_iku", "evaluasi", "dokumen_penilaian")
#: Documents about a whole unit kerja: a list of pegawai (``daftar_pegawai``), no one pegawai.
UNIT_TYPES = ("penetapan_predikat", "peringkat")
#: Records of bimbingan and konseling kinerja: one pegawai, no SKP.
COACHING_TYPES = ("catatan_bimbingan", "umpan_balik_bimbingan", "konseling")
DOCUMENT_TYPES = (*PERSON_TYPES, *UNIT_TYPES, *COACHING_TYPES)
TYPE_LABEL: Mapping[str, str] = {
    "skp": "Sasaran Kinerja Pegawai",
    "manual_iku": "Manual Indikator Kinerja",
    "evaluasi": "Evaluasi Kinerja Pegawai",
    "dokumen_penilaian": "Dokumen Penilaian/Evaluasi Kinerja Pegawai",
    "penetapan_predikat": "Penetapan Predikat Kinerja",
    "peringkat": "Pemeringkatan Kinerja Pegawai",
    "catatan_bimbingan": "Catatan Bimbingan Kinerja",
    "umpan_balik_bimbingan": "Umpan Balik Pelaksanaan Bimbingan Kinerja",
    "konseling": "Pelaksanaan Konseling Kinerja",
}
#: Plans (no realisasi; scored by the plan checks) and assessments (realisasi; fully scored).
PLAN_TYPES = frozenset({"skp", "manual_iku"})
ASSESSMENT_TYPES = frozenset({"evaluasi", "dokumen_penilaian"})
#: Confidential documents: only archivists granted the konseling permission open them (api.md).
CONFIDENTIAL_TYPES = frozenset({"konseling"})

# --- bimbingan and konseling (forms.md §E3, §E4) -----------------------------------------------------

#: A bimbingan kinerja is given to one pegawai or to a group (PP 30/2019: "SECARA INDIVIDU /KELOMPOK").
BENTUK_BIMBINGAN = ("individu", "kelompok")
#: Who may be the konselor (PermenPANRB 8/2021 p.76–77).
KATEGORI_KONSELOR = ("konselor_independen", "pejabat_penilai_terlatih", "pejabat_fungsi_konseling")
KATEGORI_KONSELOR_LABEL: Mapping[str, str] = {
    "konselor_independen": "Konselor independen",
    "pejabat_penilai_terlatih": "Pejabat Penilai Kinerja yang telah mengikuti pelatihan konseling",
    "pejabat_fungsi_konseling": "Pejabat yang tugas dan fungsinya di bidang konseling",
}
#: The follow-ups a konseling may lead to (PermenPANRB 8/2021: "bimbingan, pelatihan, penugasan
#: khusus, diusulkan mutasi, dan/atau direkomendasikan untuk diproses penjatuhan hukuman disiplin").
TINDAK_LANJUT_KONSELING = ("bimbingan", "pelatihan", "penugasan_khusus", "usul_mutasi", "hukuman_disiplin")
TINDAK_LANJUT_KONSELING_LABEL: Mapping[str, str] = {
    "bimbingan": "Bimbingan",
    "pelatihan": "Pelatihan",
    "penugasan_khusus": "Penugasan khusus",
    "usul_mutasi": "Diusulkan mutasi",
    "hukuman_disiplin": "Direkomendasikan untuk diproses penjatuhan hukuman disiplin",
}
#: The pegawai's answer to each criterion of FORMAT B.1.8 (the form's answer column is ours: forms.md E3).
JAWABAN_UMPAN_BALIK = ("ya", "tidak")
#: FORMAT B.1.8 verbatim: (subjek, its kriteria umpan balik, numbered 1–9 across the subjects).
KRITERIA_UMPAN_BALIK: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "TENTANG PEGAWAI",
        (
            "Saya merasa diperhatikan dan dipahami",
            "Saya merasa tindakan/langkah yang telah saya lakukan dihargai",
            "Saya merasa dapat dengan bebas mengemukakan pendapat/pemikiran saya",
        ),
    ),
    (
        "TENTANG PIMPINAN/ PIHAK LAIN YANG DIBERIKAN PENUGASAN KHUSUS",
        (
            "Saya merasa bahwa pandangan yang diberikan berdasarkan data/fakta yang akurat",
            "Saya merasa bahwa pandangan/pendapat yang diberikan kepada saya bersifat positif",
            "Lebih banyak menggunakan metode bertanya dibandingkan menggurui",
        ),
    ),
    (
        "TENTANG PEGAWAI DAN PIMPINAN/ PIHAK LAIN YANG DIBERIKAN PENUGASAN KHUSUS",
        (
            "Saya merasa dibantu dalam mencari solusi dan aksi tindak lanjut",
            "Saya tahu apa yang harus saya lakukan setelah mengikuti kegiatan bimbingan kinerja ini",
            "Saya memahami maksud dan tujuan kegiatan bimbingan kinerja ini",
        ),
    ),
)
#: How many answers FORMAT B.1.8 asks for.
JUMLAH_KRITERIA_UMPAN_BALIK = sum(len(kriteria) for _, kriteria in KRITERIA_UMPAN_BALIK)

# --- signers -----------------------------------------------------------------------------------------

#: Every signer role, in the order roles sign when a form has several (api.md); which of them sign
#: a form is :data:`service.scoring.penandatangan.PENANDATANGAN`'s. The last three sign the unit and
#: coaching documents alone.
SIGNING_ORDER = (
    "pegawai",
    "pejabat_penilai",
    "atasan_pejabat_penilai",
    "pimpinan_yang_berwenang",
    "pejabat_yang_berwenang",
    "konselor",
)
#: The roles of the per-person forms (pegawai, pejabat penilai, atasan).
PERSON_ROLES = SIGNING_ORDER[:3]
#: The role as printed on forms, stamps and pages.
PERAN_LABEL: Mapping[str, str] = {
    "pegawai": "Pegawai yang Dinilai",
    "pejabat_penilai": "Pejabat Penilai Kinerja",
    "atasan_pejabat_penilai": "Atasan Pejabat Penilai Kinerja",
    "pimpinan_yang_berwenang": "Pimpinan yang Berwenang",
    "pejabat_yang_berwenang": "Pejabat yang Berwenang",
    "konselor": "Konselor",
}

# --- document status ---------------------------------------------------------------------------------

#: Every document status (api.md), and those from which nothing more happens to a document.
STATUSES = ("rendering", "awaiting_signature", "completed", "rejected", "cancelled", "failed")
FINAL_STATUSES = frozenset({"completed", "rejected", "cancelled", "failed"})
STATUS_LABEL: Mapping[str, str] = {
    "rendering": "sedang dibuat",
    "awaiting_signature": "menunggu tanda tangan",
    "completed": "selesai",
    "rejected": "ditolak",
    "cancelled": "dibatalkan",
    "failed": "gagal",
}

# --- identities and periods --------------------------------------------------------------------------

#: Kinds of jabatan (``jenis_jabatan``); the first three are struktural.
JENIS_JABATAN = ("jpt", "administrator", "pengawas", "pelaksana", "fungsional")
#: Jabatan whose holders lead people: only they are rated on kepemimpinan (rules.md §2, §3).
JABATAN_STRUKTURAL = frozenset(JENIS_JABATAN[:3])
#: A political official (Menteri, Kepala Daerah, …) assessing a JPT: no NIP, pangkat or golongan.
PEJABAT_NEGARA = "pejabat_negara"
#: Kinds of jabatan of a pejabat penilai or atasan pejabat penilai (api.md "Documents").
JENIS_JABATAN_PENILAI = (*JENIS_JABATAN, PEJABAT_NEGARA)

#: Kinds of assessed period (``periode.jenis``); ``bulanan`` is any single month.
JENIS_PERIODE_IDS = (
    "tahunan",
    "semester_i",
    "semester_ii",
    "triwulan_i",
    "triwulan_ii",
    "triwulan_iii",
    "triwulan_iv",
    "bulanan",
)

# --- perilaku kerja aspects --------------------------------------------------------------------------

#: The aspect rated exactly for jabatan struktural (last in the older regimes' lists).
KEPEMIMPINAN = "kepemimpinan"

#: PP 46/2011 perilaku kerja, in the form's order (rules.md §2).
ASPEK_PP46_2011 = ("orientasi_pelayanan", "integritas", "komitmen", "disiplin", "kerja_sama", KEPEMIMPINAN)
#: PermenPANRB 8/2021 perilaku kerja (seed 001, rules.md §3).
ASPEK_PERMENPANRB_8_2021 = ("orientasi_pelayanan", "komitmen", "inisiatif_kerja", "kerja_sama", KEPEMIMPINAN)
#: The seven BerAKHLAK core values of PermenPANRB 6/2022, in the order of the form (forms.md A1).
ASPEK_PERMENPANRB_6_2022 = (
    "berorientasi_pelayanan",
    "akuntabel",
    "kompeten",
    "harmonis",
    "loyal",
    "adaptif",
    "kolaboratif",
)
BERAKHLAK = ASPEK_PERMENPANRB_6_2022

#: Regime id → its perilaku kerja aspects.
ASPEK_PERILAKU: Mapping[str, tuple[str, ...]] = {
    PP46_2011: ASPEK_PP46_2011,
    PERMENPANRB_8_2021: ASPEK_PERMENPANRB_8_2021,
    PERMENPANRB_6_2022: ASPEK_PERMENPANRB_6_2022,
}

#: Every aspect id of the three regimes → its label as the forms print it.
ASPEK_LABEL: Mapping[str, str] = {
    "orientasi_pelayanan": "Orientasi Pelayanan",
    "integritas": "Integritas",
    "komitmen": "Komitmen",
    "disiplin": "Disiplin",
    "kerja_sama": "Kerja Sama",
    "inisiatif_kerja": "Inisiatif Kerja",
    KEPEMIMPINAN: "Kepemimpinan",
    "berorientasi_pelayanan": "Berorientasi Pelayanan",
    "akuntabel": "Akuntabel",
    "kompeten": "Kompeten",
    "harmonis": "Harmonis",
    "loyal": "Loyal",
    "adaptif": "Adaptif",
    "kolaboratif": "Kolaboratif",
}

#: PermenPANRB 8/2021: perilaku by the atasan alone (70/30) or by closed survey, 360° (60/40).
MODE_PERILAKU = ("atasan", "survei")
#: The rater groups a survey adds to the atasan, and all rater groups of a survey.
KELOMPOK_SURVEI = ("rekan", "bawahan")
PENILAI_SURVEI = ("atasan", *KELOMPOK_SURVEI)

# --- predikat, ratings -------------------------------------------------------------------------------

#: PP 46/2011 sebutan, best to worst.
SEBUTAN_PP46_2011 = ("sangat_baik", "baik", "cukup", "kurang", "buruk")
#: PermenPANRB 8/2021 predikat, best to worst (PP 30/2019 Pasal 41).
PREDIKAT_PERMENPANRB_8_2021 = ("sangat_baik", "baik", "cukup", "kurang", "sangat_kurang")
#: Kategori of the 8/2021 nilai capaian IKI table and of kinerja tambahan (same words as the predikat).
KATEGORI_PERMENPANRB_8_2021 = PREDIKAT_PERMENPANRB_8_2021
#: PermenPANRB 6/2022 predikat, best to worst.
PREDIKAT_PERMENPANRB_6_2022 = ("sangat_baik", "baik", "butuh_perbaikan", "kurang_misconduct", "sangat_kurang")
#: PermenPANRB 6/2022 ratings of hasil kerja and perilaku kerja, best to worst.
RATING_PERMENPANRB_6_2022 = ("di_atas_ekspektasi", "sesuai_ekspektasi", "di_bawah_ekspektasi")
#: PermenPANRB 6/2022 capaian kinerja organisasi, best to worst.
CAPAIAN_ORGANISASI = ("istimewa", "baik", "butuh_perbaikan", "kurang", "sangat_kurang")

#: Regime id → final predikat (sebutan for pp46_2011) ids, best to worst.
PREDIKAT: Mapping[str, tuple[str, ...]] = {
    PP46_2011: SEBUTAN_PP46_2011,
    PERMENPANRB_8_2021: PREDIKAT_PERMENPANRB_8_2021,
    PERMENPANRB_6_2022: PREDIKAT_PERMENPANRB_6_2022,
}

# --- PermenPANRB 6/2022 SKP --------------------------------------------------------------------------

#: Priority of a rencana hasil kerja.
JENIS_HASIL_KERJA = ("utama", "tambahan")

#: The four perspektif a JPT's SKP covers (seed 000).
PERSPEKTIF = ("penerima_layanan", "proses_bisnis", "penguatan_internal", "anggaran")
PERSPEKTIF_LABEL: Mapping[str, str] = {
    "penerima_layanan": "Penerima Layanan",
    "proses_bisnis": "Proses Bisnis",
    "penguatan_internal": "Penguatan Internal",
    "anggaran": "Anggaran",
}

#: Manual IKU: kualitas dan tingkat kendali, and periode pelaporan (labels as the form prints them).
TINGKAT_KENDALI = ("outcome", "outcome_antara", "output_kendali_rendah")
TINGKAT_KENDALI_LABEL: Mapping[str, str] = {
    "outcome": "Outcome",
    "outcome_antara": "Outcome Antara",
    "output_kendali_rendah": "Output Kendali Rendah",
}
PERIODE_PELAPORAN = ("bulanan", "triwulanan", "semesteran", "tahunan")
PERIODE_PELAPORAN_LABEL: Mapping[str, str] = {
    "bulanan": "Bulanan",
    "triwulanan": "Triwulan",
    "semesteran": "Semesteran",
    "tahunan": "Tahunan",
}

# --- labels ------------------------------------------------------------------------------------------

#: Labels of ids that do not read well when merely capitalised; every other id's label is the id
#: with spaces, capitalised (``sangat_baik`` → ``Sangat Baik``; see ``service.scoring.common.label``).
LABELS: Mapping[str, str] = {
    "kurang_misconduct": "Kurang/Misconduct",
    "di_atas_ekspektasi": "Di Atas Ekspektasi",
    "sesuai_ekspektasi": "Sesuai Ekspektasi",
    "di_bawah_ekspektasi": "Di Bawah Ekspektasi",
}


#: Who holds a signer's key (api.md "Certificate providers"): the instance CA, the official's own
#: ``.p12``, BSrE's eSign Client Service, or a Cloud Signature Consortium provider.
PENYEDIA = ("instansi", "p12", "bsre", "csc")
#: How a page names each provider.
PENYEDIA_LABEL = {
    "instansi": "sertifikat instansi (CA layanan ini)",
    "p12": "sertifikat Anda sendiri (.p12)",
    "bsre": "BSrE (Balai Sertifikasi Elektronik, BSSN)",
    "csc": "penyedia tanda tangan jarak jauh (CSC)",
}
