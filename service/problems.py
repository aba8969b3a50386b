"""The one place that turns every error into RFC 9457 problem details (``application/problem+json``)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, current_app, json, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from service.errors import DETAIL_ID, FieldError, ServiceError
from service.problem_details import Problem, describe, title
from service.scoring import ScoringError

__all__ = [
    "PROBLEM_JSON",
    "PROBLEM_TYPES",
    "ProblemType",
    "init_app",
    "problem",
    "slug_for",
    "type_uri",
]

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

@dataclass(frozen=True)
class ProblemType:
    """A kind of problem the service answers, as its page ``/problems/<slug>`` describes it
    (Indonesian: what it means, when it happens, what the client should do, an example).
    """

    slug: str
    status: int
    judul: str
    arti: str
    kapan: str
    tindakan: str
    contoh_detail: str
    contoh_errors: Sequence[FieldError] = field(default_factory=tuple)
    contoh_extra: Mapping[str, Any] = field(default_factory=dict)
    #: The kind of any status without one of its own: ``status`` is only the example's.
    beragam: bool = False

    @property
    def title(self) -> str:
        """The RFC 9457 ``title``: the English status phrase, as every problem body carries it."""
        return title(self.status)


def _kinds(*kinds: ProblemType) -> Mapping[str, ProblemType]:
    return {kind.slug: kind for kind in kinds}


#: Every kind of problem, by slug. Each :class:`~service.errors.ServiceError` names one (``slug``);
#: errors raised by Flask itself are found by status (:data:`_BY_STATUS`).
PROBLEM_TYPES: Mapping[str, ProblemType] = _kinds(
    ProblemType(
        "validation",
        422,
        "Isi permintaan tidak memenuhi aturan",
        "Permintaan dapat dibaca, tetapi satu atau lebih bidangnya melanggar aturan skema atau aturan "
        "penilaian. Daftar errors menyebut setiap bidang yang salah sekaligus, dengan jalur bertitik "
        "(indeks daftar berupa angka) dan pesan dalam bahasa Indonesia.",
        "Bidang wajib tidak diisi, jenis nilai salah, pilihan tidak dikenal, teks terlalu panjang, angka "
        "di luar batas, tanggal tidak sah, bidang yang tidak dikenal, atau aturan antarbidang dilanggar.",
        "Perbaiki setiap bidang yang disebut pada errors, lalu kirim ulang. Jangan mengulang permintaan "
        "yang sama tanpa perubahan: hasilnya akan sama.",
        DETAIL_ID[422],
        ({"field": "skp.kegiatan.2.target.waktu", "message": "harus lebih dari 0"},),
    ),
    ProblemType(
        "malformed-body",
        400,
        "Isi permintaan tidak dapat dibaca",
        "Isi permintaan bukan objek JSON yang sah, sehingga aturannya belum dapat diperiksa.",
        "JSON rusak atau terpotong, bukan UTF-8, diawali BOM, memuat NaN atau Infinity, kunci yang sama "
        "muncul dua kali dalam satu objek, atau isi berupa daftar atau nilai tunggal, bukan objek.",
        "Periksa pembentukan JSON pada klien (gunakan pustaka JSON, bukan penggabungan teks), lalu kirim "
        "ulang.",
        "Isi permintaan harus berupa objek JSON.",
    ),
    ProblemType(
        "bad-request",
        400,
        "Permintaan tidak sah",
        "Permintaan tidak dapat diproses sebagaimana dikirim.",
        "Permintaan tidak lengkap atau rusak pada tingkat HTTP, misalnya formulir yang kedaluwarsa.",
        "Periksa permintaan yang dikirim; pada halaman, muat ulang halaman lalu coba lagi.",
        DETAIL_ID[400],
    ),
    ProblemType(
        "unauthorized",
        401,
        "Kunci API tidak ada atau tidak berlaku",
        "Permintaan tidak membawa kunci API yang dikenal layanan.",
        "Header Authorization: Bearer tidak dikirim, kuncinya salah ketik, atau kunci sudah dicabut.",
        "Kirim kunci API yang berlaku pada header Authorization: Bearer <kunci>. Mintalah kunci baru "
        "kepada operator bila kunci dicabut.",
        DETAIL_ID[401],
    ),
    ProblemType(
        "forbidden",
        403,
        "Tidak berhak atas tindakan ini",
        "Kunci API dikenal, tetapi tidak berhak atas tindakan atau dokumen ini.",
        "Kunci tidak memiliki cakupan (scope) yang diperlukan, dokumen berada di luar instansi yang "
        "dilayani kunci, atau dokumen dibuat oleh klien lain.",
        "Gunakan kunci dengan cakupan dan instansi yang tepat, atau mintalah operator menambah cakupan "
        "kunci ini. Mengulang permintaan yang sama tidak akan berhasil.",
        DETAIL_ID[403],
    ),
    ProblemType(
        "not-found",
        404,
        "Tidak ditemukan",
        "Sumber daya yang diminta tidak ada, atau tidak boleh dilihat oleh pemanggil ini.",
        "ID dokumen, urutan penanda tangan, revisi, halaman atau kode verifikasi tidak dikenal, atau "
        "alamatnya salah.",
        "Periksa ID dan alamat yang dipakai. Dokumen milik instansi lain juga dijawab 404.",
        DETAIL_ID[404],
    ),
    ProblemType(
        "method-not-allowed",
        405,
        "Metode HTTP tidak diizinkan",
        "Alamat ini ada, tetapi tidak menerima metode HTTP yang dipakai.",
        "Misalnya GET pada alamat yang hanya menerima POST.",
        "Gunakan salah satu metode pada header Allow jawaban ini.",
        DETAIL_ID[405],
    ),
    ProblemType(
        "conflict",
        409,
        "Bertentangan dengan keadaan dokumen",
        "Permintaan sah, tetapi keadaan dokumen saat ini tidak mengizinkannya.",
        "Penanda tangan belum atau bukan lagi gilirannya, dokumen sudah dibatalkan atau selesai, atau "
        "tautan hanya dapat diterbitkan ulang bagi penanda tangan yang sedang giliran.",
        "Baca ulang dokumen (GET) untuk melihat statusnya, lalu putuskan langkah berikutnya. Mengulang "
        "permintaan yang sama tanpa perubahan keadaan tidak akan berhasil.",
        "Dokumen tidak sedang menunggu keputusan penanda tangan ini.",
    ),
    ProblemType(
        "idempotency-conflict",
        409,
        "Idempotency-Key sudah dipakai untuk isi lain",
        "Idempotency-Key ini sudah dipakai oleh klien yang sama untuk isi permintaan yang berbeda, "
        "sehingga permintaan ini bukan pengulangan yang aman.",
        "Klien memakai ulang kunci untuk dokumen lain, atau isi berubah di antara pengulangan.",
        "Pakai Idempotency-Key baru untuk setiap dokumen baru; ulangi dengan kunci yang sama hanya "
        "dengan isi yang persis sama. document_id menyebut dokumen yang sudah dibuat dengan kunci itu.",
        "Idempotency-Key ini sudah dipakai untuk isi permintaan yang berbeda.",
        contoh_extra={"document_id": "doc_3f9a1c2e7b4d8e6f0a1b"},
    ),
    ProblemType(
        "concurrent-change",
        409,
        "Dokumen baru saja diubah oleh proses lain",
        "Dokumen berubah oleh permintaan lain di antara saat dibaca dan saat disimpan; tidak ada yang "
        "diubah oleh permintaan ini.",
        "Dua permintaan atau dua penanda tangan bekerja pada dokumen yang sama pada saat bersamaan.",
        "Muat ulang dokumen lalu coba lagi.",
        "Dokumen telah berubah oleh proses lain; muat ulang dan coba lagi.",
    ),
    ProblemType(
        "link-gone",
        410,
        "Tautan tidak berlaku lagi",
        "Tautan sudah digunakan, kedaluwarsa atau dicabut.",
        "Tautan penandatanganan, masuk kotak masuk atau salinan dibuka setelah masa berlakunya, atau "
        "setelah diganti dengan tautan baru.",
        "Mintalah tautan baru kepada pengelola kepegawaian (klien dapat menerbitkan ulang tautan).",
        "Tautan ini sudah kedaluwarsa.",
    ),
    ProblemType(
        "gone",
        410,
        "Tidak berlaku lagi",
        "Sumber daya ini pernah ada tetapi tidak berlaku lagi.",
        "Alamat yang dipakai sudah dihentikan.",
        "Gunakan alamat yang berlaku sekarang (lihat dokumentasi API).",
        DETAIL_ID[410],
    ),
    ProblemType(
        "too-large",
        413,
        "Isi permintaan terlalu besar",
        "Isi permintaan melebihi batas ukuran instans ini (SKP_MAX_CONTENT_LENGTH); isinya tidak dibaca.",
        "Payload dengan lampiran atau daftar yang sangat panjang, atau berkas PDF yang terlalu besar.",
        "Perkecil isi permintaan. Batas ukuran ditentukan operator instans.",
        DETAIL_ID[413],
    ),
    ProblemType(
        "uri-too-long",
        414,
        "Alamat permintaan terlalu panjang",
        "Path dan query permintaan lebih panjang dari batas yang diterima layanan.",
        "Parameter pencarian yang sangat panjang atau kursor yang rusak.",
        "Perpendek parameter pencarian; gunakan kursor next_cursor apa adanya.",
        DETAIL_ID[414],
    ),
    ProblemType(
        "unsupported-media-type",
        415,
        "Jenis isi tidak didukung",
        "Header Content-Type permintaan tidak sesuai dengan yang diterima alamat ini.",
        "Isi JSON dikirim tanpa Content-Type: application/json atau dengan charset selain UTF-8, atau "
        "berkas dikirim tanpa multipart/form-data.",
        "Kirim dengan Content-Type yang tepat, misalnya application/json untuk dokumen dan penilaian.",
        "Isi permintaan harus berjenis application/json.",
    ),
    ProblemType(
        "locked",
        423,
        "Terkunci",
        "Terlalu banyak percobaan yang gagal: tautan atau akun dikunci.",
        "Frasa sandi atau kode verifikasi salah berulang kali, atau kata sandi arsiparis salah berulang "
        "kali.",
        "Tunggu hingga kunci berakhir, atau mintalah pengelola kepegawaian menerbitkan tautan baru.",
        "Tautan terkunci setelah 5 kali frasa sandi salah.",
    ),
    ProblemType(
        "rate-limited",
        429,
        "Terlalu banyak permintaan",
        "Terlalu banyak permintaan atau percobaan gagal dari satu alamat dalam waktu singkat.",
        "Klien mengirim permintaan terlalu cepat, atau percobaan yang gagal berulang.",
        "Tunggu sebanyak detik pada header Retry-After sebelum mencoba lagi.",
        DETAIL_ID[429],
    ),
    ProblemType(
        "wrong-passphrase",
        422,
        "Frasa sandi atau kode salah",
        "Frasa sandi tidak membuka kunci tanda tangan, atau kode verifikasi salah; attempts_left menyebut "
        "sisa percobaan sebelum tautan dikunci.",
        "Penanda tangan salah mengetik frasa sandi atau kode verifikasi.",
        "Ketik ulang dengan teliti. Setelah percobaan habis, tautan dikunci (lihat locked).",
        "Frasa sandi salah.",
        contoh_extra={"attempts_left": 4},
    ),
    ProblemType(
        "uploaded-key-refused",
        422,
        "Berkas .p12 tidak dapat dipakai",
        "Berkas .p12 yang diunggah penanda tangan ditolak.",
        "Berkas rusak, frasa sandinya salah, sertifikatnya bukan atas NIP atau NIK penanda tangan, sudah "
        "kedaluwarsa, atau tidak dipercaya.",
        "Unggah berkas .p12 yang benar dengan frasa sandinya.",
        "Berkas .p12 ditolak: sertifikat sudah kedaluwarsa.",
    ),
    ProblemType(
        "provider-refused",
        422,
        "Penyedia sertifikat tidak dapat dipakai",
        "Penanda tangan tidak dapat menandatangani melalui penyedia sertifikatnya saat ini; tidak ada yang "
        "dicoba.",
        "BSrE: belum terdaftar, tidak ada sertifikat atau sertifikat kedaluwarsa; CSC: sertifikat bukan "
        "miliknya, tidak dipercaya atau dicabut; atau PIN, OTP, passphrase atau TOTP tidak diisi.",
        "Lengkapi rahasia penyedia, atau selesaikan pendaftaran pada penyedia sertifikat.",
        "PIN atau OTP penyedia tanda tangan wajib diisi.",
    ),
    ProblemType(
        "decision-form",
        422,
        "Formulir keputusan tidak dapat dijalankan",
        "Formulir tanda tangan atau penolakan pada halaman penanda tangan tidak dapat dijalankan "
        "sebagaimana diisi.",
        "Pilihan keputusan tidak diisi, alasan penolakan kosong, atau rahasia penyedia tidak diisi.",
        "Perbaiki isian sesuai pesan pada halaman lalu kirim lagi; tautan tetap berlaku.",
        "Pilih tandatangani atau tolak.",
    ),
    ProblemType(
        "internal",
        500,
        "Kesalahan pada layanan",
        "Terjadi kesalahan yang tidak terduga pada layanan. Kejadian ini telah dicatat; jawaban tidak "
        "memuat jejak program.",
        "Kesalahan program atau gangguan pada server.",
        "Coba lagi nanti. Bila berulang, laporkan kepada operator beserta waktu permintaan.",
        DETAIL_ID[500],
    ),
    ProblemType(
        "provider-failed",
        502,
        "Penyedia sertifikat mengembalikan hasil yang ditolak",
        "Penyedia sertifikat luar menjawab dengan hasil yang tidak mau disimpan layanan (misalnya PDF "
        "yang bukan pembaruan bertahap, tanda tangan sebelumnya rusak, atau penanda tangan lain); tidak "
        "ada yang berubah.",
        "Kesalahan pada sisi penyedia sertifikat.",
        "Coba lagi nanti; bila berulang, laporkan kepada operator dan penyedia sertifikat.",
        DETAIL_ID[502],
    ),
    ProblemType(
        "provider-unavailable",
        503,
        "Penyedia sertifikat tidak dapat dihubungi",
        "Penyedia sertifikat luar tidak menjawab tepat waktu atau gagal pada sisinya; tidak ada yang "
        "berubah dan tidak ada yang diulang otomatis.",
        "Gangguan jaringan atau gangguan pada penyedia sertifikat.",
        "Coba lagi beberapa saat kemudian.",
        DETAIL_ID[503],
    ),
    ProblemType(
        "mail-unavailable",
        503,
        "Server e-mail tidak dapat dipakai",
        "Kode verifikasi belum dapat dikirim ke e-mail penanda tangan karena server e-mail tidak "
        "menerimanya; tidak ada yang disimpan.",
        "Gangguan pada server e-mail instans.",
        "Coba lagi beberapa saat kemudian.",
        "Kode verifikasi belum dapat dikirim ke e-mail Anda karena server e-mail sedang bermasalah.",
    ),
    ProblemType(
        "service-unavailable",
        503,
        "Layanan tidak tersedia",
        "Layanan sementara tidak dapat melayani permintaan ini.",
        "Pemeliharaan atau beban berlebih.",
        "Coba lagi beberapa saat kemudian; hormati header Retry-After bila ada.",
        "Layanan sementara tidak tersedia; coba lagi nanti.",
    ),
    ProblemType(
        "http-error",
        416,
        "Kesalahan HTTP lain",
        "Permintaan ditolak pada tingkat HTTP dengan status yang tidak memiliki jenis masalah sendiri; "
        "status dan detail jawaban menjelaskannya.",
        "Misalnya header yang tidak dapat dipenuhi (406) atau rentang unduhan yang tidak ada (416).",
        "Baca status dan detail jawaban, lalu perbaiki permintaan.",
        "Rentang unduhan yang diminta tidak ada pada berkas ini.",
        beragam=True,
    ),
)

#: The kind of a problem Flask or Werkzeug raised by itself, by status; any other status: ``http-error``.
_BY_STATUS: Mapping[int, str] = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    410: "gone",
    413: "too-large",
    414: "uri-too-long",
    415: "unsupported-media-type",
    422: "validation",
    423: "locked",
    429: "rate-limited",
    500: "internal",
    502: "provider-failed",
    503: "service-unavailable",
}
_OTHER = "http-error"


def slug_for(status: int, slug: str | None = None) -> str:
    """The kind of a problem: ``slug`` when it is known and of this status, else the status's own."""
    if slug is not None and slug in PROBLEM_TYPES and PROBLEM_TYPES[slug].status == status:
        return slug
    return _BY_STATUS.get(status, _OTHER)


def type_uri(slug: str) -> str:
    """``<base url>/problems/<slug>``: the problem's ``type``, a page that describes it."""
    services = current_app.extensions.get("skp")
    if services is not None:
        return str(services.urls.problem(slug))
    return f"{request.url_root.rstrip('/')}/problems/{slug}"  # before the services were built


def problem(
    status: int,
    detail: str | None = None,
    *,
    errors: Sequence[FieldError] = (),
    slug: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> Response:
    """An ``application/problem+json`` response (RFC 9457); ``title`` is the English status phrase,
    ``type`` the page of the problem's kind (``slug``, or the status's own kind when not given).
    """
    return _answer(Problem(status, detail or "", list(errors), slug, headers or {}, extra))


def _answer(found: Problem) -> Response:
    body = found.body(type_uri(slug_for(found.status, found.slug)))
    response = Response(json.dumps(body), status=found.status, mimetype=PROBLEM_JSON)
    for name, value in found.headers.items():
        response.headers[name] = value
    return response


def _handle_known(error: ServiceError | ValidationError | ScoringError) -> Response:
    """A service error, a schema rule or a scoring rule (:func:`service.problem_details.describe`)."""
    return _answer(describe(error))


def _handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    headers = {k: v for k, v in error.get_headers() if k.lower() not in ("content-type",)}
    headers.pop("Content-Length", None)
    return problem(status, DETAIL_ID.get(status, error.description), headers=headers)


def _handle_unexpected(error: Exception) -> Response:
    log.exception("Unhandled error", exc_info=error)
    return problem(500, slug="internal")


def init_app(app: Flask) -> None:
    """Register the handlers: no error leaves the service as HTML or with a stack trace."""
    app.register_error_handler(ServiceError, _handle_known)
    app.register_error_handler(ValidationError, _handle_known)
    app.register_error_handler(ScoringError, _handle_known)
    app.register_error_handler(HTTPException, _handle_http_exception)
    app.register_error_handler(Exception, _handle_unexpected)
