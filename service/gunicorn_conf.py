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
timeout = 120

_lock_file: Any = None


def post_worker_init(worker: Any) -> None:
    """Warm LibreOffice in every worker; one worker (holding a file lock) also runs the
    webhook dispatcher and re-queues documents a dead process left half-rendered.
    """
    global _lock_file  # noqa: PLW0603  (the lock must live as long as the worker)
    app = worker.wsgi
    services = app.extensions["skp"]
    threading.Thread(target=services.warm_up, name="skp-warm-up", daemon=True).start()
    path = os.path.join(app.instance_path, ".background.lock")
    _lock_file = open(path, "w")  # noqa: SIM115
    try:
        fcntl.flock(_lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return
    # Here, not at the top: the master reads this file too, and must not load the service.
    from service.workflow.pipeline import resume_unfinished
    from service.workflow.webhooks import Dispatcher

    with services.sessions() as session:
        resumed = resume_unfinished(session, services.runner)
    if resumed:
        worker.log.info("re-queued %d unfinished document(s)", resumed)
    Dispatcher(sessions=services.sessions, sender=services.webhooks).start()


def worker_exit(server: Any, worker: Any) -> None:  # noqa: ARG001  (gunicorn's hook signature)
    """Stop the worker's LibreOffice processes with it (they run in their own process groups)."""
    services = getattr(worker, "wsgi", None)
    if services is not None and "skp" in getattr(services, "extensions", {}):
        services.extensions["skp"].close()
