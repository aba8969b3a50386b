"""The composition root: the one place that builds the outside parts and the job table.

``init_app`` turns the validated config into :class:`~service.settings.Settings`, builds every
implementation the settings choose, and registers the jobs. Jobs receive
``(session, services, document_id)``; they never look anything up in Flask.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, current_app
from sqlalchemy.orm import Session, sessionmaker

from service.config import ConfigError
from service.documents.gambar import FormImageError
from service.interfaces import JobRunner, Notifier
from service.jobs import CeleryRunner, InProcessRunner
from service.leases import JobLeases, LeasedRunner
from service.outbound import MaildirNotifier, RequestsWebhookSender, SmtpNotifier, SystemClock
from service.services import Services
from service.settings import Settings, settings_from_config
from service.storage import FilesystemStore
from service.workflow.history import history_job
from service.workflow.pipeline import render_job

__all__ = ["JOBS", "get_services", "init_app", "notifier_for"]

#: Every job by name; each takes ``(session, services, document_id)``.
JOBS: Mapping[str, Callable[[Session, Services, str], None]] = {
    "render": render_job,
    "history": history_job,
}


class _Executor:
    """Runs a job by name in a session of its own; bound to the services once they exist."""

    def __init__(self, sessions: sessionmaker[Session], leases: JobLeases) -> None:
        self.sessions = sessions
        self.leases = leases
        self.services: Services | None = None

    def __call__(self, name: str, document_id: str) -> None:
        services = self.services
        if services is None:
            raise RuntimeError("job executor used before the services were built")

        def work() -> None:
            with self.sessions() as session:
                JOBS[name](session, services, document_id)

        # Under the job's lease: renewed while it runs, taken over by a live process if this one dies.
        self.leases.run(name, document_id, work)


def notifier_for(settings: Settings) -> Notifier:
    """SMTP when a server is configured, else the embedded ``.eml`` files in the instance folder."""
    smtp = settings.smtp
    if smtp is None:
        return MaildirNotifier(directory=settings.mail_dir, sender=settings.mail_from)
    return SmtpNotifier(
        host=smtp.host,
        port=smtp.port,
        security=smtp.security,
        username=smtp.username,
        password=smtp.password,
        timeout=smtp.timeout,
        sender=settings.mail_from,
    )


def init_app(app: Flask) -> None:
    """Build :class:`Services` from the config; tests may pass ready objects in."""
    config: Mapping[str, Any] = app.config
    settings = settings_from_config(config)
    sessions: sessionmaker[Session] = app.extensions["skp.db"]
    leases = JobLeases(sessions=sessions, ttl=settings.job_lease)
    executor = _Executor(sessions, leases)
    runner: JobRunner
    if config.get("RUNNER") is not None:
        runner = config["RUNNER"]  # a test's runner, used as given (its jobs are not leased)
    elif settings.job_runner == "celery":
        runner = LeasedRunner(
            CeleryRunner(execute=executor, jobs=JOBS, broker_url=settings.celery_broker_url), leases
        )
    else:
        runner = LeasedRunner(
            InProcessRunner(execute=executor, jobs=JOBS, workers=settings.converter_processes), leases
        )
    services = Services(
        settings=settings,
        sessions=sessions,
        store=config.get("STORE") or FilesystemStore(root=settings.files_dir),
        runner=runner,
        leases=leases,
        clock=SystemClock(),
        webhooks=RequestsWebhookSender(egress=settings.webhook_egress),
        notifier=notifier_for(settings),
    )
    if config.get("CONVERTER") is not None:
        services._converter = config["CONVERTER"]
    try:
        services.form_images()  # a broken letterhead or Garuda file stops the start, not a render
    except FormImageError as error:
        raise ConfigError([f"LAMBANG_IMAGE/KOP_IMAGE: {error}"]) from None
    executor.services = services
    app.extensions["skp"] = services


def get_services() -> Services:
    """The services of the current app (web layer and CLI only)."""
    services: Services = current_app.extensions["skp"]
    return services
