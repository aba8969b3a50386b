"""The Jinja filters every page uses to show dates, times and events as people read them."""

from __future__ import annotations

from flask import Flask

from service import readable
from service.composition import get_services

__all__ = ["init_app"]


def _waktu(value: object, detik: bool = False) -> str:
    return readable.waktu(value, get_services().settings.timezone, detik=detik)


def init_app(app: Flask) -> None:
    """``tanggal``, ``periode``, ``waktu`` (in the instance's zone, WIB/WITA/WIT), ``peristiwa``
    and the global ``pengganti`` (whom a Plt/Plh replaced), all from :mod:`service.readable`.
    """
    app.jinja_env.filters["tanggal"] = readable.tanggal
    app.jinja_env.filters["periode"] = readable.periode
    app.jinja_env.filters["waktu"] = _waktu
    app.jinja_env.filters["peristiwa"] = readable.peristiwa
    app.jinja_env.globals["pengganti"] = readable.pengganti
