"""POST /api/v1/scores and /api/v1/units/check as api.md shapes them, over real HTTP handling."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from service.scoring.vocabulary import COACHING_TYPES
from tests.conftest import EXAMPLES, load_example

ALLOWED_PREDIKAT = {
    "pp46_2011": {"sangat_baik", "baik", "cukup", "kurang", "buruk"},
    "permenpanrb_8_2021": {"sangat_baik", "baik", "cukup", "kurang", "sangat_kurang"},
    "permenpanrb_6_2022": {
        "sangat_baik",
        "baik",
        "butuh_perbaikan",
        "kurang_misconduct",
        "sangat_kurang",
    },
}


@pytest.mark.parametrize("name", sorted(p.stem for p in Path(EXAMPLES).glob("*.json")))
def test_every_example_scores(client: FlaskClient, auth: dict[str, str], name: str) -> None:
    payload = load_example(name)
    response = client.post("/api/v1/scores", json=payload, headers=auth)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.json
    assert body is not None
    assert body["regime"] in ALLOWED_PREDIKAT
    assert body["regime"] == payload.get("regime", body["regime"])
    hasil = body["hasil"]
    assert isinstance(hasil, dict)
    # A bimbingan or konseling record computes nothing; every other type does.
    assert bool(hasil) is (payload["type"] not in COACHING_TYPES)
    if payload["type"] in ("evaluasi", "dokumen_penilaian"):
        final = hasil.get("predikat", hasil.get("sebutan"))
        assert final in ALLOWED_PREDIKAT[body["regime"]]
        assert hasil.get("predikat_label", hasil.get("sebutan_label"))


def _pp46_hand_payload() -> dict[str, Any]:
    payload = load_example("pp46_2011_evaluasi")
    payload["pegawai"]["jenis_jabatan"] = "pelaksana"
    for key in ("pangkat", "golongan"):
        payload["pegawai"][key] = load_example("pp46_2011_evaluasi")["pegawai"][key]
    payload["skp"] = {
        "kegiatan": [
            {
                "uraian": "Menyusun laporan kepegawaian bulanan",
                "target": {
                    "kuantitas": 12,
                    "output": "laporan",
                    "kualitas": 100,
                    "waktu": 12,
                    "satuan_waktu": "bulan",
                },
                "realisasi": {"kuantitas": 12, "kualitas": 90, "waktu": 12},
            },
            {
                "uraian": "Memverifikasi usulan kenaikan pangkat",
                "target": {
                    "kuantitas": 10,
                    "output": "berkas",
                    "kualitas": 100,
                    "waktu": 12,
                    "satuan_waktu": "bulan",
                },
                "realisasi": {"kuantitas": 8, "kualitas": 100, "waktu": 9},
            },
        ],
        "tugas_tambahan": ["Panitia seleksi CPNS", "Tim penyusun SOP"],
        "kreativitas": [],
    }
    payload["perilaku_kerja"] = {
        "orientasi_pelayanan": 80,
        "integritas": 85,
        "komitmen": 90,
        "disiplin": 75,
        "kerja_sama": 70,
    }
    return payload


def test_pp46_arithmetic_over_http(client: FlaskClient, auth: dict[str, str]) -> None:
    response = client.post("/api/v1/scores", json=_pp46_hand_payload(), headers=auth)
    assert response.status_code == 200, response.get_data(as_text=True)
    hasil = response.json["hasil"]  # type: ignore[index]
    k1, k2 = hasil["kegiatan"]
    # Kegiatan 1: kuantitas 12/12*100 = 100; kualitas 90/100*100 = 90; waktu R = T → 76.
    assert Decimal(str(k1["kuantitas"])) == 100
    assert Decimal(str(k1["kualitas"])) == 90
    assert Decimal(str(k1["waktu"])) == 76
    assert k1["biaya"] is None
    # penghitungan 266; nilai capaian 266 / 3 = 88.666… → 88.67 (half-up)
    assert Decimal(str(k1["penghitungan"])) == 266
    assert Decimal(str(k1["nilai_capaian"])) == Decimal("88.67")
    # Kegiatan 2: kuantitas 8/10*100 = 80; kualitas 100; waktu 9 of 12: E = 100 - 75 = 25 > 24,
    # so 76 - (((1.76*12 - 9)/12*100) - 100) = 76 - (101 - 100) = 75.
    assert Decimal(str(k2["kuantitas"])) == 80
    assert Decimal(str(k2["waktu"])) == 75
    assert Decimal(str(k2["nilai_capaian"])) == 85
    # Nilai SKP = (88.666… + 85) / 2 + 1 (two tugas tambahan) = 87.8333… → 87.83
    assert hasil["tugas_tambahan"]["nilai"] == 1
    assert Decimal(str(hasil["nilai_skp"])) == Decimal("87.83")
    # Perilaku (pelaksana, 5 aspects): 80+85+90+75+70 = 400; rata-rata 400/5 = 80
    assert Decimal(str(hasil["perilaku_kerja"]["jumlah"])) == 400
    assert Decimal(str(hasil["perilaku_kerja"]["rata_rata"])) == 80
    # Nilai prestasi kerja = 60 % × 87.8333… + 40 % × 80 = 52.70 + 32 = 84.70 → Baik (> 75, ≤ 90)
    assert Decimal(str(hasil["nilai_prestasi_kerja"])) == Decimal("84.70")
    assert hasil["sebutan"] == "baik"


def test_kepemimpinan_for_pelaksana_is_422_naming_the_field(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    payload = _pp46_hand_payload()
    payload["perilaku_kerja"]["kepemimpinan"] = 80
    response = client.post("/api/v1/scores", json=payload, headers=auth)
    assert response.status_code == 422
    fields = [e["field"] for e in response.json["errors"]]  # type: ignore[index]
    assert "perilaku_kerja.kepemimpinan" in fields


def test_unit_check_6_2022_distribution_and_ranking(client: FlaskClient, auth: dict[str, str]) -> None:
    # capaian organisasi "butuh_perbaikan" wants ≥ 60 % butuh_perbaikan and sangat_baik ≤ 10 %:
    # 2 of 5 sangat_baik = 40 % and 1 of 5 butuh_perbaikan = 20 % break both rules.
    pegawai = [
        {"nip": "198503152010011001", "predikat": "sangat_baik"},
        {"nip": "198703202011012002", "predikat": "sangat_baik"},
        {"nip": "199001012015031003", "predikat": "baik"},
        {"nip": "199205102018012004", "predikat": "baik"},
        {"nip": "199310202019031005", "predikat": "butuh_perbaikan"},
    ]
    body = {"regime": "permenpanrb_6_2022", "capaian_organisasi": "butuh_perbaikan", "pegawai": pegawai}
    response = client.post("/api/v1/units/check", json=body, headers=auth)
    assert response.status_code == 200, response.get_data(as_text=True)
    result = response.json
    assert result is not None
    assert result["distribusi"]["sangat_baik"]["jumlah"] == 2
    assert Decimal(str(result["distribusi"]["sangat_baik"]["persen"])) == 40
    assert Decimal(str(result["distribusi"]["butuh_perbaikan"]["persen"])) == 20
    assert len(result["warnings"]) >= 2
    assert all(w["pesan"] and w["aturan"] for w in result["warnings"])
    ranks = {r["nip"]: r["peringkat"] for r in result["peringkat"]}
    assert ranks["198503152010011001"] < ranks["199001012015031003"] < ranks["199310202019031005"]


def test_unit_check_fitting_unit_has_no_warnings(client: FlaskClient, auth: dict[str, str]) -> None:
    # 8/2021: 1 of 10 sangat baik (10 % ≤ 20 %), 7 baik (70 %, within 60–70 %), 2 below (20 % ≤ 20 %).
    predikat = ["sangat_baik"] + ["baik"] * 7 + ["cukup", "kurang"]
    pegawai = [
        {"nip": f"1990010120150310{i:02d}", "predikat": p, "nilai": 100 - i}
        for i, p in enumerate(predikat, start=1)
    ]
    response = client.post(
        "/api/v1/units/check",
        json={"regime": "permenpanrb_8_2021", "pegawai": pegawai},
        headers=auth,
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["warnings"] == []  # type: ignore[index]
    first = response.json["peringkat"][0]  # type: ignore[index]
    assert first["peringkat"] == 1
    assert first["nip"] == "199001012015031001"
