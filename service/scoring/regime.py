"""Which regulation scores a period (rules.md §1).

The regime follows ``periode.mulai``. A period that straddles 2021-07-01 has no regime: the 2021
transition is two documents (January–June under PP 46/2011, July–December under PermenPANRB 8/2021),
and their mean is the annual value (rules.md §5). Standard library and :mod:`.vocabulary` only.
"""

from __future__ import annotations

from datetime import date

from service.scoring.vocabulary import (
    PERMENPANRB_6_2022,
    PERMENPANRB_8_2021,
    PP46_2011,
    REGIME_IDS,
    REGIME_LABEL,
)

__all__ = [
    "AWAL_PERMENPANRB_6_2022",
    "AWAL_PERMENPANRB_8_2021",
    "PERMENPANRB_6_2022",
    "PERMENPANRB_8_2021",
    "PP46_2011",
    "REGIMES",
    "REGIME_LABELS",
    "PeriodeError",
    "PeriodeTransisiError",
    "regime_fits_period",
    "regime_for_date",
    "regime_for_period",
]

#: Regime ids, oldest first (:data:`~service.scoring.vocabulary.REGIME_IDS`).
REGIMES = REGIME_IDS

#: The law behind each regime id (:data:`~service.scoring.vocabulary.REGIME_LABEL`).
REGIME_LABELS = REGIME_LABEL

#: First day of a period scored under PermenPANRB 8/2021.
AWAL_PERMENPANRB_8_2021 = date(2021, 7, 1)

#: First day of a period scored under PermenPANRB 6/2022.
AWAL_PERMENPANRB_6_2022 = date(2022, 1, 1)


class PeriodeError(ValueError):
    """No regime can be chosen for a period; ``message`` is Indonesian, for the ``periode`` field."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PeriodeTransisiError(PeriodeError):
    """The period straddles 2021-07-01 and must be split into two documents (rules.md §1)."""


def regime_for_date(mulai: date) -> str:
    """The regime of a period that starts on ``mulai``."""
    if mulai < AWAL_PERMENPANRB_8_2021:
        return PP46_2011
    if mulai < AWAL_PERMENPANRB_6_2022:
        return PERMENPANRB_8_2021
    return PERMENPANRB_6_2022


def regime_for_period(mulai: date, selesai: date) -> str:
    """The regime of the period ``mulai`` … ``selesai`` (both inclusive), chosen by ``mulai``.

    :raises PeriodeTransisiError: the period straddles 2021-07-01.
    :raises PeriodeError: ``selesai`` is before ``mulai``.
    """
    if selesai < mulai:
        raise PeriodeError("tanggal selesai tidak boleh sebelum tanggal mulai")
    if mulai < AWAL_PERMENPANRB_8_2021 <= selesai:
        raise PeriodeTransisiError(
            "periode melintasi 1 Juli 2021; buat dua dokumen: Januari–Juni (pp46_2011) dan "
            "Juli–Desember (permenpanrb_8_2021)"
        )
    return regime_for_date(mulai)


def regime_fits_period(regime: str, mulai: date, selesai: date) -> bool:
    """Whether ``regime`` is the one :func:`regime_for_period` chooses; ``False`` for any refused period."""
    try:
        return regime_for_period(mulai, selesai) == regime
    except PeriodeError:
        return False
