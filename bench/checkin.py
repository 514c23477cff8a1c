"""Check-in API throughput and latency under gunicorn and PostgreSQL, beside a trivial endpoint.

Usage:
    .venv/bin/python bench/checkin.py [--admin-url postgresql://postgres@127.0.0.1:5432/postgres]
        [--registrations 100000] [--users 16] [--duration 40] [--workers N] [--duplicates 0.2]

What it does, all on 127.0.0.1:
1. creates a throwaway PostgreSQL database and migrates it;
2. loads an edition open today and N confirmed registrations (people and
   registrations with COPY), a check-in staff account and its API token;
3. serves the app with gunicorn (sync workers, 2 x cores by default);
4. drives POST /api/v1/editions/<slug>/checkins with locust, headless, bounded
   in time, `--duplicates` of the scans being a second scan of a badge already
   admitted (a new scan_id: "already checked in"), then GET /healthz the same way;
5. prints scans/s, p50/p95/p99 latency and errors for both, the ratio against
   the targets, and checks in SQL that nobody has two gate check-ins on a day;
6. stops gunicorn and drops the database.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
VENV_BIN = Path(sys.executable).parent

from _postgres import create_database, drop_database  # noqa: E402

EDITION_SLUG = "bench-world"
EDITION_TZ = "Europe/Zurich"

LOCUSTFILE = """
import os
import random
import uuid
from datetime import UTC, datetime

from locust import FastHttpUser, constant, task

MODE = os.environ["BENCH_MODE"]
TOKEN = os.environ["BENCH_TOKEN"]
DUPLICATES = float(os.environ["BENCH_DUPLICATES"])
URL = "/api/v1/editions/%s/checkins" % os.environ["BENCH_SLUG"]
with open(os.environ["BENCH_CODES"]) as handle:
    CODES = handle.read().split()
random.shuffle(CODES)
# One locust process runs every user in gevent greenlets: plain lists are safe.
fresh = iter(CODES)
scanned = []


class Scanner(FastHttpUser):
    wait_time = constant(0)  # closed loop: each client sends as fast as it is answered

    @task
    def scan(self):
        if MODE == "healthz":
            with self.client.get("/healthz", name="GET /healthz", catch_response=True) as r:
                if r.status_code != 200:
                    r.failure("status %s" % r.status_code)
            return
        code = None
        if scanned and random.random() < DUPLICATES:
            code, expected = random.choice(scanned), "already_checked_in"
        else:
            code, expected = next(fresh, None), "welcome"
            if code is None:  # ran out of badges: scan seen ones again
                code, expected = random.choice(scanned), "already_checked_in"
        body = {
            "code": code,
            "scan_id": str(uuid.uuid4()),
            "scanned_at": datetime.now(UTC).isoformat(),
            "point": "gate",
        }
        with self.client.post(
            URL, json=body, name="POST checkins", catch_response=True,
            headers={"Authorization": "Bearer " + TOKEN},
        ) as r:
            if r.status_code != 200:
                r.failure("status %s: %s" % (r.status_code, r.text[:200]))
                return
            result = r.json().get("result")
            # A fresh badge scanned by two clients at once may come back "already".
            if result not in ("welcome", "already_checked_in"):
                r.failure("unexpected result %s" % result)
                return
            if expected == "welcome" and result == "welcome":
                scanned.append(code)
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def load(app, count: int, codes_path: Path) -> tuple[str, float]:  # type: ignore[no-untyped-def]
    """Migrate, then load the edition, people, registrations, staff and token; return the token."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from telecom.auth import services as auth_services
    from telecom.core.db import commit
    from telecom.core.permissions import Role
    from telecom.events import services as event_services
    from telecom.extensions import db
    from telecom.participants.services.badges import code_for

    with app.app_context():
        upgrade()
        started = time.perf_counter()
        today = datetime.now(UTC).date()
        edition = event_services.create_edition(
            event_services.EditionData(
                slug=EDITION_SLUG,
                name="Bench World",
                city="Geneva",
                country="CH",
                venue="Palexpo",
                start_date=today - timedelta(days=1),
                end_date=today + timedelta(days=2),
                timezone=EDITION_TZ,
                currency="CHF",
            ),
            actor=None,
        )
        staff = auth_services.create_user(
            email="gate@bench.example",
            full_name="Gate Staff",
            password=secrets.token_urlsafe(16),
            roles={Role.CHECKIN_STAFF},
            confirmed=True,
            actor=None,
        )
        commit()
        _token, secret = auth_services.create_api_token(staff, "bench scanner", actor=None)
        edition_id = edition.id

        now = datetime.now(UTC).isoformat()
        people = io.StringIO()
        registrations = io.StringIO()
        for i in range(1, count + 1):
            organisation = f"Organisation {i % 997}"
            people.write(
                f"{i}\tvisitor{i}@bench.example\tVisitor {i}\t{organisation}\t\t\t{now}\t{now}\n"
            )
            registrations.write(f"{i}\t{i}\t{edition_id}\tvisitor\tconfirmed\tf\t1\t{now}\t{now}\n")
        connection = db.session.connection().connection.driver_connection
        with connection.cursor() as cursor:
            with cursor.copy(
                "COPY people (id, email, full_name, organisation_name, job_title, "
                "accessibility_needs, created_at, updated_at) FROM STDIN"
            ) as copy:
                copy.write(people.getvalue())
            with cursor.copy(
                "COPY registrations (id, person_id, edition_id, category, status, "
                "forum_access, badge_version, created_at, updated_at) FROM STDIN"
            ) as copy:
                copy.write(registrations.getvalue())
        db.session.execute(text("SELECT setval('people_id_seq', (SELECT max(id) FROM people))"))
        db.session.execute(
            text("SELECT setval('registrations_id_seq', (SELECT max(id) FROM registrations))")
        )
        db.session.commit()
        # The tables just loaded, as autovacuum would after a bulk load; not the
        # empty check-in tables. An ANALYZE of those while empty (which autovacuum
        # never does) makes every pooled connection plan the foreign-key check of
        # scan_attempts.check_in_id as a sequential scan of check_ins, so each scan
        # costs more than the one before until the next autoanalyze: 0.7 ms of
        # PostgreSQL CPU per scan after 6,000 check-ins and 4 ms after 30,000,
        # against a flat 0.3 ms otherwise (measured in-process).
        db.session.execute(text("ANALYZE people, registrations"))
        db.session.commit()
        codes_path.write_text("\n".join(code_for(i, edition_id, 1) for i in range(1, count + 1)))
        elapsed = time.perf_counter() - started
    return secret, elapsed


def wait_until_up(base_url: str, server: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {server.returncode}")
        try:
            # base_url is our own http://127.0.0.1:<port>.
            with urllib.request.urlopen(base_url + "/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not come up")


def run_locust(mode: str, base_url: str, args, env: dict[str, str], workdir: Path) -> dict:  # type: ignore[no-untyped-def]
    prefix = workdir / f"locust-{mode}"
    command = [
        str(VENV_BIN / "locust"),
        "-f", str(workdir / "locustfile.py"),
        "--headless",
        "--host", base_url,
        "--users", str(args.users),
        "--spawn-rate", str(args.users),
        "--run-time", f"{args.duration}s",
        "--stop-timeout", "5",
        "--csv", str(prefix),
        "--only-summary",
        "--loglevel", "WARNING",
    ]  # fmt: skip
    subprocess.run(  # noqa: S603 - our own venv's locust, fixed arguments
        command,
        env={**os.environ, **env, "BENCH_MODE": mode},
        check=False,
        timeout=args.duration + 120,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    row = next(r for r in rows if r["Name"] == "Aggregated")
    failures_path = Path(f"{prefix}_failures.csv")
    failures = failures_path.read_text().strip().splitlines()[1:] if failures_path.exists() else []
    return {
        "requests": int(row["Request Count"]),
        "errors": int(row["Failure Count"]),
        "rps": float(row["Requests/s"]),
        "p50": float(row["50%"]),
        "p95": float(row["95%"]),
        "p99": float(row["99%"]),
        "failures": failures[:5],
    }


def verify(app) -> dict[str, int]:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    from telecom.extensions import db

    with app.app_context():
        doubles = db.session.execute(
            text(
                "SELECT count(*) FROM (SELECT person_id, day FROM check_ins "
                "WHERE point = 'gate' GROUP BY person_id, day HAVING count(*) > 1) AS d"
            )
        ).scalar_one()
        check_ins = db.session.execute(text("SELECT count(*) FROM check_ins")).scalar_one()
        welcomed = db.session.execute(
            text("SELECT count(*) FROM scan_attempts WHERE result = 'welcome'")
        ).scalar_one()
        admitted_people = db.session.execute(
            text(
                "SELECT count(DISTINCT registration_id) FROM scan_attempts "
                "WHERE result IN ('welcome', 'already_checked_in')"
            )
        ).scalar_one()
        attempts = db.session.execute(text("SELECT count(*) FROM scan_attempts")).scalar_one()
        duplicates = db.session.execute(
            text("SELECT count(*) FROM scan_attempts WHERE result = 'already_checked_in'")
        ).scalar_one()
        db.session.remove()
        db.engine.dispose()
    return {
        "people with two gate check-ins on a day": doubles,
        "check-ins": check_ins,
        "welcome answers": welcomed,
        "people scanned (welcome or already)": admitted_people,
        "scan attempts": attempts,
        "already-checked-in answers": duplicates,
    }


def run(args: argparse.Namespace, database_url: str) -> tuple[dict, dict, dict[str, int]]:
    """Load the data, serve it with gunicorn, drive both endpoints, verify in SQL."""
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    app_env = {
        "TELECOM_CONFIG": "production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "SERVER_NAME": f"127.0.0.1:{port}",
        "RATELIMIT_ENABLED": "0",
        "MAIL_SERVER": "",
    }
    os.environ.update(app_env)
    server = None
    try:
        from telecom import create_app

        app = create_app()
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            codes = workdir / "codes.txt"
            token, load_seconds = load(app, args.registrations, codes)
            print(f"loaded {args.registrations:,} confirmed registrations in {load_seconds:.1f} s")
            (workdir / "locustfile.py").write_text(LOCUSTFILE)

            server = subprocess.Popen(  # noqa: S603 - our own venv's gunicorn
                [
                    str(VENV_BIN / "gunicorn"),
                    "--workers",
                    str(args.workers),
                    "--threads",
                    str(args.threads),
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--log-level",
                    "warning",
                    "wsgi:app",
                ],
                cwd=ROOT,
                env={**os.environ, **app_env},
                start_new_session=True,
            )
            wait_until_up(base_url, server)
            locust_env = {
                "BENCH_TOKEN": token,
                "BENCH_SLUG": EDITION_SLUG,
                "BENCH_CODES": str(codes),
                "BENCH_DUPLICATES": str(args.duplicates),
            }
            print(
                f"gunicorn: {args.workers} sync workers on {base_url}; locust: {args.users} "
                f"clients, {args.duration} s per run, {args.duplicates:.0%} duplicate scans; "
                f"{os.cpu_count()} cores shared by server, load generator and database"
            )
            scans = run_locust("checkin", base_url, args, locust_env, workdir)
            trivial = run_locust("healthz", base_url, args, locust_env, workdir)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
    return scans, trivial, verify(app)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--admin-url",
        default=os.environ.get(
            "TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
        help="a PostgreSQL database the script may CREATE DATABASE from",
    )
    parser.add_argument("--registrations", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=16, help="concurrent locust clients")
    parser.add_argument("--duration", type=int, default=40, help="seconds per run (bounded)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per worker (more than 1: gthread workers)"
    )
    parser.add_argument("--duplicates", type=float, default=0.2)
    args = parser.parse_args()
    args.duration = max(5, min(args.duration, 120))

    database_url, database_name = create_database(args.admin_url, "telecom_bench")
    try:
        scans, trivial, checks = run(args, database_url)
    finally:
        drop_database(args.admin_url, database_name)
        print(f"dropped the throwaway database {database_name}")

    print()
    columns = ("requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors")
    print(f"{'endpoint':24} " + " ".join(f"{c:>9}" for c in columns))
    for label, figures in (("POST checkins", scans), ("GET /healthz", trivial)):
        print(
            f"{label:24} {figures['requests']:>9} {figures['rps']:>9.1f} {figures['p50']:>9.0f} "
            f"{figures['p95']:>9.0f} {figures['p99']:>9.0f} {figures['errors']:>9}"
        )
        for failure in figures["failures"]:
            print(f"    failure: {failure}")
    ratio = scans["rps"] / trivial["rps"] if trivial["rps"] else 0.0
    print(f"\ncheck-in throughput = {ratio:.0%} of the trivial endpoint's (target >= 40%)")
    print(f"check-in p95 = {scans['p95']:.0f} ms at {args.users} clients (target < 50 ms)")
    print(f"errors = {scans['errors'] + trivial['errors']} (target 0)")
    print("\nafterwards, in SQL:")
    for name, value in checks.items():
        print(f"  {name:40} {value}")
    exact = (
        checks["people with two gate check-ins on a day"] == 0
        and checks["check-ins"] == checks["welcome answers"]
        and checks["check-ins"] == checks["people scanned (welcome or already)"]
    )
    print(f"  exactly one gate check-in per person per day: {'yes' if exact else 'NO'}")
    met = ratio >= 0.4 and scans["p95"] < 50 and scans["errors"] + trivial["errors"] == 0
    print(f"\ntargets met: {'yes' if met and exact else 'no'}")
    return 0 if exact else 1


if __name__ == "__main__":
    sys.exit(main())
