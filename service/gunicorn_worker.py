"""gunicorn's threaded worker, changed so that idle or stalled clients cannot take the threads.

Stock ``gthread`` (gunicorn 27) gives every new connection to a thread at once, and the thread waits
up to 5 s for the first byte before it hands the connection back to the poller. Browsers preconnect
sockets they may never use: 200 of them queued ahead of a real request for 200 / threads x 5 s
(64 s with 2 workers of 8 threads; ``bench/idle_connections.py``). This worker differs in two ways:

- a new connection waits in the worker's poller, holding no thread, until its first bytes arrive,
  and is closed after ``keepalive`` seconds of silence, like a kept-alive connection;
- a thread reading a request head gives up when no byte comes for :data:`HEAD_TIMEOUT` seconds,
  and one reading the body or writing the answer after ``timeout`` seconds (the gunicorn setting):
  a client that stops half-way frees its thread.

Clients on the internet still belong behind a reverse proxy that reads whole requests before it
passes them on (``deploy/nginx.conf``); this keeps the service usable when it is reached directly.

Used as ``worker_class`` by :mod:`service.gunicorn_conf`. It relies on gthread's own pending-connection
queue (``pending_conns``, ``on_pending_socket_readable``), which ``tests/functional/test_serving.py``
exercises, so a gunicorn upgrade that changes it fails there.
"""

from __future__ import annotations

import errno
import logging
import selectors
import socket
import time
from functools import partial
from typing import Any

from gunicorn.workers.gthread import TConn, ThreadWorker

__all__ = ["HEAD_TIMEOUT", "PollFirstThreadWorker"]

#: Seconds a request head may go without a byte once it has started (request line and headers).
HEAD_TIMEOUT = 10.0


class _StalledClientFilter(logging.Filter):
    """gthread logs a read that timed out as an error with a traceback; it is a client that went
    quiet, so one line at INFO says it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Shorten the record of a timed-out read; never drops a record."""
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, TimeoutError) and record.msg == "Socket error processing request.":
            record.msg = "closed the connection of a client that stopped sending"
            record.args = None
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


class _Connection(TConn):  # type: ignore[misc]  # gunicorn ships no type hints
    """A connection whose socket reads time out (gthread leaves them blocking for ever)."""

    def init(self) -> None:
        # gthread calls this before it reads each request of the connection, after it has made the
        # socket blocking again: the place to bound the read of the head.
        super().init()
        if not self.is_http2:
            self.sock.settimeout(HEAD_TIMEOUT)


class PollFirstThreadWorker(ThreadWorker):  # type: ignore[misc]  # gunicorn ships no type hints
    """``gthread`` whose threads only ever serve connections that have sent something."""

    def init_process(self) -> None:
        """Install the log filter, then run gthread's start (which runs the worker's loop)."""
        self.log.error_log.addFilter(_StalledClientFilter())
        super().init_process()

    def accept(self, listener: socket.socket) -> None:
        """Accept a connection and leave it in the poller until it is readable."""
        try:
            sock, client = listener.accept()
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        conn = _Connection(self.cfg, sock, client, listener.getsockname())  # non-blocking
        # gthread's queue of connections waiting for data, closed in order when their time is up.
        conn.timeout = time.monotonic() + self.cfg.keepalive
        self.pending_conns.append(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self.on_pending_socket_readable, conn))

    def handle_request(self, req: Any, conn: Any) -> Any:
        """Serve one request whose head has been read: the body and the answer get ``timeout``."""
        # An answer is written with sendall, whose timeout bounds the whole write: ``timeout``
        # (120 s) lets a phone on a slow line take a PDF of a few megabytes.
        conn.sock.settimeout(self.cfg.timeout or None)
        return super().handle_request(req, conn)
