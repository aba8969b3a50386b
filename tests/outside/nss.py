"""pdfsig with outside roots: an NSS database trusting given root certificates."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from tests.unit.signing.support import make_nss_db


def nss_db(directory: Path, roots: Iterable[x509.Certificate]) -> Path:
    """An NSS database in ``directory`` trusting ``roots`` as CAs; pass ``f"sql:{path}"`` to pdfsig."""
    directory.mkdir(parents=True, exist_ok=True)
    pems: list[Path] = []
    for i, root in enumerate(roots):
        pem = directory / f"root-{i}.pem"
        pem.write_bytes(root.public_bytes(serialization.Encoding.PEM))
        pems.append(pem)
    if not pems:
        raise ValueError("nss_db needs at least one root")
    make_nss_db(directory / "db", *pems)
    return directory / "db"
