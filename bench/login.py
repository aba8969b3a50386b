"""Archive login time for an unknown name, a known name with a wrong password and the right password.

Run: .venv/bin/python bench/login.py [--runs 30]
Prints figures; asserts nothing. Each login goes through the real page (CSRF, scrypt, the counters,
the audit row) on a fresh SQLite instance, each from its own address, with a lockout limit high
enough that no run is refused. An unknown name used to cost two scrypt computations and a known one
one, so the two were about 2 : 1 apart; they should now be within noise of each other.
"""

from __future__ import annotations

import argparse
import re
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "kata-sandi-arsip-yang-panjang"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs

    from service import create_app
    from service.db import get_session, upgrade_schema
    from service.users import create_user
    from signing import create_dev_pki

    with tempfile.TemporaryDirectory() as tmp:
        secret = secrets.token_urlsafe(40)
        create_dev_pki(Path(tmp) / "pki", organisation="Bench", key_passphrase=secret.encode())
        app = create_app(
            {
                "SECRET_KEY": secrets.token_urlsafe(40),
                "KEY_ENCRYPTION_SECRET": secret,
                "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
                "FILES_DIR": f"{tmp}/files",
                "PKI_DIR": f"{tmp}/pki",
                "LOGIN_MAX_FAILURES": 100_000,
            }
        )
        upgrade_schema(app.extensions["skp.engine"])
        with app.app_context():
            create_user(get_session(), "arsip1", PASSWORD, role="arsiparis")
        cases = {
            "unknown name": ("tidak-ada", PASSWORD, 401),
            "known name, wrong password": ("arsip1", "bukan-kata-sandinya", 401),
            "known name, right password": ("arsip1", PASSWORD, 302),
        }
        timings: dict[str, list[float]] = {case: [] for case in cases}
        for i in range(runs):
            # Interleaved, so that a change of machine load touches every case alike.
            for case, (username, password, status) in cases.items():
                client = app.test_client()
                client.environ_base["REMOTE_ADDR"] = f"10.{i // 250}.{i % 250}.{len(timings[case]) % 250}"
                match = CSRF.search(client.get("/arsip/login").text)
                assert match is not None
                form = {"username": username, "password": password, "csrf_token": match.group(1)}
                start = time.perf_counter()
                response = client.post("/arsip/login", data=form)
                timings[case].append((time.perf_counter() - start) * 1000)
                assert response.status_code == status, (case, response.status_code)
        app.extensions["skp"].close()
        app.extensions["skp.engine"].dispose()

    print(f"archive login through the page, {runs} runs each (ms)")
    for case, values in timings.items():
        values.sort()
        p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
        print(f"  {case:<28} p50 {statistics.median(values):7.1f}   p95 {p95:7.1f}")
    unknown, known = (
        statistics.median(timings["unknown name"]),
        statistics.median(timings["known name, wrong password"]),
    )
    print(f"  unknown / known-wrong p50 ratio: {unknown / known:.2f} (was about 2 with two scrypt runs)")


if __name__ == "__main__":
    main()
