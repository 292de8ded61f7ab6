"""Submissions run in a separate process, with limits, behind a bytes-only protocol.

The parent process plays the games (it owns the environment core and the co-players) and asks
the worker for actions each round; the worker only loads the submission and answers ``reset`` and
``act``. What crosses back is raw bytes that the parent parses and checks itself — never a
pickle — so a submission cannot run code in the parent, fake a game's outcome, or see its
co-player. Limits:

- wall-clock timeouts per call (loading, ``reset``, ``act``): the worker is killed when one runs
  out;
- an address-space limit (``RLIMIT_AS``) and a file-size limit (``RLIMIT_FSIZE``) in the worker;
- the worker's stdout and stderr go to a log file, so printing cannot corrupt the protocol (the
  tail of that log is kept for the failure reason);
- the worker runs in a temporary directory and is never given the database path; only the parent
  writes to the database.

This contains buggy, crashing, hanging or memory-hungry submissions. It is a process boundary,
not a security jail: evaluate submissions from strangers inside a container.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np

from coop_envs.core import AGENT_OBSERVATION, AGENT_PROTOCOL, MatrixGame

OBS_WIDTH = AGENT_OBSERVATION.size


@dataclass(frozen=True)
class Limits:
    """Resource limits of a submission's worker process."""

    load_seconds: float = 120.0
    """Time to start the worker and load the submission (torch imports take seconds)."""
    call_seconds: float = 20.0
    """Time for one ``reset`` or ``act`` call (a whole batch of games)."""
    memory_mb: int = 4096
    """Address-space limit of the worker (``RLIMIT_AS``), in MiB."""
    file_mb: int = 64
    """Largest file the worker may write (``RLIMIT_FSIZE``), in MiB."""


class SubmissionFailure(RuntimeError):
    """The submission failed while being evaluated; ``reason`` says how, ``agent`` which one."""

    def __init__(self, reason: str, agent: Any = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.agent = agent


class RemoteAgent:
    """A submission's agent running in a worker process (the agent protocol, from outside).

    Args:
        submission: What to load (a :class:`~leaderboard.submissions.Submission`).
        game: The game the agent plays (memory-one and Axelrod agents need the payoffs).
        limits: Resource limits.

    The worker starts loading at once; :meth:`wait_ready` (or the first ``reset``) waits for it,
    so several workers load in parallel.

    Raises:
        SubmissionFailure: If loading fails, times out or the worker dies.
    """

    protocol = AGENT_PROTOCOL

    def __init__(self, submission: Any, game: MatrixGame, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self.name = Path(submission.source).stem if "/" in submission.source else submission.source
        self._closed = True
        self._tmp = tempfile.TemporaryDirectory(prefix="coop-submission-")
        self.log_path = Path(self._tmp.name) / "worker.log"
        parent_socket, child_socket = socket.socketpair()
        config = {
            "fd": child_socket.fileno(),
            "submission": submission.to_dict(),
            "game": game.to_dict(),
            "limits": asdict(self.limits),
        }
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": self._tmp.name,
            "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
            "OMP_NUM_THREADS": "1",
            "MPLBACKEND": "Agg",
        }
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "leaderboard.worker", json.dumps(config)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=(child_socket.fileno(),),
                cwd=self._tmp.name,
                env=env,
            )
        child_socket.close()
        self._conn = Connection(parent_socket.detach())
        self._closed = False
        self._ready = False
        self.num_envs = 0

    def wait_ready(self) -> None:
        """Wait until the submission is loaded (workers load in parallel until then)."""
        if not self._ready:
            self._receive("loading the submission", self.limits.load_seconds)
            self._ready = True

    def _log_tail(self) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return text[-600:].strip()

    def _fail(self, reason: str) -> None:
        self.close()
        raise SubmissionFailure(reason, agent=self)

    def _receive(self, what: str, timeout: float) -> bytes:
        try:
            ready = self._conn.poll(timeout)
        except (EOFError, OSError):
            ready = True
        if not ready:
            self._fail(f"timed out after {timeout:g} s while {what}")
        try:
            reply = self._conn.recv_bytes(maxlength=8 * max(self.num_envs, 1) + 65536)
        except (EOFError, OSError) as exc:
            try:
                code = self._process.wait(1.0)
            except subprocess.TimeoutExpired:
                code = None
            hint = " (killed: out of memory?)" if code is not None and code < 0 else ""
            tail = self._log_tail()
            self._fail(
                f"the worker died while {what}, exit code {code}{hint}"
                + (f"; its output ended with: {tail}" if tail else "")
                + ("" if isinstance(exc, EOFError) else f" [{type(exc).__name__}]")
            )
        if not reply:
            self._fail(f"empty reply while {what}")
        tag, body = reply[:1], reply[1:]
        if tag == b"E":
            self._fail(body.decode("utf-8", "replace"))
        if tag not in (b"K", b"A"):
            self._fail(f"malformed reply while {what} (tag {tag!r})")
        return body

    def reset(self, num_envs: int, seed: int | None = None) -> None:
        """Start ``num_envs`` games in the worker."""
        self.wait_ready()
        self.num_envs = int(num_envs)
        self._send(("reset", self.num_envs, None if seed is None else int(seed)), "reset()")
        self._receive("in reset()", self.limits.call_seconds)

    def act(self, observations: np.ndarray) -> np.ndarray:
        """``(B,)`` actions for ``(B, 8)`` observations; checked here, not trusted."""
        payload = np.ascontiguousarray(observations, dtype=np.float32).tobytes()
        self._send(("act", payload), "act()")
        body = self._receive("in act()", self.limits.call_seconds)
        if len(body) != 8 * self.num_envs:
            self._fail(f"act() answered {len(body)} bytes; expected {8 * self.num_envs}")
        actions = np.frombuffer(body, dtype=np.int64).copy()
        if not np.isin(actions, (0, 1)).all():
            self._fail("act() returned actions other than 0 and 1")
        return actions

    def _send(self, message: tuple, what: str) -> None:
        try:
            self._conn.send(message)
        except (BrokenPipeError, OSError):
            self._fail(f"the worker is gone (before {what}); exit code {self._process.poll()}")

    def close(self) -> None:
        """Stop the worker (politely, then by force) and remove its directory."""
        if self._closed:
            return
        self._closed = True
        if self._process.poll() is None:
            try:
                self._conn.send(("close",))
            except (BrokenPipeError, OSError):
                pass
            try:
                self._process.wait(2.0)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(5.0)
        self._conn.close()
        self._tmp.cleanup()

    def __enter__(self) -> RemoteAgent:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
