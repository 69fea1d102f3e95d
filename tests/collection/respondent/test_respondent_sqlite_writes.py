"""One SQLite writer at a time across processes: the kernel queues them (no busy-handler sleeps)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.db import connection, transaction

from barometre.collection.sqlite_writes import single_writer, writer_lock_path

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="SQLite only (PostgreSQL queues writers itself)"
)

TRY_LOCK = (
    "import fcntl, os, sys\n"
    "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)\n"
    "try:\n"
    "    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
    "except BlockingIOError:\n"
    "    print('busy')\n"
    "else:\n"
    "    print('free')\n"
)


def other_process_sees(path: str) -> str:
    """What another process finds when it tries to take the writer lock without waiting."""
    return subprocess.run(
        [sys.executable, "-c", TRY_LOCK, path], capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.mark.django_db(transaction=True)
def test_a_write_transaction_holds_the_lock_against_other_processes():
    path = writer_lock_path(connection)
    assert path is not None and path.endswith("-writer.lock")
    with single_writer(connection), transaction.atomic():
        assert other_process_sees(path) == "busy"
    assert other_process_sees(path) == "free"


@pytest.mark.django_db(transaction=True)
def test_inside_an_open_transaction_the_lock_is_not_taken():
    path = writer_lock_path(connection)
    with transaction.atomic(), single_writer(connection):
        assert other_process_sees(path) == "free"


@pytest.mark.django_db(transaction=True)
def test_autosaves_write_under_the_lock(link, monkeypatch):
    from barometre.collection import services

    seen = []
    real = services._bump_for_answers

    def spy(*args, **kwargs):
        seen.append(other_process_sees(writer_lock_path(connection)))
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "_bump_for_answers", spy)
    response = services.response_for(link.invitation)
    assert services.save_answers(response, {"agents_nombre": "3"}, 0) == 1
    assert seen == ["busy"]
