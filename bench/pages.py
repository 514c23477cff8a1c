"""Latency of the foundation's pages, in-process (no network), on a fresh demo database.

Usage: .venv/bin/python bench/pages.py [--requests N] [--database-url URL]
(--database-url must name an empty database made for the run: the script migrates it.)
Prints median and 95th percentile per page, and the process's peak memory.
"""

from __future__ import annotations

import argparse
import re
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade

from telecom import create_app
from telecom.demo import load_demo_data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, RATELIMIT_ENABLED=False)
        with app.app_context():
            upgrade()
            load_demo_data()
        client = app.test_client()
        page = client.get("/account/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
        assert token
        client.post(
            "/account/login",
            data={
                "csrf_token": token.group(1),
                "email": app.config["DEMO_ORGANIZER_EMAIL"],
                "password": app.config["DEMO_ORGANIZER_PASSWORD"],
            },
        )
        pages = [
            "/healthz",
            "/",
            "/editions/telecom-world-2015",
            "/organizer/",
            "/organizer/editions/telecom-world-2015",
            "/organizer/audit",
        ]
        print(f"{'page':45} {'p50 ms':>8} {'p95 ms':>8}")
        for path in pages:
            timings = []
            for _ in range(args.requests):
                start = time.perf_counter()
                response = client.get(path)
                timings.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, (path, response.status_code)
            timings.sort()
            p95 = timings[int(len(timings) * 0.95) - 1]
            print(f"{path:45} {statistics.median(timings):8.2f} {p95:8.2f}")
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS: {peak_mib:.1f} MiB ({args.requests} requests per page)")


if __name__ == "__main__":
    main()
