"""One sweep at a time in an output directory: an exclusive lock held while the sweep runs.

The lock is ``fcntl.flock`` on ``DIR/sweep.lock``: the kernel releases it when the holder's
process ends in any way (``kill -9`` included), so a lock is never stale; the file keeps the
holder's PID only to name it in the message a second sweep gets.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from sim.errors import UserError

LOCK_NAME = "sweep.lock"


class DirectoryLock:
    """An exclusive, non-blocking lock on a sweep directory (the directory must exist)."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, or raise a one-line ``UserError`` naming the sweep that holds it."""
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise UserError(f"--out {self.path.parent}: cannot create {LOCK_NAME} ({error.strerror or error})") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise UserError(f"--out {self.path.parent}: another sweep (pid {holder}) is running there; "
                            "wait for it or choose another --out") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> DirectoryLock:
        self.acquire()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.release()
