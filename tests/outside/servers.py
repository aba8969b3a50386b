"""The outside PKIs' live services on 127.0.0.1: Certomancer's Animator (OCSP, CRLs, TSAs) and the CSC
dummy, served by one asyncio loop in a background thread. More test servers (the BSrE contract server)
join the same loop through :meth:`OutsideServers.add_app`.
"""

from __future__ import annotations

import asyncio
import json
import socket
import tempfile
import threading
import warnings
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from aiohttp import web
from certomancer.integrations._animator_shared import FAKE_TIME_HEADER
from certomancer.integrations.aiohttp_animator import build_animator_app
from cryptography.x509.oid import NameOID
from csc_dummy.csc_dummy_server import CSCWithCertomancer, DummyServiceParams
from multidict import CIMultiDict

from tests.outside.pki import ARCHS, Arch, OutsidePki, build_outside_pki

#: The PIN of every CSC credential.
CSC_PIN = "123456"
#: The OTP of every CSC credential configured for OTP.
CSC_OTP = "654321"

_T = TypeVar("_T")
_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class LoggedRequest:
    server: str
    method: str
    path: str


def _listening_socket() -> socket.socket:
    """A socket already bound to a free port, so the URL is known before the app exists."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.setblocking(False)
    return sock


@web.middleware
async def _whole_seconds_middleware(request: web.Request, handler: _Handler) -> web.StreamResponse:
    """Pin the Animator's clock to whole seconds: OCSP producedAt with fractions is refused by strict DER
    parsers (cryptography, NSS), as a real responder's would not be. A test may still send Certomancer's
    fake-time header (e.g. to ask for a response in 2031).
    """
    if FAKE_TIME_HEADER not in request.headers:
        now = datetime.now(tz=UTC).replace(microsecond=0)
        headers = CIMultiDict(request.headers)
        headers[FAKE_TIME_HEADER] = now.isoformat()
        request = request.clone(headers=headers)
    return await handler(request)


def _csc_error(error: str, description: str) -> web.Response:
    return web.json_response({"error": error, "error_description": description}, status=400)


class OutsideServers:
    """Outside PKIs and their services; ``start()`` builds the PKIs with the Animator's URL and serves."""

    def __init__(self, directory: Path | None = None, *, otp_credentials: Iterable[str] = ()) -> None:
        self._own_tmp: tempfile.TemporaryDirectory[str] | None = None
        if directory is None:
            self._own_tmp = tempfile.TemporaryDirectory(prefix="skp-outside-")
            directory = Path(self._own_tmp.name)
        self.directory = directory
        self.otp_credentials: set[str] = set(otp_credentials)
        """Credential ids that authorise with ``OTP`` instead of ``PIN`` (may be changed while serving)."""
        self.pins: dict[str, str] = {}
        """Per-credential PINs overriding :data:`CSC_PIN`."""
        self.otps: dict[str, str] = {}
        """Per-credential OTPs overriding :data:`CSC_OTP`."""
        self.requests: list[LoggedRequest] = []
        """Every request any of the servers answered, in order (method and path)."""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runners: list[web.AppRunner] = []
        self._pki: OutsidePki | None = None
        self.animator_url = ""
        self.csc_url = ""
        """The CSC API base, ``http://127.0.0.1:<port>/csc/v1`` (pyHanko's service_url is without /csc/v1)."""
        self.csc_service_url = ""

    # -- public API ---------------------------------------------------------------------------------

    @property
    def pki(self) -> OutsidePki:
        if self._pki is None:
            raise RuntimeError("OutsideServers not started")
        return self._pki

    def csc_pin(self, credential_id: str) -> str:
        return self.pins.get(credential_id, CSC_PIN)

    def csc_otp(self, credential_id: str) -> str:
        return self.otps.get(credential_id, CSC_OTP)

    def csc_credentials_of(self, user_id: str, arch: str | None = None) -> list[str]:
        """Credential ids whose certificate's subject serialNumber is ``user_id`` (a NIK or NIP): what
        ``credentials/list`` answers when given ``userID`` (the dummy itself ignores it). People's own
        certificates come before ``revoked``/``expired`` ones.
        """
        found = []
        for arch_label in ARCHS:
            if arch is not None and arch_label != arch:
                continue
            for label in self.pki.signer_labels(arch_label):
                subject = self.pki.cert(arch_label, label).subject
                serials = subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
                if serials and serials[0].value == user_id:
                    found.append(f"{arch_label}/{label}")
        return found

    def tsa_url(self, arch: Arch) -> str:
        return self.pki.tsa_url(arch)

    def add_app(self, app: web.Application, *, name: str = "app") -> str:
        """Serve ``app`` on its own free port in the shared loop; returns its base URL (no trailing /)."""
        sock = _listening_socket()
        self._run(self._serve(app, sock, name))
        port = sock.getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def start(self) -> OutsideServers:
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=loop.run_forever, name="outside-servers", daemon=True)
        self._thread.start()
        try:
            animator_sock = _listening_socket()
            self.animator_url = f"http://127.0.0.1:{animator_sock.getsockname()[1]}"
            self._pki = build_outside_pki(self.directory / "pki", base_url=self.animator_url)
            animator = build_animator_app(self._pki.config.pki_archs, with_web_ui=False)
            animator.middlewares.insert(0, _whole_seconds_middleware)
            self._run(self._serve(animator, animator_sock, "animator"))
            with warnings.catch_warnings():
                # The dummy keys its app config with plain strings (aiohttp's NotAppKeyWarning).
                warnings.simplefilter("ignore", web.NotAppKeyWarning)
                csc = CSCWithCertomancer(
                    self._pki.config, service_params=DummyServiceParams(hash_pinning_required=True)
                )
            csc.register_routes()
            csc.app.middlewares.append(self._csc_auth_middleware())
            self.csc_service_url = self.add_app(csc.app, name="csc")
            self.csc_url = f"{self.csc_service_url}/csc/v1"
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None:
            if thread.is_alive():
                try:
                    asyncio.run_coroutine_threadsafe(self._cleanup(), loop).result(timeout=10)
                finally:
                    loop.call_soon_threadsafe(loop.stop)
                    thread.join(timeout=10)
            loop.close()
        self._loop = self._thread = None
        if self._own_tmp is not None:
            self._own_tmp.cleanup()
            self._own_tmp = None

    def __enter__(self) -> OutsideServers:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- internals ----------------------------------------------------------------------------------

    def _run(self, coro: Coroutine[Any, Any, _T]) -> _T:
        if self._loop is None:
            raise RuntimeError("OutsideServers not started")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=30)

    async def _serve(self, app: web.Application, sock: socket.socket, name: str) -> None:
        app.middlewares.insert(0, self._log_middleware(name))
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        await web.SockSite(runner, sock).start()
        self._runners.append(runner)

    async def _cleanup(self) -> None:
        for runner in reversed(self._runners):
            await runner.cleanup()
        self._runners.clear()

    def _log_middleware(self, name: str) -> Any:
        @web.middleware
        async def log(request: web.Request, handler: _Handler) -> web.StreamResponse:
            self.requests.append(LoggedRequest(server=name, method=request.method, path=request.path))
            return await handler(request)

        return log

    def _csc_auth_middleware(self) -> Any:
        """What the dummy lacks: PIN/OTP checks (CSC API v1 error style), PIN/OTP announced by
        credentials/info, and credentials/list by ``userID``.
        """

        @web.middleware
        async def auth(request: web.Request, handler: _Handler) -> web.StreamResponse:
            path = request.path
            if path.endswith("/credentials/authorize"):
                refused = await self._check_authorization(request)
                return refused if refused is not None else await handler(request)
            if path.endswith("/credentials/list"):
                body = await request.json()
                if body.get("userID") is not None:
                    ids = self.csc_credentials_of(str(body["userID"]), body.get("clientData"))
                    return web.json_response({"credentialIDs": ids})
            response = await handler(request)
            if path.endswith("/credentials/info") and isinstance(response, web.Response):
                return await self._announce_auth(request, response)
            return response

        return auth

    async def _check_authorization(self, request: web.Request) -> web.Response | None:
        try:
            body = await request.json()
        except ValueError:
            return _csc_error("invalid_request", "Invalid JSON body")
        cred_id = str(body.get("credentialID", ""))
        if cred_id in self.otp_credentials:
            if body.get("OTP") != self.csc_otp(cred_id):
                return _csc_error("invalid_otp", "The OTP is invalid")
        elif body.get("PIN") != self.csc_pin(cred_id):
            return _csc_error("invalid_pin", "The PIN is invalid")
        return None

    async def _announce_auth(self, request: web.Request, response: web.Response) -> web.Response:
        if response.status != 200:
            return response
        body = await request.json()
        info = json.loads(response.text or "{}")
        info["authMode"] = "explicit"
        if str(body.get("credentialID", "")) in self.otp_credentials:
            info["OTP"] = {"presence": "true", "type": "offline", "format": "N", "label": "OTP"}
        else:
            info["PIN"] = {"presence": "true", "format": "N", "label": "PIN"}
        return web.json_response(info)
