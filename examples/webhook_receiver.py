r"""A sample skp-sign webhook receiver: checks ``X-SKP-Signature``, answers, prints each event.

Standard library only; run it with any Python 3.11::

    SKP_WEBHOOK_SECRETS=<secret> python examples/webhook_receiver.py --port 8080
    SKP_WEBHOOK_SECRETS=<new>,<old> python examples/webhook_receiver.py --port 8443 \
        --certfile receiver.pem --keyfile receiver.key

``SKP_WEBHOOK_SECRETS`` holds the client's webhook secret, or several comma-separated: during a
rotation the receiver holds the new and the old one, so deliveries are accepted whichever secret
signed them. A request is accepted when any ``sha256=<hex>`` value of its ``X-SKP-Signature`` (one
value, or two comma-separated while the service's grace period runs) is the HMAC-SHA256 of the raw
body bytes with any secret held, compared in constant time, before the body is parsed.

Answers: 204 for an accepted delivery (any 2xx means "delivered" to the service), 401 for a missing
or wrong signature, 400/411/413 for a body that cannot be read. Any other answer, or none, makes the
service retry later, the same body under the same ``X-SKP-Delivery``; the receiver answers 204 again
to a delivery it already processed and does not process it twice. A delivery id is remembered only
once its signature is good, so a forged request cannot make the receiver skip a real delivery.

callback_url must be https: give ``--certfile``/``--keyfile``, or put the receiver behind a reverse
proxy that terminates TLS. docs/integration.md explains the events and the bodies.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import ssl
import sys
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["Receiver", "WebhookHandler", "main", "parse_secrets", "signature_matches"]

#: The largest body read; an skp-sign webhook body is a few kilobytes (a batch's up to ~1 MB).
MAX_BODY = 16 * 1024 * 1024
#: How many delivery ids are remembered for deduplication (the oldest are forgotten first).
REMEMBER = 100_000
PREFIX = b"sha256="


def parse_secrets(value: str | None) -> tuple[bytes, ...]:
    """The secrets of ``SKP_WEBHOOK_SECRETS``: comma-separated, blanks around them ignored."""
    return tuple(part.strip().encode() for part in (value or "").split(",") if part.strip())


def signature_matches(header: str | None, body: bytes, secrets: Iterable[bytes]) -> bool:
    """Whether any ``sha256=<hex>`` value of ``header`` is the HMAC-SHA256 of ``body`` with a secret.

    ``header`` is the raw ``X-SKP-Signature`` value; the comparison is constant-time, on bytes, so a
    value that is not ASCII is simply wrong rather than an error.
    """
    if not header:
        return False
    offered = [part.strip().encode("latin-1", errors="replace") for part in header.split(",") if part.strip()]
    matched = False
    for secret in secrets:
        expected = PREFIX + hmac.new(secret, body, hashlib.sha256).hexdigest().encode()
        for value in offered:
            # Every pair is compared, so the time taken does not say which value matched.
            matched |= hmac.compare_digest(value, expected)
    return matched


class Receiver(ThreadingHTTPServer):
    """The HTTP(S) server: the secrets and the delivery ids already processed."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], secrets: Sequence[bytes], *, remember: int = REMEMBER):
        if not secrets:
            raise ValueError("at least one webhook secret is needed")
        super().__init__(address, WebhookHandler)
        self.secrets = tuple(secrets)
        self.remember = remember
        self.lock = threading.Lock()
        self._seen: OrderedDict[str, None] = OrderedDict()

    def seen(self, delivery: str) -> bool:
        """Whether this delivery id was processed already (call with :attr:`lock` held)."""
        if delivery in self._seen:
            self._seen.move_to_end(delivery)
            return True
        return False

    def processed(self, delivery: str) -> None:
        """Remember a processed delivery id (call with :attr:`lock` held)."""
        self._seen[delivery] = None
        while len(self._seen) > self.remember:
            self._seen.popitem(last=False)

    def handle_event(self, event: dict[str, Any], delivery: str | None) -> None:
        """Act on one verified event; here it is printed. Replace this with the HR system's work.

        Raise to answer 500: the service then sends the same delivery again later.
        """
        subject = event.get("document") or event.get("batch") or {}
        subject_id = subject.get("id") if isinstance(subject, dict) else None
        # A ping is about no document: it names the client that asked for it.
        subject_id = subject_id or event.get("client") or "-"
        print(f"{event.get('event')} {subject_id} delivery={delivery or '-'}", flush=True)


class WebhookHandler(BaseHTTPRequestHandler):
    """One request: read the raw body, verify, deduplicate, hand the event on, answer."""

    server: Receiver
    #: Seconds a connection may stay silent (also during the TLS handshake).
    timeout = 30

    def setup(self) -> None:
        """Finish the TLS handshake here, in the connection's thread, not in the accepting one."""
        super().setup()
        if isinstance(self.connection, ssl.SSLSocket):
            self.connection.do_handshake()

    def do_POST(self) -> None:
        """Answer one delivery."""
        body = self._read_body()
        if body is None:
            return
        receiver = self.server
        if not signature_matches(self.headers.get("X-SKP-Signature"), body, receiver.secrets):
            self._answer(401, "Tanda tangan X-SKP-Signature tidak ada atau tidak cocok.")
            return
        try:
            event = json.loads(body)
        except ValueError:
            self._answer(400, "Isi permintaan bukan JSON.")
            return
        if not isinstance(event, dict):
            self._answer(400, "Isi permintaan bukan objek JSON.")
            return
        delivery = self.headers.get("X-SKP-Delivery")
        with receiver.lock:
            if delivery is not None and receiver.seen(delivery):
                self._answer(204)
                return
            try:
                receiver.handle_event(event, delivery)
            except Exception as error:  # noqa: BLE001  (any failure: ask the service to retry)
                self.log_error("handling %s failed: %r", delivery, error)
                self._answer(500, "Gagal memproses; kirim ulang nanti.")
                return
            if delivery is not None:
                receiver.processed(delivery)
        self._answer(204)

    def _read_body(self) -> bytes | None:
        length = self.headers.get("Content-Length")
        if length is None:
            self._answer(411, "Content-Length wajib ada.")
            return None
        try:
            size = int(length)
        except ValueError:
            size = -1
        if size < 0:
            self._answer(400, "Content-Length tidak sah.")
            return None
        if size > MAX_BODY:
            self.close_connection = True
            self._answer(413, "Isi permintaan terlalu besar.")
            return None
        return self.rfile.read(size)

    def _answer(self, status: int, message: str = "") -> None:
        data = message.encode()
        self.send_response(status)
        if status != 204:
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if status != 204:
            self.wfile.write(data)


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until interrupted."""
    parser = argparse.ArgumentParser(description="Sample skp-sign webhook receiver.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port (default 8080; 0: any free one)")
    parser.add_argument("--certfile", help="PEM certificate (chain) to serve https")
    parser.add_argument("--keyfile", help="PEM private key of --certfile")
    args = parser.parse_args(argv)
    secrets = parse_secrets(os.environ.get("SKP_WEBHOOK_SECRETS"))
    if not secrets:
        parser.error("set SKP_WEBHOOK_SECRETS to the client's webhook secret (comma-separated for several)")
    server = Receiver((args.host, args.port), secrets)
    scheme = "http"
    if args.certfile:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.certfile, args.keyfile)
        server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
        scheme = "https"
    host, port = server.server_address[:2]
    print(f"listening on {scheme}://{host!s}:{port}/ with {len(secrets)} secret(s)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
