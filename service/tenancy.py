"""Tenancy: which instansi an API client or an archivist serves, and what that lets them see.

Pure values, no database: an account's grants become a :class:`Caller`, and every operation that
reads or changes a document asks the caller first. A document belongs to the ``instansi`` of its
payload; names are compared case- and space-insensitively (:func:`instansi_key`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from service.scoring.vocabulary import CONFIDENTIAL_TYPES

__all__ = ["Caller", "Owned", "Tenancy", "instansi_key", "instansi_names"]


def instansi_key(name: str) -> str:
    """The form an instansi name is compared in: case-folded, runs of white space made one space."""
    return " ".join(name.split()).casefold()


def instansi_names(names: Iterable[str]) -> list[str]:
    """The names an account is granted: trimmed, once per :func:`instansi_key`, at most 300 characters.

    :raises ValueError: a name is too long (it could never match a document's instansi).
    """
    kept: dict[str, str] = {}
    for name in names:
        clean = " ".join(name.split())
        if len(clean) > 300:
            raise ValueError(f"instansi name longer than 300 characters: {clean[:40]}…")
        if clean:
            kept.setdefault(instansi_key(clean), clean)
    return list(kept.values())


@dataclass(frozen=True)
class Tenancy:
    """The instansi an account serves: ``None`` for every instansi (an operator account)."""

    keys: frozenset[str] | None

    @classmethod
    def every(cls) -> Tenancy:
        """An operator's tenancy: every instansi."""
        return cls(keys=None)

    @classmethod
    def of(cls, names: Iterable[str]) -> Tenancy:
        """The tenancy of the named instansi (at least one)."""
        keys = frozenset(instansi_key(name) for name in names if name.strip())
        if not keys:
            raise ValueError("a tenancy names at least one instansi")
        return cls(keys=keys)

    def allows(self, key: str) -> bool:
        """Whether the instansi of ``key`` (an :func:`instansi_key`) is served."""
        return self.keys is None or key in self.keys


class Owned(Protocol):
    """What visibility needs of a document: its instansi and the client that created it."""

    @property
    def instansi_key(self) -> str:
        """The :func:`instansi_key` of the document's instansi."""

    @property
    def client_id(self) -> int:
        """The API client that created the document."""

    @property
    def type(self) -> str:
        """The document type (a konseling record is confidential)."""

    @property
    def id(self) -> str:
        """The document's id (a verification code opens its own document, confidential or not)."""


@dataclass(frozen=True)
class Caller:
    """Who asks, and what they may see and change.

    An API client (``client_id`` set) reads its own documents, and with ``archive`` every document of
    its tenancy; it changes only its own. An archivist (``client_id=None``) reads every document of
    its tenancy and changes none through this service's API. A confidential document (a konseling
    record) is read only by the client that sent it and by callers granted ``konseling`` (an
    archivist with the permission, the operator), never through ``archive`` alone.
    """

    actor: str
    tenancy: Tenancy
    client_id: int | None = None
    archive: bool = False
    konseling: bool = False
    #: The one document a verification code's holder reads whatever its type.
    holder: str | None = None

    @classmethod
    def operator(cls, actor: str) -> Caller:
        """The instance's operator (the CLI): reads every document, owns none."""
        return cls(actor=actor, tenancy=Tenancy.every(), konseling=True)

    @classmethod
    def holder_of(cls, document: Owned, actor: str) -> Caller:
        """Whoever holds a document's verification code: sees that document's instansi only, and of
        its confidential records that document alone (the code is printed on it).
        """
        return cls(actor=actor, tenancy=Tenancy(keys=frozenset({document.instansi_key})), holder=document.id)

    def may_read(self, document: Owned) -> bool:
        """Whether the document is shown at all (anything else answers 404)."""
        if not self.tenancy.allows(document.instansi_key):
            return False
        if document.client_id == self.client_id:
            return True
        if document.type in CONFIDENTIAL_TYPES and not self.konseling and document.id != self.holder:
            return False
        return self.client_id is None or self.archive

    def owns(self, document: Owned) -> bool:
        """Whether the caller created the document: only then may it change it or see live links."""
        return self.client_id is not None and document.client_id == self.client_id
