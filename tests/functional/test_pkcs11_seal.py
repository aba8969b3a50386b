"""The instance seal from a PKCS#11 token (SoftHSM2): configured, used, and valid."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization

from signing import issue_signer_certificate, load_dev_pki
from tests.conftest import KEY_SECRET
from tests.unit.signing.support import init_softhsm_token, pkcs11_tool

# SoftHSM reads SOFTHSM2_CONF once per process, and a token allows one login per process, so the
# service runs in a child process of its own, with this token only.
CHILD = """
import json, sys
from service import create_app
from service.db import get_session, upgrade_schema
from service.composition import get_services
from service.workflow.revisions import read_revision
from signing import validate
from tests.conftest import RecordingRunner
from tests.functional.support import document, ready_document

app = create_app({**json.loads(sys.argv[1]), "RUNNER": RecordingRunner()})
upgrade_schema(app.extensions["skp.engine"])
document_id = ready_document(app)
with app.app_context():
    doc = document(app, document_id)
    pdf = read_revision(get_session(), get_services().store, doc, doc.current_revision)
    report = validate(pdf, get_services().trust())
    print(json.dumps({"ok": report.ok, "status": doc.status,
                      "signers": [s.signer_name for s in report.signatures],
                      "certification": [s.certification for s in report.signatures]}))
app.extensions["skp"].close()
"""


def test_seal_signs_through_pkcs11_when_configured(
    app_config: dict[str, Any], pki_dir: Path, tmp_path: Path
) -> None:
    token = init_softhsm_token(tmp_path / "hsm", label="skp-segel")
    pkcs11_tool(token, "--keypairgen", "--key-type", "rsa:2048", "--label", "segel", "--id", "01")
    spki = pkcs11_tool(token, "--read-object", "--type", "pubkey", "--label", "segel")
    pki = load_dev_pki(pki_dir, key_passphrase=KEY_SECRET.encode())
    cert = issue_signer_certificate(
        pki,
        public_key=serialization.load_der_public_key(spki),  # type: ignore[arg-type]
        nama="Segel Elektronik HSM Uji",
        nip="000000000000000000",
        jabatan="Segel instansi",
        instansi="Pemerintah Provinsi Uji",
    )
    cert_file = tmp_path / "segel.der"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.DER))
    pkcs11_tool(token, "--write-object", str(cert_file), "--type", "cert", "--label", "segel", "--id", "01")
    config = {key: value for key, value in app_config.items() if isinstance(value, str | int | bool)} | {
        "SEAL_PKCS11_MODULE": "/usr/lib/softhsm/libsofthsm2.so",
        "SEAL_PKCS11_TOKEN": token.label,
        "SEAL_PKCS11_PIN": token.user_pin,
        "SEAL_PKCS11_KEY_LABEL": "segel",
    }
    result = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(config)],
        env={**os.environ, "SOFTHSM2_CONF": str(token.conf), "SKP_INSTANCE_PATH": str(tmp_path / "i")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {
        "ok": True,
        "status": "awaiting_signature",
        "signers": ["Segel Elektronik HSM Uji"],
        "certification": [True],
    }
