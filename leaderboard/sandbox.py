"""Submissions run in a jailed worker process, with limits, behind a bytes-only protocol.

The parent process plays the games (it owns the environment core and the co-players) and asks
the worker for actions each round; the worker only loads the submission and answers ``reset`` and
``act``. What crosses back is raw bytes that the parent parses and checks itself — never a
pickle — so a submission cannot run code in the parent, fake a game's outcome, or see its
co-player. Loading (``import`` of a ``.py``, ``torch.load`` of a checkpoint, an SB3 ``.zip``)
happens in the worker only.

The jail is bubblewrap (``bwrap``, Debian's ``bubblewrap``): the worker sees a read-only view of
the Python installation, the installed packages and the submission file, a private tmpfs as the
only writable place (its working directory and ``/tmp``), no network (``--unshare-net``), its
own process and IPC namespaces (``--unshare-pid --unshare-ipc``: when the worker ends every
process it started ends with it), a fresh environment (``--clearenv``) and a new session (no
terminal). It dies with its parent. Limits, in and around the jail:

- wall-clock timeouts per call (loading, ``reset``, ``act``): the worker is killed when one runs
  out;
- an address-space limit (``RLIMIT_AS``) and a file-size limit (``RLIMIT_FSIZE``) in the worker;
- a process limit against fork bombs: a ``pids`` cgroup when one can be created (root), else
  ``RLIMIT_NPROC`` (which the kernel does not apply to root);
- the worker's stdout and stderr go to a log file, so printing cannot corrupt the protocol (the
  tail of that log is kept for the failure reason);
- the worker is never given the database: it is not inside the jail, and only the parent writes.

Where ``bwrap`` is missing, untrusted kinds (:data:`UNTRUSTED_KINDS`) are refused unless the
caller trusts them (``Limits(trust=True)``, ``submit --trust``).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np

from coop_envs.core import AGENT_OBSERVATION, AGENT_PROTOCOL, MatrixGame

OBS_WIDTH = AGENT_OBSERVATION.size
ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("coop_envs", "co_players", "baselines", "leaderboard")
UNTRUSTED_KINDS = ("python", "checkpoint", "sb3", "rllib")
"""Kinds whose loading runs or unpickles submitted content (they need the jail)."""
INSTALL_HINT = (
    "install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap) so that submissions run in "
    "a jail, or pass --trust to run this one without a jail"
)


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
    processes: int = 64
    """Most processes and threads in the worker's jail (a ``pids`` cgroup, or ``RLIMIT_NPROC``)."""
    jail: bool = True
    """Run the worker in bubblewrap; ``False`` turns the jail off (for the tests that show what
    it blocks, and for measuring its cost)."""
    trust: bool = False
    """Run untrusted kinds without a jail where bubblewrap is missing (``submit --trust``)."""

    def __post_init__(self) -> None:
        for name in ("load_seconds", "call_seconds", "memory_mb", "file_mb", "processes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise ValueError(f"Limits.{name} must be a positive number; got {value!r}")


def accepted_actions(num_actions: int) -> str:
    """What ``act()`` may return: ``0 (cooperate) or 1 (defect)``, or ``an int in 0..n-1``."""
    if num_actions == 2:
        return "0 (cooperate) or 1 (defect)"
    return f"an int in 0..{num_actions - 1}"


class JailUnavailable(RuntimeError):
    """No jail can be set up for an untrusted submission; the message says how to fix it."""


@functools.cache
def jail_available() -> bool:
    """Whether ``bwrap`` is installed and can create the jail's namespaces here."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return False
    try:
        result = subprocess.run(
            [bwrap, "--ro-bind", "/", "/", "--unshare-net", "--unshare-pid", "--", "true"],
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return result.returncode == 0


def _readonly_paths(submission_path: str | None) -> list[str]:
    """What the worker needs to see: Python, the installed packages, the submission file."""
    paths = [sys.base_prefix, sys.prefix, str(Path(os.path.realpath(sys.executable)).parent)]
    paths += [str(ROOT / package) for package in PACKAGES]
    if submission_path is not None:
        paths.append(submission_path)
    seen: list[str] = []
    for path in paths:
        if os.path.exists(path) and path not in seen and not path.startswith("/usr/"):
            seen.append(path)
    return seen


def jail_command(
    submission_path: str | None, env: dict[str, str], tmpfs_mb: int = 256
) -> list[str]:
    """The ``bwrap`` command line that runs a command in the worker's jail.

    Args:
        submission_path: The submission file to bind read-only (``None``: no file).
        env: The whole environment of the worker (everything else is cleared).
        tmpfs_mb: Size of the private ``/tmp``, the only writable place (it is memory).

    Returns:
        The arguments before the worker's own command.
    """
    args = [shutil.which("bwrap") or "bwrap", "--size", str(int(tmpfs_mb) * 1024 * 1024)]
    args += ["--tmpfs", "/tmp", "--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    for etc in ("/etc/ld.so.cache", "/etc/localtime", "/etc/ssl"):
        args += ["--ro-bind-try", etc, etc]
    for path in _readonly_paths(submission_path):
        args += ["--ro-bind", path, path]
    args += ["--proc", "/proc", "--dev", "/dev", "--chdir", "/tmp"]
    args += ["--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts"]
    args += ["--die-with-parent", "--new-session", "--cap-drop", "ALL", "--clearenv"]
    for key, value in env.items():
        args += ["--setenv", key, value]
    return [*args, "--"]


def _pids_cgroup(limit: int) -> Path | None:
    """A fresh ``pids`` cgroup limited to ``limit`` tasks, where this process may make one."""
    for base in (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup")):
        if not (base / "cgroup.procs").exists():
            continue
        group = base / f"coop-worker-{uuid.uuid4().hex[:12]}"
        try:
            group.mkdir()
        except OSError:
            continue
        try:
            (group / "pids.max").write_text(str(int(limit)))
            return group
        except OSError:
            group.rmdir()
    return None


def _kill_cgroup(group: Path) -> None:
    """SIGKILL everything left in the cgroup, then remove it."""
    for _ in range(1000):  # up to 2 s: the killed tasks leave the cgroup asynchronously
        try:
            pids = [int(p) for p in (group / "cgroup.procs").read_text().split()]
        except OSError:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            group.rmdir()
            return
        except OSError:
            time.sleep(0.002)


def describe_exit(code: int | None, jailed: bool) -> str:
    """``exit code N``, or the signal that ended the worker (bwrap reports it as 128 + N)."""
    if code is None:
        return "exit code unknown"
    number = -code if code < 0 else code - 128 if jailed and 128 < code < 160 else 0
    if not number:
        return f"exit code {code}"
    try:
        name = signal.Signals(number).name
    except ValueError:
        name = f"signal {number}"
    if number == signal.SIGKILL:
        return f"killed by {name} (a limit: memory or processes?)"
    return f"crashed with {name}"


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
        game: The game the agent plays (memory-one and Axelrod agents need the payoffs), or a
            game suite's :class:`~leaderboard.game_scoring.SuiteGame`.
        limits: Resource limits.

    The worker starts loading at once; :meth:`wait_ready` (or the first ``reset``) waits for it,
    so several workers load in parallel.

    Raises:
        SubmissionFailure: If loading fails, times out or the worker dies.
    """

    protocol = AGENT_PROTOCOL

    def __init__(self, submission: Any, game: MatrixGame, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        # a game suite's agent (leaderboard.game_scoring.SuiteGame) may have more actions
        self.num_actions = int(getattr(game, "num_actions", 2))
        self.name = Path(submission.source).stem if "/" in submission.source else submission.source
        self._closed = True
        self.jailed = self.limits.jail and jail_available()
        if not self.jailed and self.limits.jail and not self.limits.trust:
            if submission.kind in UNTRUSTED_KINDS:
                raise JailUnavailable(
                    f"cannot run the {submission.kind} submission {submission.source!r}: no jail "
                    f"(bubblewrap is missing or cannot create namespaces here), and "
                    f"{submission.kind} submissions run submitted code when loaded; {INSTALL_HINT}"
                )
        self._tmp = tempfile.TemporaryDirectory(prefix="coop-submission-")
        self.log_path = Path(self._tmp.name) / "worker.log"
        parent_socket, child_socket = socket.socketpair()
        self._cgroup = _pids_cgroup(self.limits.processes) if self.jailed else None
        config = {
            "fd": child_socket.fileno(),
            "submission": submission.to_dict(),
            "game": game.to_dict(),
            "limits": asdict(self.limits),
            "nproc": self._cgroup is None and self.jailed,
        }
        command = [sys.executable, "-m", "leaderboard.worker", json.dumps(config)]
        path = [p for p in sys.path if p and os.path.isabs(p)]
        env = {"OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg", "PYTHONPATH": os.pathsep.join(path)}
        if self.jailed:
            env |= {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "PYTHONDONTWRITEBYTECODE": "1"}
            source = submission.source if os.path.exists(submission.source) else None
            command = jail_command(source, env, 4 * self.limits.file_mb) + command
            cwd = None
        else:
            env |= {"PATH": os.environ.get("PATH", ""), "HOME": self._tmp.name}
            cwd = self._tmp.name
        if self._cgroup is not None:  # enter the cgroup before exec, so every descendant is in it
            # (a shell, not preexec_fn: forking this big process from Python costs ~20 ms)
            procs = str(self._cgroup / "cgroup.procs")
            command = ["/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"', procs, *command]
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=(child_socket.fileno(),),
                cwd=cwd,
                env=env,
                start_new_session=True,
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
            tail = self._log_tail()
            self._fail(
                f"the worker died while {what}, {describe_exit(code, self.jailed)}"
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
        """``(B,)`` actions for ``(B, 8)`` observations (a game suite's: ``(B, D)``); checked."""
        payload = np.ascontiguousarray(observations, dtype=np.float32).tobytes()
        self._send(("act", payload), "act()")
        body = self._receive("in act()", self.limits.call_seconds)
        if len(body) != 8 * self.num_envs:
            self._fail(f"act() answered {len(body)} bytes; expected {8 * self.num_envs}")
        actions = np.frombuffer(body, dtype=np.int64).copy()
        bad = (actions < 0) | (actions >= self.num_actions)
        if bad.any():
            i = int(np.argmax(bad))
            self._fail(
                f"act() must return {accepted_actions(self.num_actions)}; got "
                f"{int(actions[i])} at index {i}"
            )
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
        if not self.jailed:  # the worker's own process group (a jail's pid namespace ends itself)
            try:
                os.killpg(self._process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if self._cgroup is not None:
            _kill_cgroup(self._cgroup)
        self._conn.close()
        self._tmp.cleanup()

    def __enter__(self) -> RemoteAgent:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
