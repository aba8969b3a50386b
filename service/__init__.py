"""skp-sign: scores, renders and signs SKP documents for Indonesian civil servants."""

from __future__ import annotations

import logging
import os
from typing import Any

from flask import Flask

__all__ = ["create_app"]


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: config, database, errors, API, pages and CLI, in that order."""
    instance_path = os.environ.get("SKP_INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=os.path.abspath(instance_path) if instance_path else None,
    )
    # Imported here, not at the top: importing any subpackage (``service.scoring`` in a pure test,
    # the Alembic env) runs this file, and must not pull in Flask, the PKI and LibreOffice with it.
    from service import cli, composition, config, db, problems, security
    from service.http import DecimalJSONProvider
    from service.pages import filters as page_filters

    if test_config is None:
        config.write_instance_config(app.instance_path)
    config.load_config(app, test_config)
    app.json = DecimalJSONProvider(app)
    # pyHanko warns on every B-LT signature that fetching is off; the CRLs are handed over on
    # purpose (pitfall P11), so the warning says nothing an operator can act on.
    logging.getLogger("pyhanko.sign.signers.pdf_signer").setLevel(logging.ERROR)

    db.init_app(app)
    composition.init_app(app)
    problems.init_app(app)
    security.init_app(app)
    page_filters.init_app(app)
    cli.init_app(app)

    from service.api import bp as api_bp
    from service.api.openapi import docs_page
    from service.pages.archive import bp as archive_bp
    from service.pages.copies import bp as copies_bp
    from service.pages.inbox import bp as inbox_bp
    from service.pages.problems import bp as problems_bp
    from service.pages.signing import bp as signing_bp
    from service.pages.verify import bp as verify_bp
    from service.public import bp as public_bp

    app.register_blueprint(api_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(signing_bp)
    app.register_blueprint(verify_bp)
    app.register_blueprint(archive_bp)
    app.register_blueprint(copies_bp)
    app.register_blueprint(inbox_bp)
    app.register_blueprint(problems_bp)
    app.add_url_rule("/docs", "docs", docs_page)
    app.add_url_rule("/healthz", "healthz", lambda: {"status": "ok"})
    return app
