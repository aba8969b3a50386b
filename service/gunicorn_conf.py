"""gunicorn settings for ``scripts/serve``: LibreOffice warm per worker, background work started once.

Signing tokens never reach the access log: :mod:`service.security` filters the ``gunicorn.access``
logger when the app is created in each worker.

Used as ``gunicorn -c python:service.gunicorn_conf "service:create_app()"``.
"""

from __future__ import annotations

import fcntl
import os
import threading
from typing import Any

accesslog = "-"

# Threads, not sync workers: a sync worker is held by one idle connection (issue 10: two idle
# sockets froze both workers). PollFirstThreadWorker also keeps idle connections out of its threads.
worker_class = "service.gunicorn_worker.PollFirstThreadWorker"
threads = int(os.environ.get("SKP_THREADS", "8"))
#: Seconds the master lets a worker's main loop go silent before it kills the worker; with threads it
#: no longer bounds one request. It also bounds reading a body and writing an answer (a stalled client).
timeout = 120
#: Seconds a stopping worker gives the requests in flight (a signature takes a few).
graceful_timeout = 30
#: Seconds an idle connection stays open, new or kept alive (deploy/nginx.conf closes its own sooner).
keepalive = 5
# Request size limits (gunicorn's defaults, stated so that they are seen and kept); the body limit
# is the app's MAX_CONTENT_LENGTH.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
# Whether a request came over https, and from whom, is the app's decision (SKP_PROXY_COUNT, trusting
# none by default); gunicorn would otherwise believe X-Forwarded-Proto from any local client.
forwarded_allow_ips = ""
secure_scheme_headers: dict[str, str] = {}
# gunicorn 27's control socket is one path per user ($HOME/.gunicorn/gunicorn.ctl): a second instance
# on the machine takes it over and the first to stop deletes it. Nothing here uses it.
control_socket_disable = True

_lock_file: Any = None


def post_worker_init(worker: Any) -> None:
    """Warm LibreOffice and feed batch documents in every worker; the worker holding a file lock also
    runs the webhook and mail dispatchers and the housekeeping rounds (jobs whose process died queued
    again, orphan files collected). Every worker waits for the lock, so when its holder dies another
    takes over.
    """
    app = worker.wsgi
    services = app.extensions["skp"]
    threading.Thread(target=services.warm_up, name="skp-warm-up", daemon=True).start()
    # Every worker renders a share of the batches, each keeping its own queue short.
    from service.workflow.batches import BatchFeeder

    BatchFeeder(services=services).start()
    path = os.path.join(app.instance_path, ".background.lock")
    threading.Thread(
        target=_background, args=(worker, services, path), name="skp-background-lock", daemon=True
    ).start()


def _background(worker: Any, services: Any, path: str) -> None:
    global _lock_file  # noqa: PLW0603  (the lock must live as long as the worker)
    _lock_file = open(path, "w")  # noqa: SIM115
    fcntl.flock(_lock_file, fcntl.LOCK_EX)  # until the holder is gone; the kernel drops its lock
    # Here, not at the top: the master reads this file too, and must not load the service.
    from service.workflow.mail import MailDispatcher
    from service.workflow.recovery import Housekeeper
    from service.workflow.webhooks import Dispatcher

    worker.log.info(
        "worker %d runs the background work (webhooks, mail, job leases, orphan files)", os.getpid()
    )
    Dispatcher(sessions=services.sessions, sender=services.webhooks).start()
    MailDispatcher(services=services).start()
    Housekeeper(services=services).start()


def worker_exit(server: Any, worker: Any) -> None:  # noqa: ARG001  (gunicorn's hook signature)
    """Stop the worker's LibreOffice processes with it (they run in their own process groups)."""
    services = getattr(worker, "wsgi", None)
    if services is not None and "skp" in getattr(services, "extensions", {}):
        services.extensions["skp"].close()
