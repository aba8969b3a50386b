"""Configuration: defaults, instance file, SKP_* overrides, validation at start."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest

from service import create_app
from service.config import ConfigError, write_instance_config


def test_first_start_writes_instance_config_with_random_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SKP_INSTANCE_PATH", str(tmp_path / "inst"))
    app = create_app()
    config_file = tmp_path / "inst" / "config.py"
    assert config_file.exists()
    assert stat.S_IMODE(config_file.stat().st_mode) == 0o600
    assert len(app.config["SECRET_KEY"]) >= 32
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'inst' / 'skp.sqlite3'}"
    other = tmp_path / "other"
    write_instance_config(str(other))
    assert (other / "config.py").read_text() != config_file.read_text()


def test_instance_config_is_never_overwritten(tmp_path: Path) -> None:
    first = write_instance_config(str(tmp_path))
    assert first is not None
    before = first.read_text()
    assert write_instance_config(str(tmp_path)) is None
    assert first.read_text() == before


def test_environment_overrides_instance_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SKP_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SKP_PUBLIC_URL", "https://skp.example.go.id")
    monkeypatch.setenv("SKP_CONVERTER_PROCESSES", "3")
    app = create_app()
    assert app.config["PUBLIC_URL"] == "https://skp.example.go.id"
    assert app.config["CONVERTER_PROCESSES"] == 3


def test_invalid_config_lists_every_problem(app_config: dict[str, Any]) -> None:
    bad = {**app_config, "SECRET_KEY": "short", "DATABASE_URL": "mysql://x", "JOB_RUNNER": "cron"}
    with pytest.raises(ConfigError) as info:
        create_app(bad)
    text = str(info.value)
    assert "SECRET_KEY" in text
    assert "DATABASE_URL" in text
    assert "JOB_RUNNER" in text
    assert len(info.value.problems) == 3


@pytest.mark.parametrize("value", [0, -5, "60", True, None])
def test_lease_and_orphan_grace_must_be_positive_seconds(app_config: dict[str, Any], value: Any) -> None:
    with pytest.raises(ConfigError) as info:
        create_app({**app_config, "JOB_LEASE_SECONDS": value, "FILES_GC_GRACE_SECONDS": value})
    assert info.value.problems == [
        "JOB_LEASE_SECONDS must be a positive number of seconds",
        "FILES_GC_GRACE_SECONDS must be a positive number of seconds",
    ]


def test_lease_and_orphan_grace_reach_the_settings(app_config: dict[str, Any]) -> None:
    from datetime import timedelta

    app = create_app({**app_config, "JOB_LEASE_SECONDS": 4, "FILES_GC_GRACE_SECONDS": 0.5})
    try:
        settings = app.extensions["skp"].settings
        assert (settings.job_lease, settings.files_gc_grace) == (timedelta(seconds=4), timedelta(seconds=0.5))
        assert app.extensions["skp"].leases.ttl == timedelta(seconds=4)
    finally:
        app.extensions["skp"].close()
        app.extensions["skp.engine"].dispose()


def test_mengetahui_forms_is_off_by_default_and_read_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SKP_INSTANCE_PATH", str(tmp_path))
    app = create_app()
    try:
        assert app.extensions["skp"].settings.mengetahui_forms == frozenset()
    finally:
        app.extensions["skp"].close()
        app.extensions["skp.engine"].dispose()
    monkeypatch.setenv("SKP_MENGETAHUI_FORMS", "pp46_2011/evaluasi, permenpanrb_6_2022/dokumen_penilaian")
    app = create_app()
    try:
        assert app.extensions["skp"].settings.mengetahui_forms == {
            "pp46_2011/evaluasi",
            "permenpanrb_6_2022/dokumen_penilaian",
        }
    finally:
        app.extensions["skp"].close()
        app.extensions["skp.engine"].dispose()


# A unit or coaching form has no atasan the payload could name: nothing to add "Mengetahui" to.
@pytest.mark.parametrize("value", ["pp46_2011/manual_iku", "skp", 7, "permenpanrb_6_2022/konseling"])
def test_mengetahui_forms_names_known_forms_only(app_config: dict[str, Any], value: Any) -> None:
    with pytest.raises(ConfigError) as info:
        create_app({**app_config, "MENGETAHUI_FORMS": value})
    [problem] = info.value.problems
    assert problem.startswith("MENGETAHUI_FORMS")
