"""The one vocabulary of the domain: ids and their Indonesian labels, used by schemas, forms and pages.

Pure data, no imports beyond typing: every layer above may read it, none may redefine it.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = [
    "DOCUMENT_TYPES",
    "FINAL_STATUSES",
    "PERAN_LABEL",
    "REGIME_IDS",
    "SIGNING_ORDER",
    "STATUSES",
    "STATUS_LABEL",
    "TYPE_LABEL",
]

#: The regimes still in use, oldest first (rules.md §1).
REGIME_IDS = ("pp46_2011", "permenpanrb_8_2021", "permenpanrb_6_2022")

#: Document types of api.md, and the title each form carries.
DOCUMENT_TYPES = ("skp", "manual_iku", "evaluasi", "dokumen_penilaian")
TYPE_LABEL: Mapping[str, str] = {
    "skp": "Sasaran Kinerja Pegawai",
    "manual_iku": "Manual Indikator Kinerja",
    "evaluasi": "Evaluasi Kinerja Pegawai",
    "dokumen_penilaian": "Dokumen Penilaian/Evaluasi Kinerja Pegawai",
}

#: Fixed signing order (api.md); the atasan signs only when the payload names one.
SIGNING_ORDER = ("pegawai", "pejabat_penilai", "atasan_pejabat_penilai")
#: The role as printed on forms, stamps and pages.
PERAN_LABEL: Mapping[str, str] = {
    "pegawai": "Pegawai yang Dinilai",
    "pejabat_penilai": "Pejabat Penilai Kinerja",
    "atasan_pejabat_penilai": "Atasan Pejabat Penilai Kinerja",
}

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
