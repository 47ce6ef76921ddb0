"""An exclusive lock on an output file, held by one live process at a time.

:func:`locked` creates ``OUT.lock`` with ``O_CREAT | O_EXCL`` (atomic: of
processes racing for it, exactly one creates it) and writes its owner into
it: pid, host and the process's start time. The lock is removed when the
block ends, normally or by an exception. A process killed outright (SIGKILL)
leaves its lock behind; such a lock is *stale* (its owner is no longer
alive: no process with that pid, a zombie, or a process of that pid started
at another time, i.e. a reused pid) and the next process takes it over.
Taking over is serialised by an advisory lock (``flock``) on the folder, so
two processes that find the same stale lock cannot both take it. A lock
written on another host cannot be checked and is taken as held.

Examples
--------
>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp()) / "sweep.csv"
>>> with locked(out):
...     print(lock_path(out).name, lock_path(out).exists())
...     with locked(out):  # a second run on the same output
...         pass
Traceback (most recent call last):
...
bargain.errors.ModelError: [sweep] out: another run (pid ...) is writing .../sweep.csv; ...
>>> lock_path(out).exists()
False
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from bargain.errors import ModelError

#: Seconds a lock file may stay unreadable (its owner between creating and writing it)
#: before it is taken for the lock of a process killed in between.
GRACE = 10.0


def lock_path(out: Path) -> Path:
    """The lock file of output ``out``: ``OUT.lock``."""
    return out.with_name(out.name + ".lock")


def _start_time(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot, from ``/proc``): None if it
    is gone or a zombie, ``""`` where ``/proc`` cannot tell."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None if Path("/proc/self/stat").exists() else ""
    except OSError:
        return ""
    fields = stat[stat.rfind(")") + 2 :].split()  # after "pid (command) "
    return None if fields[0] in ("Z", "X") else fields[19]  # state, starttime (proc(5))


@dataclass(frozen=True)
class Owner:
    """The process holding a lock."""

    pid: int
    host: str
    started: str

    @classmethod
    def me(cls) -> Owner:
        return cls(os.getpid(), socket.gethostname(), _start_time(os.getpid()) or "")

    def alive(self) -> bool:
        """Whether the owner is still running (True when that cannot be told)."""
        if self.host != socket.gethostname():
            return True
        now = _start_time(self.pid)
        if now is None:
            return False
        if now and self.started:
            return now == self.started
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass
        return True

    def __str__(self) -> str:
        here = self.host == socket.gethostname()
        return f"pid {self.pid}" + ("" if here else f" on {self.host}")


def _create(path: Path, me: Owner) -> bool:
    """Create the lock for ``me``; False if it exists."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    except OSError as err:
        raise ModelError(
            f"cannot create the lock file {path}: {err.strerror}; the output's folder "
            "must be writable",
            table="sweep",
            key="out",
        ) from None
    with os.fdopen(fd, "w") as fh:
        fh.write(json.dumps(asdict(me)))
        fh.flush()
        os.fsync(fh.fileno())
    return True


def _owner(path: Path) -> tuple[Owner | None, float] | None:
    """The owner written in the lock and the lock's age in seconds (owner None if the
    file cannot be read as one); None if there is no lock."""
    try:
        text = path.read_text()
        age = time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return None
    try:
        return Owner(**json.loads(text)), age
    except (ValueError, TypeError):
        return None, age


@contextmanager
def _serialised(folder: Path) -> Iterator[None]:
    """Hold an advisory lock on ``folder`` (released by the system if the process dies)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _acquire(out: Path, me: Owner) -> None:
    path = lock_path(out)
    while not _create(path, me):
        with _serialised(path.parent):
            found = _owner(path)
            if found is None:
                continue  # released meanwhile: try again
            owner, age = found
            if (owner is None and age < GRACE) or (owner is not None and owner.alive()):
                who = "another run" + ("" if owner is None else f" ({owner})")
                raise ModelError(
                    f"{who} is writing {out}; wait for it to end or stop it (if no such "
                    f"run exists, delete {path})",
                    table="sweep",
                    key="out",
                )
            path.unlink()  # stale: its owner is dead
            if _create(path, me):
                return


@contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold the lock on ``out`` for the block.

    Raises
    ------
    ModelError
        If another live process holds it (naming its pid and the lock file), or the
        lock file cannot be created.
    """
    me = Owner.me()
    _acquire(out, me)
    try:
        yield
    finally:
        found = _owner(lock_path(out))
        if found is not None and found[0] == me:
            lock_path(out).unlink()


__all__ = ["GRACE", "Owner", "lock_path", "locked"]
