"""``flask --app service skp …``: operator commands. They call operations, never raw SQL."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from service.audit import verify_chain
from service.clients import (
    DEFAULT_GRACE,
    DEFAULT_SCOPES,
    SCOPES,
    NewClient,
    client_named,
    create_client,
    rotate_key,
    rotate_webhook_secret,
    set_webhook_ca,
)
from service.composition import get_services
from service.db import get_session, upgrade_schema
from service.documents.templates_check import check_templates
from service.errors import ServiceError
from service.jobs import CeleryRunner
from service.leases import LeasedRunner
from service.models import ApiClient, AuditEvent
from service.tenancy import Caller, Tenancy
from service.users import change_password, create_user, set_konseling, unlock_user
from service.workflow.batches import BatchFeeder
from service.workflow.mail import MailDispatcher, deliver_mail, sweep_reminders
from service.workflow.pipeline import PACKAGED_TEMPLATES
from service.workflow.recovery import Housekeeper, collect_orphan_files
from service.workflow.verification import verify_pdf
from service.workflow.webhooks import Dispatcher, deliver_due
from signing import create_dev_pki

__all__ = ["init_app", "skp"]

skp = AppGroup("skp", help="skp-sign operator commands.")


@skp.command("init")
def init_command() -> None:
    """Create or upgrade the database schema and the instance folders."""
    settings = get_services().settings
    for directory in (settings.files_dir, settings.instance_templates_dir):
        directory.mkdir(parents=True, exist_ok=True)
    upgrade_schema(current_app.extensions["skp.engine"])
    click.echo(f"Database ready: {_safe_url(settings.database_url)}")
    pki_dir = settings.pki_dir
    if not (pki_dir / "pki.json").exists():
        create_dev_pki(
            pki_dir,
            organisation=settings.pki_organisation,
            key_passphrase=settings.key_encryption_secret.encode(),
            crl_base_url=settings.urls.pki(),
            ocsp_url=f"{settings.urls.pki()}/ocsp",
        )
        click.echo(f"Development CA and timestamp authority created in {pki_dir}")
    else:
        click.echo(f"PKI: {pki_dir}")
    click.echo(f"Instance folder: {current_app.instance_path}")


def _safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


clients = AppGroup("clients", help="API clients (HR systems).")
skp.add_command(clients)


@clients.command("create")
@click.argument("name")
@click.option(
    "--scopes",
    default=",".join(DEFAULT_SCOPES),
    show_default=True,
    help=f"Comma- or space-separated scopes, of: {', '.join(SCOPES)}.",
)
@click.option(
    "--instansi",
    multiple=True,
    help="An instansi the client serves (repeatable); without it the client serves every instansi.",
)
@click.option(
    "--replace",
    is_flag=True,
    help="Keep the live client of this name (documents, Idempotency-Keys, webhook secret) with these "
    "scopes and instansi, and revoke its keys at once for a new one (`rotate-key` has no downtime).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (key, webhook secret, …).")
def clients_create(name: str, scopes: str, instansi: tuple[str, ...], replace: bool, as_json: bool) -> None:
    """Create an API client. Its key and webhook secret are shown once: keep both.

    Without --json the key is printed alone on the last line (`| tail -n 1` gives the key; the
    webhook secret is on the line before it).
    """
    scope_list = [s for s in scopes.replace(",", " ").split() if s]
    try:
        new = create_client(get_session(), name, scope_list, instansi=instansi, replace=replace)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None
    if as_json:
        click.echo(json.dumps(new.as_json(), ensure_ascii=False))
        return
    click.echo(f"Client {new.client.name!r} created with scopes: {new.client.scopes}")
    click.echo(f"Instansi: {_served(new.client.tenancy, new.client.instansi_json)}")
    _print_key(new)


def _print_key(new: NewClient) -> None:
    click.echo(f"Webhook secret (X-SKP-Signature, keep it): {new.client.webhook_secret}")
    click.echo(new.api_key)


_GRACE_HOURS = click.option(
    "--grace-hours",
    type=click.IntRange(0, 168),
    default=int(DEFAULT_GRACE.total_seconds() // 3600),
    show_default=True,
    help="How long the old one keeps working beside the new one.",
)


@clients.command("rotate-key")
@click.argument("name")
@_GRACE_HOURS
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def clients_rotate_key(name: str, grace_hours: int, as_json: bool) -> None:
    """A new API key for NAME; its other keys keep working for the grace period, then stop.

    Documents and Idempotency-Keys belong to the client, not to the key: a retry sent with the new
    key finds the document its first attempt made.
    """
    try:
        new = rotate_key(get_session(), name, grace=timedelta(hours=grace_hours))
    except (LookupError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps(new.as_json(), ensure_ascii=False))
        return
    click.echo(f"Old keys of {name!r} keep working for {grace_hours} h.")
    click.echo(new.api_key)


def _client(name: str) -> ApiClient:
    try:
        return client_named(get_session(), name)
    except LookupError as error:
        raise click.ClickException(str(error)) from None


@clients.command("rotate-secret")
@click.argument("name")
@_GRACE_HOURS
def clients_rotate_secret(name: str, grace_hours: int) -> None:
    """A new webhook secret for NAME; until the grace period ends every delivery carries the
    signatures of both (``X-SKP-Signature: sha256=<new>,sha256=<old>``).
    """
    rotated = rotate_webhook_secret(
        get_session(), _client(name), grace=timedelta(hours=grace_hours), actor="cli"
    )
    until = rotated.previous_valid_until
    click.echo(f"Previous secret signs beside the new one until {until.isoformat() if until else '-'}.")
    click.echo(rotated.webhook_secret)


@clients.command("ca")
@click.argument("name")
@click.argument("pem_file", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--clear", is_flag=True, help="Trust only the system roots again.")
def clients_ca(name: str, pem_file: str | None, clear: bool) -> None:
    """Trust the CA certificates in PEM_FILE for NAME's webhook receivers (beside the system roots)."""
    if clear == (pem_file is not None):
        raise click.UsageError("give either PEM_FILE or --clear")
    pem = None if clear else Path(pem_file or "").read_text(encoding="ascii", errors="replace")
    try:
        set_webhook_ca(get_session(), _client(name), pem, actor="cli")
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo("Cleared." if clear else f"Receivers of {name!r} are verified with {pem_file} too.")


def init_app(app: Flask) -> None:
    """Add the ``skp`` command group."""
    app.cli.add_command(skp)


@skp.command("verify")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def verify_command(path: str) -> None:
    """Validate every signature of a PDF and say whether this service issued it (JSON)."""
    try:
        result = verify_pdf(
            get_session(), get_services(), Path(path).read_bytes(), Caller.operator("cli"), ip=None
        )
    except ServiceError as error:
        raise click.ClickException(error.detail) from None
    click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    if not result["ok"]:
        raise SystemExit(1)


users = AppGroup("users", help="Web accounts (archivists).")
skp.add_command(users)


@users.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(["arsiparis"]), default="arsiparis", show_default=True)
@click.option(
    "--instansi",
    multiple=True,
    help="An instansi the archivist serves (repeatable); without it every instansi.",
)
@click.option("--konseling", is_flag=True, help="May open konseling records (confidential).")
@click.password_option(help="Prompted for when not given (at least 12 characters).")
def users_create(username: str, role: str, instansi: tuple[str, ...], konseling: bool, password: str) -> None:
    """Create a login for an archivist."""
    try:
        user = create_user(
            get_session(), username, password, role=role, instansi=instansi, konseling=konseling
        )
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"User {username!r} created with role {role}; instansi: {_served(user.tenancy, user.instansi_json)}"
        + ("; may open konseling records" if konseling else "")
    )


@users.command("konseling")
@click.argument("username")
@click.option("--grant/--revoke", required=True, help="Grant or withdraw the permission.")
def users_konseling(username: str, grant: bool) -> None:
    """Grant or withdraw the permission to open konseling records (confidential)."""
    try:
        set_konseling(get_session(), username, grant, actor="cli")
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"User {username!r} {'may' if grant else 'may no longer'} open konseling records.")


def _served(tenancy: Tenancy, names_json: str) -> str:
    return "every instansi (operator)" if tenancy.keys is None else "; ".join(json.loads(names_json))


@users.command("password")
@click.argument("username")
@click.password_option(help="Prompted for when not given (at least 12 characters).")
def users_password(username: str, password: str) -> None:
    """Set a new password; every session of the account is ended at once."""
    try:
        revoked = change_password(get_session(), get_services(), username, password, actor="cli")
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Password of {username!r} changed; {revoked} session(s) ended.")


@users.command("unlock")
@click.argument("username")
def users_unlock(username: str) -> None:
    """Lift the lockout of an account that failed too many logins, and clear its failures."""
    try:
        unlock_user(get_session(), username, actor="cli")
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"User {username!r} unlocked.")


audit_group = AppGroup("audit", help="The hash-chained audit trail.")
skp.add_command(audit_group)


@audit_group.command("verify")
def audit_verify() -> None:
    """Recompute the audit chain; exit 1 and list each break if a row was changed or removed."""
    session = get_session()
    breaks = list(verify_chain(session))
    count = session.scalar(select(func.count(AuditEvent.id)))
    if breaks:
        for item in breaks:
            click.echo(f"event {item.event_id}: {item.reason}", err=True)
        raise click.ClickException(f"audit chain broken at {len(breaks)} place(s) of {count} events")
    click.echo(f"audit chain intact: {count} events")


webhooks_group = AppGroup("webhooks", help="The persisted webhook outbox.")
skp.add_command(webhooks_group)


@webhooks_group.command("deliver")
@click.option("--loop", is_flag=True, help="Keep delivering every --interval seconds until stopped.")
@click.option("--interval", type=float, default=2.0, show_default=True)
def webhooks_deliver(loop: bool, interval: float) -> None:
    """Send the webhooks that are due, oldest first per document (retries back off)."""
    sender = get_services().webhooks
    while True:
        sent = deliver_due(get_session(), sender)
        if sent or not loop:
            click.echo(f"{sent} webhook(s) delivered")
        if not loop:
            return
        time.sleep(interval)


mail_group = AppGroup("mail", help="The persisted mail outbox (turns, reminders, completions, refusals).")
skp.add_command(mail_group)


@mail_group.command("deliver")
@click.option("--loop", is_flag=True, help="Keep delivering until interrupted.")
@click.option("--interval", type=float, default=2.0, show_default=True)
def mail_deliver(loop: bool, interval: float) -> None:
    """Queue the reminders that are due, then send the mail that is due (retries back off)."""
    services = get_services()
    while True:
        queued = sweep_reminders(get_session(), services)
        sent = deliver_mail(get_session(), services)
        if queued or sent or not loop:
            click.echo(f"{queued} reminder(s) queued, {sent} e-mail(s) sent")
        if not loop:
            return
        time.sleep(interval)


@skp.command("worker")
@click.option("--concurrency", default=2, show_default=True, help="Jobs run at the same time.")
def worker_command(concurrency: int) -> None:
    """Run conversion/signing jobs from the Celery broker, deliver webhooks and mail, re-queue the jobs of
    dead processes and collect orphan files.
    """
    services = get_services()
    runner = services.runner.inner if isinstance(services.runner, LeasedRunner) else services.runner
    if not isinstance(runner, CeleryRunner):
        raise click.ClickException(
            "JOB_RUNNER is 'inprocess': jobs run inside the web process. "
            "Set SKP_JOB_RUNNER=celery (and SKP_CELERY_BROKER_URL) to use separate workers."
        )
    services.warm_up()
    Dispatcher(sessions=services.sessions, sender=services.webhooks).start()
    MailDispatcher(services=services).start()
    BatchFeeder(services=services).start()
    Housekeeper(services=services).start()
    runner.worker_main(concurrency)


files_group = AppGroup("files", help="The document store.")
skp.add_command(files_group)


@files_group.command("gc")
@click.option(
    "--grace",
    type=click.FloatRange(min=0),
    default=None,
    help="Seconds an unreferenced file is kept (default: FILES_GC_GRACE_SECONDS).",
)
def files_gc(grace: float | None) -> None:
    """Delete revision files no revision refers to (a lost race, a crash before the commit)."""
    services = get_services()
    keep = services.settings.files_gc_grace if grace is None else timedelta(seconds=grace)
    collected = collect_orphan_files(get_session(), services.store, grace=keep, actor="cli")
    click.echo(
        f"{len(collected.deleted)} orphan file(s) deleted ({collected.bytes_freed} bytes), "
        f"{collected.kept_young} kept (younger than {keep.total_seconds():g} s)"
    )


templates_group = AppGroup("templates", help="The Word templates of the forms.")
skp.add_command(templates_group)


@templates_group.command("check")
def templates_check() -> None:
    """Report broken or unknown tags in the packaged templates and the instance's overrides."""
    problems = []
    directories: tuple[tuple[str, Path], ...] = (
        ("form_templates", PACKAGED_TEMPLATES),
        ("instance/form_templates", get_services().settings.instance_templates_dir),
    )
    for label, directory in directories:
        if not directory.is_dir():
            continue
        found = check_templates(directory)
        count = len(list(directory.rglob("*.docx")))
        click.echo(f"{label}: {count} template(s), {len(found)} problem(s)")
        for problem in found:
            click.echo(f"  {problem.template}: {problem.kind}: {problem.message}")
        problems.extend(found)
    if problems:
        raise SystemExit(1)
