"""localstripe for the tests: loopback only, nothing written to disk.

localstripe's own CLI listens on every interface and pickles its store to
/tmp after every POST, which would leak state between runs and open a port
to the network. This module serves the same aiohttp app on 127.0.0.1 with
the disk dump turned off. It runs as a subprocess (its own event loop and
global store, away from pytest's warning filters): `start()` launches it and
returns once it prints the port it was given.

    python -m tests.payments.localstripe_server   # prints the port, serves until killed
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class LocalStripe:
    """A running localstripe: its address and process."""

    process: subprocess.Popen[str]
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def js_url(self) -> str:
        # The fake Stripe.js derives the API address from its own src; the
        # trailing slash is required for that.
        return f"{self.url}/js.stripe.com/v3/"

    def post(self, path: str, data: dict, *, key: str | None = None) -> tuple[int, dict]:
        """POST JSON as Stripe.js does from the browser (a publishable key in the body)."""
        body = dict(data)
        if key is not None:
            body["key"] = key
        request = urllib.request.Request(  # noqa: S310 (our loopback server)
            self.url + path, data=json.dumps(body).encode(), method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def register_webhook(self, url: str, secret: str, name: str = "telecom") -> None:
        status, _ = self.post(f"/_config/webhooks/{name}", {"url": url, "secret": secret})
        assert status == 200, "localstripe refused the webhook registration"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        if self.process.stdout is not None:
            self.process.stdout.close()


def start(timeout: float = 20.0) -> LocalStripe:
    """Start localstripe on 127.0.0.1 (a free port) and wait until it answers."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.payments.localstripe_server"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if not line.isdigit():
        process.kill()
        process.wait(timeout=5)
        process.stdout.close()
        raise RuntimeError(f"localstripe did not start (said {line!r})")
    server = LocalStripe(process, int(line))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=1):
                return server
        except OSError:
            time.sleep(0.05)
    server.stop()
    raise RuntimeError("localstripe did not answer")


def serve() -> None:
    """Run localstripe's app on 127.0.0.1, on a port the kernel picks, without disk dumps."""
    import logging

    from aiohttp import web
    from localstripe import resources

    resources.Store.dump_to_disk = lambda self: None  # type: ignore[method-assign]
    resources.Store.try_load_from_disk = lambda self: None  # type: ignore[method-assign]
    from localstripe.server import app

    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    print(sock.getsockname()[1], flush=True)
    web.run_app(app, sock=sock, print=None, access_log=None)


if __name__ == "__main__":
    serve()
