"""Outside PKIs for tests, built with Certomancer: a BSrE-like PSrE, a CSC trust service provider and
a CA nobody trusts.

Keys are generated at test time; the certificates' CRL distribution points and OCSP/AIA URLs point at
``base_url``, where :mod:`tests.outside.servers` serves the Certomancer Animator.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from asn1crypto import x509 as asn1_x509
from certomancer.registry import ArchLabel, CertLabel, CertomancerConfig, PKIArchitecture, ServiceLabel
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

Arch = Literal["bsre", "tsp", "asing"]
ARCHS: tuple[Arch, ...] = ("bsre", "tsp", "asing")
#: Architectures whose root goes into the anchors folder.
TRUSTED_ARCHS: tuple[Arch, ...] = ("bsre", "tsp")

INSTANSI = "Pemerintah Kota Surabaya"


@dataclass(frozen=True)
class Person:
    nama: str
    nip: str
    nik: str
    email: str
    instansi: str


#: The identities of ``examples/permenpanrb_8_2021_dokumen_penilaian.json`` (NIKs invented, Surabaya).
PEOPLE: dict[str, Person] = {
    "pegawai": Person(
        nama="Yohanes Kristianto, S.T.",
        nip="198912052015031002",
        nik="3578010512890002",
        email="yohanes.kristianto@surabaya.go.id",
        instansi=INSTANSI,
    ),
    "pejabat_penilai": Person(
        nama="Dimas Arya Nugraha, S.Kom., M.T.",
        nip="198509232009031003",
        nik="3578062309850003",
        email="dimas.nugraha@surabaya.go.id",
        instansi=INSTANSI,
    ),
    "atasan_pejabat_penilai": Person(
        nama="Ir. Lestari Handayani, M.T.",
        nip="197304152000032004",
        nik="3578135504730004",
        email="lestari.handayani@surabaya.go.id",
        instansi=INSTANSI,
    ),
}

#: Whose identity the ``revoked`` and ``expired`` certificates carry (their own keys, same subject).
REVOKED_PERSON = "pegawai"
EXPIRED_PERSON = "pegawai"
#: Whose identity the untrusted ``asing`` signer certificate carries.
ASING_PERSON = "pejabat_penilai"

REVOKED_SINCE = "2025-06-01T00:00:00+0000"

_CA_VALIDITY = {"valid-from": "2015-01-01T00:00:00+0000", "valid-to": "2045-01-01T00:00:00+0000"}
_SIGNER_VALIDITY = {"valid-from": "2024-01-01T00:00:00+0000", "valid-to": "2030-01-01T00:00:00+0000"}
_EXPIRED_VALIDITY = {"valid-from": "2020-01-01T00:00:00+0000", "valid-to": "2022-01-01T00:00:00+0000"}

_NAMES: dict[Arch, dict[str, str]] = {
    "bsre": {
        "root": "BSrE Uji Root CA",
        "ca": "BSrE Uji CA Kelas 2",
        "ca-ocsp": "BSrE Uji OCSP Responder",
        "tsa": "Timestamp Authority BSrE Uji",
        "org": "Balai Sertifikasi Elektronik (uji)",
    },
    "tsp": {
        "root": "TSP Uji Root CA",
        "ca": "TSP Uji CA",
        "ca-ocsp": "TSP Uji OCSP Responder",
        "tsa": "Timestamp Authority TSP Uji",
        "org": "Penyelenggara Tanda Tangan Elektronik (uji)",
    },
    "asing": {"root": "Asing Root CA", "org": "Otoritas Asing (tidak dipercaya)"},
}


def _person_entity(person: Person, serial: str) -> dict[str, str]:
    return {
        "common-name": person.nama,
        "serial-number": serial,
        "organization-name": person.instansi,
        "country-name": "ID",
    }


def _signer(validity: Mapping[str, str], subject: str) -> dict[str, Any]:
    return {
        "subject": subject,
        "issuer": "ca",
        "validity": dict(validity),
        "profiles": ["digsig-commitment"],
    }


def _hierarchy(arch: Arch, serial_of: str) -> tuple[dict[str, Any], list[str]]:
    """A root, an issuing CA with OCSP and CRLs, a TSA and signers; returns (arch config, key labels)."""
    names = _NAMES[arch]
    entities: dict[str, dict[str, str]] = {
        label: {"common-name": names[label]} for label in ("root", "ca", "ca-ocsp", "tsa")
    }
    certs: dict[str, dict[str, Any]] = {
        "root": {
            "subject": "root",
            "issuer": "root",
            "validity": dict(_CA_VALIDITY),
            "profiles": [{"id": "simple-ca", "params": {"crl-repo": "root"}}],
        },
        "ca": {
            "issuer": "root",
            "validity": dict(_CA_VALIDITY),
            "profiles": [
                {"id": "simple-ca", "params": {"max-path-len": 0, "crl-repo": "ca", "ocsp-service": "ca"}}
            ],
        },
        "ca-ocsp": {"issuer": "ca", "validity": dict(_CA_VALIDITY), "profiles": ["ocsp-responder"]},
        "tsa": {
            "issuer": "root",
            "validity": dict(_CA_VALIDITY),
            "extensions": [
                {
                    "id": "key_usage",
                    "critical": True,
                    "smart-value": {"schema": "key-usage", "params": ["digital_signature"]},
                },
                {"id": "extended_key_usage", "critical": True, "value": ["time_stamping"]},
            ],
        },
    }
    for key, person in PEOPLE.items():
        entities[key] = _person_entity(person, getattr(person, serial_of))
        certs[key] = _signer(_SIGNER_VALIDITY, key)
    certs["revoked"] = _signer(_SIGNER_VALIDITY, REVOKED_PERSON) | {
        "revocation": {"revoked-since": REVOKED_SINCE, "reason": "key_compromise"}
    }
    if arch == "bsre":
        certs["expired"] = _signer(_EXPIRED_VALIDITY, EXPIRED_PERSON)
    for label, spec in certs.items():
        spec.setdefault("subject", label)
        spec["subject-key"] = label
        spec["authority-key"] = "ca" if spec["issuer"] == "ca" else "root"
    config = {
        "keyset": arch,
        "entity-defaults": {"country-name": "ID", "organization-name": names["org"]},
        "entities": entities,
        "certs": certs,
        "services": {
            "ocsp": {"ca": {"for-issuer": "ca", "responder-cert": "ca-ocsp", "signing-key": "ca-ocsp"}},
            "crl-repo": {
                "root": {"for-issuer": "root", "signing-key": "root", "simulated-update-schedule": "P90D"},
                "ca": {"for-issuer": "ca", "signing-key": "ca", "simulated-update-schedule": "P7D"},
            },
            "cert-repo": {
                "root": {"for-issuer": "root", "publish-issued-certs": True},
                "ca": {"for-issuer": "ca", "publish-issued-certs": False},
            },
            "time-stamping": {"tsa": {"signing-key": "tsa", "signing-cert": "tsa"}},
        },
    }
    return config, list(certs)


def _asing() -> tuple[dict[str, Any], list[str]]:
    names = _NAMES["asing"]
    person = PEOPLE[ASING_PERSON]
    config = {
        "keyset": "asing",
        "entity-defaults": {"country-name": "ID", "organization-name": names["org"]},
        "entities": {
            "root": {"common-name": names["root"]},
            ASING_PERSON: _person_entity(person, person.nip),
        },
        "certs": {
            "root": {
                "subject": "root",
                "subject-key": "root",
                "issuer": "root",
                "authority-key": "root",
                "validity": dict(_CA_VALIDITY),
                "profiles": [{"id": "simple-ca", "params": {"crl-repo": "root"}}],
            },
            ASING_PERSON: {
                "subject": ASING_PERSON,
                "subject-key": ASING_PERSON,
                "issuer": "root",
                "authority-key": "root",
                "validity": dict(_SIGNER_VALIDITY),
                "profiles": ["digsig-commitment"],
            },
        },
        "services": {
            "crl-repo": {
                "root": {"for-issuer": "root", "signing-key": "root", "simulated-update-schedule": "P90D"}
            },
        },
    }
    return config, ["root", ASING_PERSON]


def _new_key_pem() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _to_crypto(cert: asn1_x509.Certificate) -> x509.Certificate:
    return x509.load_der_x509_certificate(cert.dump())


@dataclass
class OutsidePki:
    """The three architectures, their keys on disk and the anchors folder (bsre and tsp roots)."""

    config: CertomancerConfig
    directory: Path
    anchors_dir: Path
    base_url: str

    def arch(self, arch: Arch) -> PKIArchitecture:
        return self.config.get_pki_arch(ArchLabel(arch))

    def cert(self, arch: Arch, label: str) -> x509.Certificate:
        return _to_crypto(self.arch(arch).get_cert(CertLabel(label)))

    def key(self, arch: Arch, label: str) -> PrivateKeyTypes:
        pem = (self.directory / "keys" / arch / f"{label}.key.pem").read_bytes()
        return serialization.load_pem_private_key(pem, password=None)

    def chain(self, arch: Arch, label: str) -> tuple[x509.Certificate, ...]:
        """Issuer certificates from the issuing CA up to and including the root."""
        pki_arch = self.arch(arch)
        return tuple(_to_crypto(pki_arch.get_cert(lbl)) for lbl in pki_arch.get_chain(CertLabel(label)))

    def root(self, arch: Arch) -> x509.Certificate:
        return self.cert(arch, "root")

    def p12(self, arch: Arch, label: str, passphrase: bytes) -> bytes:
        data: bytes = self.arch(arch).package_pkcs12(CertLabel(label), password=passphrase)
        return data

    def tsa_url(self, arch: Arch) -> str:
        return str(self.arch(arch).service_registry.get_tsa_info(ServiceLabel("tsa")).url)

    def ocsp_url(self, arch: Arch) -> str:
        return str(self.arch(arch).service_registry.get_ocsp_info(ServiceLabel("ca")).url)

    def crl_url(self, arch: Arch, repo: str) -> str:
        info = self.arch(arch).service_registry.get_crl_repo_info(ServiceLabel(repo))
        return str(info.latest_external_url)

    def signer_labels(self, arch: Arch) -> tuple[str, ...]:
        """Every end-entity label of ``arch`` (people, ``revoked``, ``expired``)."""
        return tuple(
            str(spec.label)
            for _, specs in self.arch(arch).enumerate_certs_by_issuer()
            for spec in specs
            if str(spec.label) not in ("root", "ca", "ca-ocsp", "tsa")
        )


def build_outside_pki(directory: Path, *, base_url: str) -> OutsidePki:
    """Generate keys into ``directory``, build the three architectures and write the anchors folder."""
    base_url = base_url.rstrip("/")
    archs: dict[str, dict[str, Any]] = {}
    keysets: dict[str, dict[str, Any]] = {}
    key_paths: list[Path] = []
    for arch in ARCHS:
        if arch == "asing":
            arch_config, labels = _asing()
        else:
            arch_config, labels = _hierarchy(arch, "nik" if arch == "bsre" else "nip")
        key_dir = directory / "keys" / arch
        key_dir.mkdir(parents=True, exist_ok=True)
        key_paths.extend(key_dir / f"{label}.key.pem" for label in labels)
        archs[arch] = arch_config
        keysets[arch] = {
            "path-prefix": f"keys/{arch}",
            "keys": {label: {"path": f"{label}.key.pem"} for label in labels},
        }
    # Key generation is the slow part of start-up; OpenSSL runs it without the GIL.
    with ThreadPoolExecutor(max_workers=4) as pool:
        for path, pem in zip(key_paths, pool.map(lambda _: _new_key_pem(), key_paths), strict=True):
            path.write_bytes(pem)
    config = CertomancerConfig(
        {"external-url-prefix": base_url, "keysets": keysets, "pki-architectures": archs},
        key_search_dir=str(directory),
        lazy_load_keys=True,
    )
    anchors_dir = directory / "anchors"
    anchors_dir.mkdir(parents=True, exist_ok=True)
    pki = OutsidePki(config=config, directory=directory, anchors_dir=anchors_dir, base_url=base_url)
    for arch in TRUSTED_ARCHS:
        pem = pki.root(arch).public_bytes(serialization.Encoding.PEM)
        (anchors_dir / f"{arch}-root.pem").write_bytes(pem)
    return pki
