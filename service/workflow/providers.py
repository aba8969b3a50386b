"""Which certificate provider signs for each official, decided once when the document is created.

An identity may name its provider (``sertifikat.penyedia``, api.md "Certificate providers"); without
it the instance default applies. What the provider needs to find the official (BSrE: the NIK; CSC: a
credential id, else the NIK or NIP on the certificate) is kept on the signer, so a document keeps
signing through the provider it was created for even if the instance default changes later.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from service.models import Document, Signer
from service.settings import Settings

__all__ = [
    "FIELD_MAKING_PROVIDERS",
    "Penyedia",
    "apply_penyedia",
    "penerbit_sertifikat",
    "penyedia_of",
    "penyedia_problems",
    "signer_penyedia",
]

#: Providers that sign in a signature field of their own, not one the form reserved: the service
#: keeps the place (``Signer.kotak_json``) and tells them where.
FIELD_MAKING_PROVIDERS = frozenset({"bsre"})
#: How the printed footer names the issuer of a provider's certificates (bsre.md: the UU ITE footer).
PENERBIT = {"bsre": "BSrE"}


@dataclass(frozen=True)
class Penyedia:
    """A signer's provider and how it knows them."""

    kind: str
    #: The NIK BSrE knows the official by (bsre), or that a CSC credential may be found by.
    nik: str | None = None
    #: The CSC credential to use; ``None``: found by the NIK or NIP on its certificate.
    credential_id: str | None = None

    def lookup_ids(self, nip: str) -> tuple[str, ...]:
        """The numbers a certificate of this official may carry in its subject serialNumber."""
        return tuple(n for n in (nip, self.nik) if n)


def penyedia_of(person: Mapping[str, Any], settings: Settings) -> Penyedia:
    """The provider an identity (or a Plt/Plh delegate) names, else the instance default."""
    sertifikat = person.get("sertifikat") or {}
    kind = sertifikat.get("penyedia") or settings.penyedia_default
    nik = sertifikat.get("nik") or person.get("nik")
    return Penyedia(kind=kind, nik=nik, credential_id=sertifikat.get("credential_id"))


def penyedia_problems(
    people: Iterable[tuple[str, Mapping[str, Any]]], settings: Settings
) -> list[dict[str, str]]:
    """Why a signer's provider cannot sign for them here, as 422 errors naming the field.

    :param people: ``(field path, identity)`` of every signer.
    """
    errors: list[dict[str, str]] = []
    for path, person in people:
        chosen = penyedia_of(person, settings)
        named = "sertifikat.penyedia" if (person.get("sertifikat") or {}).get("penyedia") else None
        where = f"{path}.{named}" if named else f"{path}.sertifikat"
        if chosen.kind == "bsre" and settings.bsre is None:
            errors.append({"field": where, "message": "penyedia bsre belum dikonfigurasi pada layanan ini"})
        elif chosen.kind == "csc" and settings.csc is None:
            errors.append({"field": where, "message": "penyedia csc belum dikonfigurasi pada layanan ini"})
        elif chosen.kind == "bsre" and not chosen.nik:
            errors.append(
                {
                    "field": f"{path}.sertifikat.nik",
                    "message": "wajib diisi (atau nik identitas) bila penyedia bsre: BSrE mengenali "
                    "penanda tangan dari NIK-nya",
                }
            )
    return errors


def apply_penyedia(signer: Signer, chosen: Penyedia) -> None:
    """Keep the provider on the signer row."""
    signer.penyedia = chosen.kind
    found = {"nik": chosen.nik, "credential_id": chosen.credential_id}
    signer.sertifikat_json = json.dumps({k: v for k, v in found.items() if v}) or None


def signer_penyedia(signer: Signer) -> Penyedia:
    """The provider kept on the signer row."""
    found = json.loads(signer.sertifikat_json) if signer.sertifikat_json else {}
    return Penyedia(
        kind=signer.penyedia or "instansi", nik=found.get("nik"), credential_id=found.get("credential_id")
    )


def penerbit_sertifikat(document: Document) -> str | None:
    """Who issues the certificates of a provider the printed footer must name, if any signs here
    (agencies print the UU ITE footer on documents signed through BSrE).
    """
    return next((PENERBIT[s.penyedia] for s in document.signers if s.penyedia in PENERBIT), None)
