"""The LibreOffice side of the pool's lifeline: the process group dies when its owner dies.

Run by Debian's ``/usr/bin/python3`` (standard library only) as the leader of a new session, in one
of two forms::

    python3 office_watchdog.py FD PROFILE -m unoserver.server ARGS…   # unoserver, in this process
    python3 office_watchdog.py FD PROFILE -- COMMAND…                 # a command, as a child

``FD`` is the read end of a pipe whose only write end the owner (the service process holding the
pool) keeps open. The kernel closes that end however the owner ends: ``close()``, an exception,
SIGKILL, the OOM killer. The read here then returns EOF, and this process kills every other
process of its group (``oosplash`` and ``soffice.bin``, also once re-parented), reaps them, removes
``PROFILE`` and exits.

``PR_SET_PDEATHSIG`` alone would not do: it fires when the *thread* that started the child ends
(the pool starts processes from short-lived threads), and ``soffice.bin``, forked by ``oosplash``,
does not inherit it. This process is also made a child subreaper, so a ``soffice.bin`` whose
``oosplash`` died is re-parented here and reaped, not left a zombie under a PID 1 that never reaps.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import runpy
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

__all__ = ["group_processes", "main"]

#: ``prctl`` option (linux/prctl.h): orphaned descendants are re-parented to this process.
PR_SET_CHILD_SUBREAPER = 36


def group_processes(pgid: int) -> list[tuple[int, str]]:
    """Live (non-zombie) processes of a process group as ``(pid, command name)``; Linux ``/proc``.

    Here, in the standard-library-only watchdog, so that the pool (:mod:`.converter`) and the
    watchdog read ``/proc`` the same way.
    """
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid pgrp …"; comm may contain spaces and parentheses.
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append((int(entry.name), comm))
    return found


def _reap() -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def _end_group(profile: Path) -> None:
    """Kill and reap every other process of this group, remove the profile, exit."""
    me, group = os.getpid(), os.getpgrp()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        others = [pid for pid, _ in group_processes(group) if pid != me]
        if not others:
            break
        for pid in others:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.05)
        _reap()
    shutil.rmtree(profile, ignore_errors=True)
    os._exit(0)


def _watch(fd: int, profile: Path) -> None:
    """Block until the owner is gone (EOF: the owner never writes), then end the group."""
    while True:
        try:
            if not os.read(fd, 1):
                break
        except InterruptedError:
            continue
        except OSError:
            break
    _end_group(profile)


def main(argv: list[str]) -> int:
    """Start the watch, then run what follows ``FD PROFILE``; its exit status is returned."""
    fd, profile, mode, rest = int(argv[0]), Path(argv[1]), argv[2], argv[3:]
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    threading.Thread(target=_watch, args=(fd, profile), name="lifeline", daemon=True).start()
    if mode == "-m":
        sys.argv = [rest[0], *rest[1:]]
        runpy.run_module(rest[0], run_name="__main__", alter_sys=True)
        return 0
    if mode == "--":
        return subprocess.call(rest, stdin=subprocess.DEVNULL)
    raise SystemExit(f"usage: office_watchdog.py FD PROFILE (-m MODULE | --) ARGS… (not {mode!r})")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
