"""The pool's processes across owners: they die with their owner, whatever kills it, and pools that
share a folder (the gunicorn workers of one instance) leave each other alone.

The owner test starts a real process that owns a warm pool, SIGKILLs it (no ``close``, no
``atexit``), and counts the LibreOffice processes left whose command line names the pool's folder
(the profile path).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from service.documents.converter import LibreOfficeConverter
from service.documents.render import render_document
from tests.unit.documents.support import FORM_EXAMPLES, PACKAGED, load

pytestmark = pytest.mark.slow  # every test starts LibreOffice

OWNER = """
import sys, time
from service.documents.converter import LibreOfficeConverter
pool = LibreOfficeConverter(processes=int(sys.argv[2]), work_dir=sys.argv[1])
print("READY", flush=True)
time.sleep(600)
"""


def office_processes(marker: Path) -> list[tuple[int, str]]:
    """Live (non-zombie) processes whose command line names ``marker``, as ``(pid, name)``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        state = stat[stat.rindex(")") + 2 :].split()[0]
        if str(marker) in cmdline and state != "Z":
            found.append((int(entry.name), name))
    return found


def wait_until_gone(marker: Path, timeout: float) -> list[tuple[int, str]]:
    deadline = time.monotonic() + timeout
    left = office_processes(marker)
    while left and time.monotonic() < deadline:
        time.sleep(0.2)
        left = office_processes(marker)
    return left


def kill_all(processes: list[tuple[int, str]]) -> None:
    """Clean up after a failed assertion, so that one failure does not leak into the next tests."""
    for pid, _ in processes:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            continue


def test_sigkill_of_the_owner_leaves_no_libreoffice_process(tmp_path: Path) -> None:
    work = tmp_path / "lo"
    processes = 2
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER, str(work), str(processes)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert owner.stdout is not None
    left: list[tuple[int, str]] = []
    try:
        assert owner.stdout.readline().strip() == "READY"
        running = [p for p in office_processes(work) if p[0] != owner.pid]
        names = [name for _, name in running]
        # What a warm process is: unoserver (python3), the soffice wrapper's oosplash, soffice.bin.
        assert names.count("soffice.bin") == processes, running
        os.kill(owner.pid, signal.SIGKILL)
        owner.wait(10)
        left = wait_until_gone(work, timeout=15)
        print(f"\nLibreOffice processes of the owner: {len(running)} warm, {len(left)} left after kill -9")
        assert left == []
        # Their profile folders go with them (only the shared template profile stays).
        assert [p.name for p in work.glob("profile-*") if p.is_dir()] == []
    finally:
        owner.kill()
        owner.wait(10)
        owner.stdout.close()
        kill_all(left or office_processes(work))


def test_pools_starting_together_in_one_folder_both_come_up(tmp_path: Path) -> None:
    """Two gunicorn workers warm up at the same moment: the first used to copy the shared template
    profile while the second was still making it (``shutil.Error`` on its ``.lock``, no pool).
    """
    work = tmp_path / "lo"
    pools: list[LibreOfficeConverter] = []
    errors: list[BaseException] = []

    def warm(after: Path | None) -> None:
        deadline = time.monotonic() + 60
        while after is not None and not after.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        try:
            pools.append(LibreOfficeConverter(processes=1, work_dir=work))
        except BaseException as error:  # noqa: BLE001  (reported below)
            errors.append(error)

    # The second starts as the first one's LibreOffice is writing the template profile.
    threads = [
        threading.Thread(target=warm, args=(None,)),
        threading.Thread(target=warm, args=(work / "template" / "user",)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    try:
        assert errors == []
        assert len(pools) == 2
        assert all(pool.idle() == 1 for pool in pools)
    finally:
        for pool in pools:
            pool.close()


def test_a_pool_started_beside_a_running_one_keeps_its_profiles(tmp_path: Path) -> None:
    """A gunicorn worker started after a kill cleans up the folder; it used to delete the live
    profiles of the other worker's LibreOffice too.
    """
    work = tmp_path / "lo"
    docx = render_document(*load(FORM_EXAMPLES["pp46_2011/skp.docx"]()), packaged_dir=PACKAGED)
    stale = work / "profile-0123456789ab"
    (stale / "user").mkdir(parents=True)  # left by a process long gone (a machine crash)
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    first = LibreOfficeConverter(processes=1, work_dir=work)
    try:
        live = {p.name for p in work.glob("profile-*") if p.is_dir()} - {"profile-0123456789ab"}
        second = LibreOfficeConverter(processes=1, work_dir=work)
        try:
            profiles = {p.name for p in work.glob("profile-*") if p.is_dir()}
            assert live <= profiles
            assert "profile-0123456789ab" not in profiles  # what nobody uses still goes
            assert first.convert(docx, timeout=60).startswith(b"%PDF")
        finally:
            second.close()
    finally:
        first.close()
