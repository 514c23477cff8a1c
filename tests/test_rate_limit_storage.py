"""Rate limits must hold across workers, so production keeps them in Redis."""

from __future__ import annotations

import os
import uuid

import pytest

from telecom import create_app
from telecom.extensions import db, limiter
from tests.helpers import submit_form

REDIS_URL = os.environ.get("TEST_REDIS_URL")


@pytest.mark.skipif(not REDIS_URL, reason="set TEST_REDIS_URL to test Redis-backed rate limits")
def test_login_limit_is_shared_through_redis(database_url: str) -> None:
    # Two separate app instances stand in for two gunicorn workers.
    settings = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        "LOGIN_RATE_LIMIT": "3 per minute",
    }
    worker_a = create_app("testing", **settings)
    worker_b = create_app("testing", **settings)
    try:
        statuses = []
        for worker in (worker_a, worker_b, worker_a, worker_b):
            with worker.app_context():
                client = worker.test_client()
                response = submit_form(
                    client, "/account/login", {"email": "x@example.org", "password": "wrong"}
                )
                statuses.append(response.status_code)
        assert statuses == [200, 200, 200, 429]
    finally:
        with worker_a.app_context():
            limiter.reset()
        for worker in (worker_a, worker_b):
            with worker.app_context():
                db.engine.dispose()  # close pooled connections now, not at garbage collection
