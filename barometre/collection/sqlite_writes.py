"""One writer at a time on a SQLite database, across the server's threads and processes.

SQLite lets one connection write at a time; the others wait in its busy handler, which sleeps in
growing steps (up to 100 ms) and lets newcomers overtake a sleeper: under many concurrent
autosaves from two server processes, a few saves waited 0.3 to 0.9 s. Holding an exclusive
`flock` on a file beside the database for the length of the write transaction makes writers
queue in the kernel instead, which wakes the next one as soon as the lock is released.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

try:
    import fcntl
except ImportError:  # not POSIX: SQLite's own busy handler still serialises writers
    fcntl = None

_THREADS = threading.Lock()
_FILES: dict[tuple[int, str], int] = {}


def writer_lock_path(connection) -> str | None:
    """The lock file of a file-backed SQLite database (`<database>-writer.lock`), else None."""
    if connection.vendor != "sqlite" or connection.is_in_memory_db():
        return None
    return f"{connection.settings_dict['NAME']}-writer.lock"


def _lock_file(path: str) -> int:
    """This process's descriptor of the lock file (one per process: `flock` locks are per open)."""
    key = (os.getpid(), path)
    fd = _FILES.get(key)
    if fd is None:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        _FILES[key] = fd
    return fd


@contextmanager
def single_writer(connection) -> Iterator[None]:
    """Hold the database's writer lock around a write transaction about to begin.

    A no-op on PostgreSQL, on in-memory SQLite and inside a transaction already open (which may
    hold SQLite's lock already: waiting for another writer there could only deadlock).
    """
    path = writer_lock_path(connection)
    if path is None or connection.in_atomic_block:
        yield
        return
    with _THREADS:
        fd = _lock_file(path)
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)
