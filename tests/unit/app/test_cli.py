"""Operator commands: init, templates check, audit verify, verify."""

from __future__ import annotations

import zipfile
from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner

from tests.functional.support import document, ready_document


def test_init_creates_schema_and_is_repeatable(runner: FlaskCliRunner) -> None:
    first = runner.invoke(args=["skp", "init"])
    assert first.exit_code == 0, first.output
    assert "Database ready" in first.output
    again = runner.invoke(args=["skp", "init"])
    assert again.exit_code == 0, again.output


def test_templates_check_passes_on_packaged_and_finds_a_broken_override(
    app: Flask, runner: FlaskCliRunner
) -> None:
    clean = runner.invoke(args=["skp", "templates", "check"])
    assert clean.exit_code == 0, clean.output
    assert "0 problem(s)" in clean.output
    packaged = Path(__file__).resolve().parents[3] / "form_templates" / "pp46_2011" / "skp.docx"
    override = Path(app.config["INSTANCE_TEMPLATES_DIR"]) / "pp46_2011" / "skp.docx"
    override.parent.mkdir(parents=True)
    with zipfile.ZipFile(packaged) as source, zipfile.ZipFile(override, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.replace(b"</w:body>", b"<w:p><w:r><w:t>{{ broken.</w:t></w:r></w:p></w:body>")
            target.writestr(item, data)
    broken = runner.invoke(args=["skp", "templates", "check"])
    assert broken.exit_code == 1
    assert "pp46_2011/skp.docx" in broken.output


def test_verify_command_reports_a_sealed_document(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    from service.composition import get_services
    from service.db import get_session
    from service.workflow.revisions import read_revision

    document_id = ready_document(app)
    with app.app_context():
        doc = document(app, document_id)
        pdf = read_revision(get_session(), get_services().store, doc, doc.current_revision)
    path = tmp_path / "sealed.pdf"
    path.write_bytes(pdf)
    result = runner.invoke(args=["skp", "verify", str(path)])
    assert result.exit_code == 0, result.output
    assert '"issued_by_service": true' in result.output
    assert f'"document_id": "{document_id}"' in result.output
    path.write_bytes(b"not a pdf")
    refused = runner.invoke(args=["skp", "verify", str(path)])
    assert refused.exit_code != 0
