"""Dates, times and event names as a person reads them: Indonesian months, the instance's zone.

One module for every place a person reads them (the signing, done, verification and archive pages
through the Jinja filters of :mod:`service.pages.filters`, and the riwayat), so that they agree. Stored
times stay UTC; they are shown in the instance's ``settings.timezone`` named WIB, WITA or WIT.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from service.documents.context.common import angka
from service.documents.context.common import tanggal as _tanggal

__all__ = [
    "PERISTIWA",
    "REVISI",
    "pengganti",
    "periode",
    "peristiwa",
    "ringkasan",
    "tanggal",
    "waktu",
    "zona",
]

#: Indonesian zones by UTC offset (the three of Indonesia; others are named by their offset).
_ZONES = {dt.timedelta(hours=7): "WIB", dt.timedelta(hours=8): "WITA", dt.timedelta(hours=9): "WIT"}

#: Every audit event the code records, as people say it (riwayat, archive page). A test walks the
#: code's ``audit.record`` calls and fails on an event missing here.
PERISTIWA: Mapping[str, str] = {
    "created": "Dokumen dibuat",
    "rendered": "Dokumen disusun",
    "sealed": "Dokumen disegel layanan",
    "failed": "Pembuatan dokumen gagal",
    "job_reclaimed": "Pembuatan dokumen diulang",
    "job_abandoned": "Pembuatan dokumen dihentikan",
    "link_issued": "Tautan tanda tangan diterbitkan",
    "link_opened": "Tautan tanda tangan dibuka",
    "reissued": "Tautan tanda tangan diterbitkan ulang",
    "delegated": "Penanda tangan digantikan (Plt/Plh)",
    "enrollment_code_issued": "Kode verifikasi diberikan kepada pengelola kepegawaian",
    "enrollment_code_sent": "Kode verifikasi dikirim lewat e-mail",
    "key_enrolled": "Kunci tanda tangan didaftarkan",
    "certificate_revoked": "Sertifikat lama dicabut",
    "certificate_revocation_failed": "Pencabutan sertifikat lama gagal",
    "sign_failed": "Frasa sandi salah",
    "provider_sign_failed": "Penyedia tanda tangan gagal",
    "signed": "Ditandatangani",
    "rejected": "Ditolak",
    "cancelled": "Dibatalkan",
    "completed": "Semua tanda tangan lengkap",
    "history_issued": "Lembar riwayat diterbitkan",
    "downloaded": "Dokumen diunduh",
    "download_link_issued": "Tautan salinan diterbitkan",
    "copy_downloaded": "Salinan diunduh pegawai",
    "verified": "Dokumen diverifikasi",
    "files_collected": "Berkas yatim dibersihkan",
    "login": "Masuk ke arsip",
    "login_failed": "Gagal masuk ke arsip",
    "logout": "Keluar dari arsip",
    "password_changed": "Kata sandi diganti",
    "user_created": "Akun arsip dibuat",
    "user_unlocked": "Akun arsip dibuka kuncinya",
    "user_konseling": "Izin membuka rekaman konseling diubah",
    "inbox_session_opened": "Masuk ke kotak masuk penanda tangan",
    "inbox_login_link_sent": "Tautan masuk kotak masuk dikirim lewat e-mail",
    "inbox_logout": "Keluar dari kotak masuk penanda tangan",
    "batch_started": "Tanda tangan sekaligus dimulai",
    "batch_finished": "Tanda tangan sekaligus selesai",
    "mail_sent": "E-mail terkirim",
    "mail_dropped": "E-mail tidak dikirim karena tidak berlaku lagi",
    "client_created": "Klien API dibuat",
    "client_key_replaced": "Kunci API klien diganti",
    "client_key_rotated": "Kunci API klien diganti dengan masa peralihan",
    "webhook_secret_rotated": "Rahasia webhook diganti",
    "webhook_ca_set": "Sertifikat CA penerima webhook diatur",
    "batch_received": "Kumpulan dokumen diterima",
    "batch_completed": "Kumpulan dokumen selesai disusun",
    "webhook_redelivered": "Webhook dikirim ulang",
    "webhook_ping": "Webhook uji dikirim",
    "link_expired": "Tautan tanda tangan kedaluwarsa",
}


#: What each kind of revision is, as people say it (the riwayat; the archive page has its own words).
REVISI: Mapping[str, str] = {
    "render": "draf, belum ditandatangani",
    "seal": "disegel layanan",
    "signature": "tanda tangan",
}


def peristiwa(event: str) -> str:
    """An audit event's Indonesian name (an unknown one as it is written, never an error)."""
    return PERISTIWA.get(event, event.replace("_", " "))


def tanggal(value: object) -> str:
    """``2024-01-01`` (date, datetime or ISO text) → ``"1 Januari 2024"``; nothing → ``"-"``."""
    return _tanggal(value)


def periode(mulai: object, selesai: object | None = None) -> str:
    """``"1 Januari 2024 s.d. 31 Desember 2024"``; ``mulai`` may be the payload's ``periode``."""
    if isinstance(mulai, Mapping) and selesai is None:
        given: Mapping[str, Any] = mulai
        mulai, selesai = given.get("mulai"), given.get("selesai")
    return f"{_tanggal(mulai)} s.d. {_tanggal(selesai)}"


def zona(zone: dt.tzinfo, at: dt.datetime | None = None) -> str:
    """WIB, WITA or WIT for ``zone`` (at ``at``); another zone as ``UTC+hh:mm``."""
    offset = (at or dt.datetime.now(dt.UTC)).astimezone(zone).utcoffset() or dt.timedelta(0)
    name = _ZONES.get(offset)
    if name is not None:
        return name
    sign = "-" if offset < dt.timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def waktu(value: object, zone: dt.tzinfo, *, detik: bool = False, pukul: bool = False) -> str:
    """A stored moment in the instance's zone: ``"15 Januari 2025 14.05 WIB"`` (``pukul``: "15 Januari
    2025 pukul 14.05 WIB", as a letter says it); nothing → ``"-"``.

    A naive datetime is UTC (SQLite returns them so); ISO text is read too.
    """
    at: dt.datetime | None = None
    if isinstance(value, dt.datetime):
        at = value
    elif isinstance(value, str):
        try:
            at = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return value or "-"
    if at is None:
        return "-"
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    local = at.astimezone(zone)
    jam = f"{local:%H.%M.%S}" if detik else f"{local:%H.%M}"
    return f"{_tanggal(local.date())} {'pukul ' if pukul else ''}{jam} {zona(zone, at)}"


def pengganti(delegate_json: str | None) -> dict[str, Any] | None:
    """Whom a Plt/Plh replaced, from a signer's ``delegate_json``: ``jenis`` ("Plt."/"Plh."),
    ``semula`` (nama, nip, jabatan) and a sentence; ``None`` for a signer who was not replaced.
    """
    if not delegate_json:
        return None
    data = json.loads(delegate_json)
    jenis = f"{str(data['jenis']).capitalize()}."
    semula = data.get("semula") or {}
    return {
        "jenis": jenis,
        "semula": semula,
        "teks": f"menggantikan {semula.get('nama', '-')} (NIP {semula.get('nip', '-')})",
    }


#: Where each regime's result holds the final score and its predikat, first found wins.
_NILAI = ("nilai_kinerja", "nilai_prestasi_kerja", "nilai_skp")
_PREDIKAT = ("predikat_label", "sebutan_label", "sebutan_skp_label")


def ringkasan(payload: Mapping[str, Any], hasil: Mapping[str, Any]) -> dict[str, Any]:
    """What a signer reads first about a document: nilai, predikat, periode, pegawai (``"-"`` for
    what the document type does not have, e.g. the nilai of a 6/2022 evaluasi, which rates); ``unit``
    is true for a unit document, whose "pegawai" is its unit and has no NIP.
    """
    nilai = next((hasil[key] for key in _NILAI if hasil.get(key) is not None), None)
    predikat = next((str(hasil[key]) for key in _PREDIKAT if hasil.get(key)), "-")
    found = payload.get("pegawai")
    pegawai: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    daftar = payload.get("daftar_pegawai")
    unit = False
    if isinstance(daftar, list):  # a unit document: its unit and how many it lists
        unit = True
        pegawai = {"nama": f"{len(daftar)} pegawai {payload.get('unit_kerja') or ''}".strip()}
    return {
        "unit": unit,
        "nilai": angka(nilai) if nilai is not None else "-",
        "predikat": predikat,
        "periode": periode(payload.get("periode") or {}),
        "pegawai": str(pegawai.get("nama") or "-"),
        "pegawai_nip": str(pegawai.get("nip") or "-"),
    }
