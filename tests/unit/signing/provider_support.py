"""Fixtures shared by the provider tests: a client for the BSrE contract server (``bsre``, from
``tests.outside.fixtures``), a trust store that includes the outside roots, a document sealed as for a
BSrE signer. Import the ``*_fixture`` functions into a test module to use them (each is registered
under the name without the suffix)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from signing.bsre import BsreAppearance, BsreClient
from signing.pdf import FieldSpec, seal
from signing.signers import Pkcs12Signer
from signing.timestamps import LocalTsa
from signing.trust import TrustStore
from tests.outside.bsre_server import BsreContractServer
from tests.outside.fixtures import BSRE_CLIENT
from tests.outside.servers import OutsideServers
from tests.unit.signing.support import field_specs

CLIENT_ID, CLIENT_SECRET = BSRE_CLIENT
PEGAWAI_FIELD: FieldSpec = field_specs(last_page=1)[0]


@pytest.fixture(name="bsre_sealed_pdf")
def bsre_sealed_pdf_fixture(
    *, unsigned_pdf: bytes, sealer: Pkcs12Signer, tsa: LocalTsa, trust: TrustStore
) -> bytes:
    """The sealed document as the service makes it when an official signs through BSrE: the seal is
    an approval signature, since BSrE adds a visible field of its own, which pyHanko refuses after a
    certification signature (``signing.pdf.seal``'s ``certify``).
    """
    return seal(unsigned_pdf, signer=sealer, timestamper=tsa, trust=trust, certify=False)


@pytest.fixture(name="client")
def client_fixture(bsre: BsreContractServer) -> Iterator[BsreClient]:
    assert bsre.url is not None
    with BsreClient(bsre.url, CLIENT_ID, CLIENT_SECRET, timeout=30, connect_timeout=5) as c:
        yield c


@pytest.fixture(scope="module", name="outside_trust")
def outside_trust_fixture(outside: OutsideServers, trust: TrustStore) -> TrustStore:
    """Instance roots plus the configured outside anchors (bsre, tsp); revocation to be fetched."""
    pki = outside.pki
    return TrustStore(
        roots=(*trust.roots, pki.root("bsre"), pki.root("tsp")), intermediates=trust.intermediates
    )


def field_appearance(spec: FieldSpec = PEGAWAI_FIELD, **extra: object) -> BsreAppearance:
    """An appearance on the pre-created field's box (pages 1-based, origin bottom-left)."""
    x1, y1, x2, y2 = spec.box
    return BsreAppearance(
        page=spec.page + 1,
        x=x1,
        y=y1,
        width=x2 - x1,
        height=y2 - y1,
        **extra,  # type: ignore[arg-type]
    )
