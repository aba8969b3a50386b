"""Word → PDF/A-2b with a pool of warm LibreOffice processes (unoserver), one job at a time each.

Facts this design rests on (``shared/notes/pipeline-measurements.md``):

- Debian's ``python3-uno`` imports only under ``/usr/bin/python3`` (P1), so the unoserver *server* runs
  there, with ``PYTHONPATH`` pointing at this environment's site-packages (unoserver is pure Python);
  the *client* side is unoserver's ``UnoClient`` in the service's own interpreter.
- unoserver needs ~5 s to start (a fixed sleep, P3): the pool starts all processes at once and polls
  the XML-RPC ``info()`` of each, so N processes are ready in about 5 s, not N × 5 s.
- Two LibreOffice processes sharing a profile kill each other (P4): every process gets its own fresh
  ``--user-installation`` directory (a path, not a URL, P2) and its own ports.
- One unoserver serves one request at a time (P5): a queue of free processes hands each job to one.
- Each process runs in its own session (process group), so stopping it with ``killpg`` also stops
  ``oosplash`` and ``soffice.bin`` below it: no orphans.
- A process group must also die when its owner dies without ``close()`` (each gunicorn worker
  killed with SIGKILL left its unoserver, oosplash and soffice.bin running, ~320 MB a pair): each
  runs under :mod:`~service.documents.office_watchdog`, which holds the read end of a pipe only the
  owner can write to, and ends the group when the owner's end closes.

A process that dies or hangs during a job is killed and replaced in the background, and the job is
tried once more on another process; a second failure raises :class:`ConversionError`.
"""

from __future__ import annotations

import contextlib
import http.client
import logging
import os
import queue
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
import xmlrpc.client
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import unoserver
from unoserver.client import UnoClient

from service.documents.office_watchdog import group_processes

__all__ = [
    "PDFA_FILTER_OPTIONS",
    "ConversionError",
    "LibreOfficeConverter",
    "WorkerInfo",
    "group_processes",
    "unoserver_site_packages",
]

log = logging.getLogger(__name__)

#: Run by the system Python in front of every LibreOffice process (standard library only).
WATCHDOG = Path(__file__).resolve().with_name("office_watchdog.py")

#: PDF/A-2b (P8: unoserver turns the decimal string into an integer filter option).
PDFA_FILTER_OPTIONS = ("SelectPdfVersion=2",)

#: Debian's interpreter, the only one that can ``import uno`` (P1).
SYSTEM_PYTHON = "/usr/bin/python3"


class ConversionError(Exception):
    """The document could not be converted; the message says why, in words for the HR system."""


class _WorkerFailedError(Exception):
    """The process doing the job died, hung or stopped answering; it must be replaced."""


class _DocumentFailedError(Exception):
    """A healthy process refused the document (LibreOffice raised an error for it)."""


@dataclass(frozen=True)
class WorkerInfo:
    """What :meth:`LibreOfficeConverter.workers` reports about one process (for operators and tests)."""

    pid: int
    """PID of the unoserver process; it is also the process group id of its LibreOffice."""
    port: int
    busy: bool


@dataclass(eq=False)
class _Worker:
    process: subprocess.Popen[bytes]
    port: int
    profile: Path
    log_file: Path
    #: The write end of the process's lifeline (see :mod:`~service.documents.office_watchdog`).
    lifeline: int
    started: float = field(default_factory=time.monotonic)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class _TimeoutTransport(xmlrpc.client.Transport):
    """XML-RPC transport whose socket gives up after ``timeout`` seconds (for health checks)."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self._timeout = timeout

    def make_connection(self, host: Any) -> http.client.HTTPConnection:
        connection = super().make_connection(host)
        connection.timeout = self._timeout
        return connection


def unoserver_site_packages() -> Path:
    """The site-packages directory that holds this environment's unoserver (pure Python)."""
    return Path(unoserver.__file__).resolve().parent.parent


def _lifeline() -> tuple[int, int]:
    """A pipe ``(read, write)``; both ends are close-on-exec, so no program this process starts
    inherits the write end (``subprocess`` passes the watchdog only the read end, by name).
    """
    return os.pipe()


def _close_fd(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.close(fd)


def _remove_unused_profiles(work_dir: Path, *, younger_than: float = 120.0) -> None:
    """Remove the profiles of processes that are gone, keeping those of other live pools.

    A profile is in use when a live process names it on its command line, or it was made in the
    last ``younger_than`` seconds (a pool copying it, its process not started yet). The watchdog
    removes the profile of a pool whose owner died; this catches what a machine crash left.
    """
    profiles = [p for p in work_dir.glob("profile-*") if p.is_dir()]
    if not profiles:
        return
    named = b"\0".join(_command_lines())
    now = time.time()
    for profile in profiles:
        with contextlib.suppress(OSError):
            spellings = {str(profile).encode(), str(profile.resolve()).encode()}
            if any(s in named for s in spellings) or now - profile.stat().st_mtime < younger_than:
                continue
            shutil.rmtree(profile, ignore_errors=True)


def _command_lines() -> list[bytes]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                found.append((entry / "cmdline").read_bytes())
    return found


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _has_office(pgid: int) -> bool:
    return any(name in ("soffice.bin", "oosplash") for _, name in group_processes(pgid))


def _info(port: int, timeout: float) -> dict[str, Any]:
    proxy = xmlrpc.client.ServerProxy(
        f"http://127.0.0.1:{port}", transport=_TimeoutTransport(timeout), allow_none=True
    )
    with proxy:
        info = proxy.info()
    return dict(info) if isinstance(info, dict) else {}


class LibreOfficeConverter:
    """A pool of ``processes`` warm unoserver/LibreOffice processes; see the module docstring.

    The constructor returns once every process answers (about 5 s), or raises
    :class:`ConversionError` when none could be started.

    :param processes: how many LibreOffice processes run side by side (one job each at a time).
    :param work_dir: where the per-process profile folders and logs go (created; emptied of old
        profiles at start).
    :param startup_timeout: seconds a process may take to answer after it was started.
    :param acquire_timeout: seconds a job may wait for a free process before it fails.
    :param python: the interpreter that runs the unoserver server (needs ``import uno``).
    :param soffice: the LibreOffice executable.
    """

    def __init__(
        self,
        *,
        processes: int = 2,
        work_dir: str | os.PathLike[str],
        startup_timeout: float = 60.0,
        acquire_timeout: float = 120.0,
        python: str = SYSTEM_PYTHON,
        soffice: str | None = None,
    ) -> None:
        if processes < 1:
            raise ValueError("processes must be at least 1")
        executable = soffice or shutil.which("soffice") or "/usr/bin/soffice"
        if not Path(python).exists():
            raise ConversionError(f"Python sistem untuk LibreOffice tidak ditemukan: {python}")
        if not Path(executable).exists():
            raise ConversionError("LibreOffice (soffice) tidak terpasang di server.")
        self.processes = processes
        self.startup_timeout = startup_timeout
        self.acquire_timeout = acquire_timeout
        self._python = python
        self._soffice = str(Path(executable).resolve())
        self._work_dir = Path(work_dir)
        self._work_dir.mkdir(parents=True, exist_ok=True)
        _remove_unused_profiles(self._work_dir)
        self._env = self._child_env()
        self._lock = threading.Lock()
        self._free: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._busy: set[_Worker] = set()
        self._replacers: list[threading.Thread] = []
        self._closed = False

        started = [self._spawn() for _ in range(processes)]
        ready = 0
        problems = []
        for worker in started:
            try:
                self._wait_ready(worker)
            except _WorkerFailedError as error:
                problems.append(str(error))
                self._kill(worker)
                continue
            ready += 1
            self._free.put(worker)
        if ready == 0:
            self.close()
            raise ConversionError("LibreOffice tidak dapat dijalankan: " + "; ".join(problems))
        for _ in range(processes - ready):
            self._replace_later()

    # -- process management --------------------------------------------------------------------------

    def _child_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONHOME", "PYTHONPATH")}
        env["PYTHONPATH"] = str(unoserver_site_packages())
        env["PYTHONNOUSERSITE"] = "1"
        return env

    def _spawn(self) -> _Worker:
        name = f"profile-{uuid.uuid4().hex[:12]}"
        profile = self._work_dir / name
        shutil.copytree(self._template_profile(), profile)
        log_file = self._work_dir / f"{name}.log"
        port, uno_port = _free_port(), _free_port()
        while uno_port == port:
            uno_port = _free_port()
        read_end, write_end = _lifeline()
        command = [
            self._python,
            str(WATCHDOG),
            str(read_end),
            str(profile),
            "-m",
            "unoserver.server",
            "--interface",
            "127.0.0.1",
            "--port",
            str(port),
            "--uno-port",
            str(uno_port),
            "--user-installation",
            str(profile),
            "--executable",
            self._soffice,
        ]
        try:
            with log_file.open("wb") as output:
                process = subprocess.Popen(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    env=self._env,
                    cwd=profile,
                    start_new_session=True,
                    pass_fds=(read_end,),
                )
        except BaseException:
            _close_fd(write_end)
            raise
        finally:
            _close_fd(read_end)
        worker = _Worker(process=process, port=port, profile=profile, log_file=log_file, lifeline=write_end)
        with self._lock:
            closed = self._closed
            self._all.add(worker)
        if closed:
            self._kill(worker)
            raise _WorkerFailedError("converter ditutup")
        return worker

    def _template_profile(self) -> Path:
        """A LibreOffice profile made once, copied for every process.

        Two LibreOffice processes creating fresh profiles at the same moment crashed here
        (``WrappedTargetRuntimeException``, signal 6); starting from a ready profile avoids that race
        and makes the start a little shorter.

        Pools of other processes (the gunicorn workers of one instance) share the folder, so the
        template is made in a folder of its own and renamed into place whole: a pool copies only a
        finished template, and never one another process is still writing.
        """
        template = self._work_dir / "template"
        with self._lock:
            if (template / "user").is_dir():
                return template
            building = self._work_dir / f"template-{uuid.uuid4().hex[:12]}"
            try:
                self._run_guarded(
                    [
                        self._soffice,
                        "--headless",
                        "--terminate_after_init",
                        f"-env:UserInstallation={building.resolve().as_uri()}",
                    ],
                    profile=building,
                    timeout=60,
                )
                (building / "user").mkdir(parents=True, exist_ok=True)
                if template.exists() and not (template / "user").is_dir():
                    shutil.rmtree(template, ignore_errors=True)  # an unfinished one of an older version
                with contextlib.suppress(OSError):  # another process's template came first: use it
                    building.rename(template)
            finally:
                shutil.rmtree(building, ignore_errors=True)
        return template

    def _run_guarded(self, command: list[str], *, profile: Path, timeout: float) -> None:
        """Run a one-off LibreOffice command under the watchdog: it dies with this process, and a
        half-made ``profile`` is removed then; on timeout its whole group is killed.
        """
        read_end, write_end = _lifeline()
        try:
            try:
                process = subprocess.Popen(
                    [self._python, str(WATCHDOG), str(read_end), str(profile), "--", *command],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    env=self._env,
                    start_new_session=True,
                    pass_fds=(read_end,),
                )
            finally:
                _close_fd(read_end)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        finally:
            _close_fd(write_end)

    def _wait_ready(self, worker: _Worker) -> None:
        deadline = worker.started + self.startup_timeout
        while time.monotonic() < deadline:
            if self._closed:
                raise _WorkerFailedError("converter ditutup")
            if worker.process.poll() is not None:
                raise _WorkerFailedError(
                    f"proses LibreOffice berhenti saat dimulai (kode {worker.process.returncode})"
                )
            try:
                _info(worker.port, timeout=2.0)
            except (OSError, xmlrpc.client.Error, http.client.HTTPException):
                pass
            else:
                return
            # unoserver keeps retrying for ~40 s after its LibreOffice crashed at start; notice sooner.
            if time.monotonic() - worker.started > 3 and not _has_office(worker.pid):
                raise _WorkerFailedError("LibreOffice berhenti saat dimulai")
            time.sleep(0.2)
        raise _WorkerFailedError(f"LibreOffice tidak siap dalam {self.startup_timeout:.0f} detik")

    def _kill(self, worker: _Worker) -> None:
        """Stop the process group (unoserver, oosplash, soffice.bin) and remove its profile.

        ``soffice.bin`` goes first, so that ``oosplash`` and unoserver notice, reap their children and
        exit themselves; a whole-group SIGKILL follows for whatever is left. Killing the group at once
        would leave zombies when the adopting PID 1 does not reap (as in some containers).
        """
        for pid, name in group_processes(worker.pid):
            if name == "soffice.bin":
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            worker.process.wait(timeout=3)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(worker.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                worker.process.wait(timeout=1)
            if not group_processes(worker.pid):
                break
            time.sleep(0.05)
        with self._lock:
            self._all.discard(worker)
            self._busy.discard(worker)
            lifeline, worker.lifeline = worker.lifeline, -1
        if lifeline >= 0:
            _close_fd(lifeline)
        shutil.rmtree(worker.profile, ignore_errors=True)

    def _healthy(self, worker: _Worker) -> bool:
        if worker.process.poll() is not None:
            return False
        if not _has_office(worker.pid):
            return False
        try:
            _info(worker.port, timeout=2.0)
        except (OSError, xmlrpc.client.Error, http.client.HTTPException):
            return False
        return True

    def _replace_later(self, worker: _Worker | None = None) -> None:
        """Kill ``worker`` (if given) and start its successor in the background."""

        def run() -> None:
            if worker is not None:
                self._kill(worker)
            for attempt in range(3):
                if self._closed:
                    return
                try:
                    new = self._spawn()
                except _WorkerFailedError:
                    return
                except OSError as error:
                    log.error("cannot start LibreOffice: %s", error)
                    time.sleep(2 * (attempt + 1))
                    continue
                try:
                    self._wait_ready(new)
                except _WorkerFailedError as error:
                    log.error("replacement LibreOffice failed to start: %s", error)
                    self._kill(new)
                    continue
                if self._closed:
                    self._kill(new)
                    return
                self._free.put(new)
                return
            log.error("giving up on a LibreOffice slot after 3 failed starts")

        thread = threading.Thread(target=run, name="skp-lo-replace", daemon=True)
        with self._lock:
            self._replacers = [t for t in self._replacers if t.is_alive()]
            self._replacers.append(thread)
        thread.start()

    # -- jobs -----------------------------------------------------------------------------------------

    def _acquire(self) -> _Worker:
        deadline = time.monotonic() + self.acquire_timeout
        while True:
            if self._closed:
                raise ConversionError("Layanan konversi PDF sedang dihentikan.")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ConversionError(
                    f"Tidak ada proses LibreOffice yang siap dalam {self.acquire_timeout:.0f} detik."
                )
            try:
                worker = self._free.get(timeout=min(remaining, 0.5))
            except queue.Empty:
                continue
            if worker.process.poll() is not None:  # died while idle
                self._replace_later(worker)
                continue
            with self._lock:
                self._busy.add(worker)
            return worker

    def _release(self, worker: _Worker) -> None:
        with self._lock:
            self._busy.discard(worker)
        if self._closed:
            self._kill(worker)
        else:
            self._free.put(worker)

    def _run(self, worker: _Worker, docx: bytes, timeout: float) -> bytes:
        class _Client(UnoClient):  # type: ignore[misc]
            # UnoClient retries a refused connection 5 times with 10 s sleeps; a dead process
            # must fail at once so the job can move to another one.
            def _connect(self, proxy: Any, retries: int = 1, sleep: int = 0) -> Any:  # noqa: ARG002
                return super()._connect(proxy, retries=1, sleep=0)

        outcome: dict[str, Any] = {}

        def call() -> None:
            try:
                outcome["pdf"] = _Client(server="127.0.0.1", port=str(worker.port)).convert(
                    indata=docx,
                    convert_to="pdf",
                    filtername="writer_pdf_Export",
                    filter_options=list(PDFA_FILTER_OPTIONS),
                    update_index=False,
                )
            except BaseException as error:  # noqa: BLE001  (handed to the waiting thread)
                outcome["error"] = error

        thread = threading.Thread(target=call, name="skp-lo-call", daemon=True)
        thread.start()
        thread.join(timeout)
        if thread.is_alive():
            raise _WorkerFailedError(f"LibreOffice tidak selesai dalam {timeout:g} detik")
        error = outcome.get("error")
        if error is None:
            pdf = outcome.get("pdf")
            if not isinstance(pdf, bytes) or not pdf.startswith(b"%PDF"):
                raise _WorkerFailedError("LibreOffice tidak mengembalikan PDF")
            return pdf
        if isinstance(error, xmlrpc.client.Fault) and self._healthy(worker):
            raise _DocumentFailedError(_fault_reason(error))
        raise _WorkerFailedError(f"proses LibreOffice berhenti ({type(error).__name__})")

    def convert(self, docx: bytes, *, timeout: float) -> bytes:
        """The PDF/A-2b of ``docx``; see :class:`~service.interfaces.PdfConverter`.

        ``timeout`` bounds one attempt; a job that meets a dying or hung process is tried once more,
        so the worst case is about twice ``timeout`` plus the wait for a free process.

        :raises ConversionError: both attempts failed, no process became free, or the pool is closed.
        """
        if not docx:
            raise ConversionError("Berkas Word kosong; tidak ada yang dikonversi.")
        reasons: list[str] = []
        for _attempt in range(2):
            worker = self._acquire()
            log.debug("conversion attempt %d on LibreOffice process %s", _attempt + 1, worker.pid)
            try:
                pdf = self._run(worker, docx, timeout)
            except _DocumentFailedError as error:
                reasons.append(str(error))
                self._release(worker)
                continue
            except _WorkerFailedError as error:
                reasons.append(str(error))
                log.warning("LibreOffice process %s replaced: %s", worker.pid, error)
                with self._lock:
                    self._busy.discard(worker)
                self._replace_later(worker)
                continue
            self._release(worker)
            return pdf
        if self._closed:
            raise ConversionError("Layanan konversi PDF dihentikan saat dokumen dikonversi.")
        raise ConversionError("Konversi ke PDF gagal dua kali: " + "; ".join(reasons) + ".")

    def idle(self) -> int:
        """How many processes are ready and waiting for a job right now."""
        return self._free.qsize()

    def workers(self) -> list[WorkerInfo]:
        """The processes running now (including ones still starting)."""
        with self._lock:
            return [WorkerInfo(pid=w.pid, port=w.port, busy=w in self._busy) for w in self._all]

    def close(self) -> None:
        """Stop every process (whole process groups) and the replacements still starting."""
        with self._lock:
            self._closed = True
            workers = list(self._all)
            replacers = list(self._replacers)
        killers = [threading.Thread(target=self._kill, args=(w,), daemon=True) for w in workers]
        for thread in killers:
            thread.start()
        for thread in killers:
            thread.join(timeout=30)
        for thread in replacers:
            thread.join(timeout=15)
        with self._lock:
            leftovers = list(self._all)
        for worker in leftovers:
            self._kill(worker)

    def __enter__(self) -> LibreOfficeConverter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _fault_reason(fault: xmlrpc.client.Fault) -> str:
    text = str(fault.faultString).strip().splitlines()
    last = text[-1] if text else "kesalahan tidak dikenal"
    return f"LibreOffice menolak dokumen ({last[:300]})"
