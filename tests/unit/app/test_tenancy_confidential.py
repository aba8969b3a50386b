"""Who reads a confidential record (a konseling): :meth:`Caller.may_read`, pure values."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from service.tenancy import Caller, Tenancy, instansi_key

BANYUMAS = instansi_key("Pemerintah Kabupaten Banyumas")


@dataclass(frozen=True)
class Doc:
    id: str
    type: str
    client_id: int = 1
    instansi_key: str = BANYUMAS


KONSELING = Doc("doc_k", "konseling")
EVALUASI = Doc("doc_e", "evaluasi")
HERE = Tenancy(keys=frozenset({BANYUMAS}))


@pytest.mark.parametrize(
    ("caller", "konseling", "evaluasi"),
    [
        (Caller(actor="client:hr", tenancy=HERE, client_id=1), True, True),  # the client that sent it
        (Caller(actor="client:lain", tenancy=HERE, client_id=2, archive=True), False, True),
        (Caller(actor="user:arsip", tenancy=HERE), False, True),
        (Caller(actor="user:arsip-k", tenancy=HERE, konseling=True), True, True),
        (
            Caller(actor="user:lain", tenancy=Tenancy(keys=frozenset({"kota lain"})), konseling=True),
            False,
            False,
        ),
        (Caller.operator("cli"), True, True),
    ],
)
def test_a_konseling_record_only_for_its_client_and_the_permission(
    caller: Caller, konseling: bool, evaluasi: bool
) -> None:
    assert caller.may_read(KONSELING) is konseling
    assert caller.may_read(EVALUASI) is evaluasi


def test_a_verification_codes_holder_reads_that_record_and_no_other_confidential_one() -> None:
    other = Doc("doc_k2", "konseling")
    holder = Caller.holder_of(KONSELING, "public")
    assert holder.may_read(KONSELING)
    assert not holder.may_read(other)
    assert holder.may_read(EVALUASI)  # the instansi's others, as before (a verified upload names them)
    assert not Caller.holder_of(EVALUASI, "public").may_read(KONSELING)
