"""The worker process of a submission (``python -m leaderboard.worker CONFIG``; internal).

It runs inside the jail (see :mod:`leaderboard.sandbox`). It sets its resource limits, loads
the submission, then answers the parent's ``reset`` and ``act`` requests over the socket it
inherited. Replies are bytes: ``K`` (ok), ``A`` + int64 actions, or ``E`` + an error message.
"""

from __future__ import annotations

import json
import resource
import sys
import traceback
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

from coop_envs.core import AGENT_OBSERVATION
from leaderboard.sandbox import accepted_actions

OBS_WIDTH = AGENT_OBSERVATION.size


def check_actions(actions: Any, batch: int, num_actions: int = 2) -> np.ndarray | str:
    """The actions as int64 in ``0..num_actions - 1``, or a description of what is wrong."""
    try:
        array = np.asarray(actions)
    except Exception as exc:
        return f"act() returned something that is not an array: {type(exc).__name__}"
    if array.shape != (batch,):
        return f"act() must return shape ({batch},); got {array.shape}"
    if array.dtype.kind == "f":
        if np.isnan(array).any():
            return f"act() returned NaN (at index {int(np.argmax(np.isnan(array)))})"
        if not np.all(np.mod(array, 1) == 0):
            return "act() returned non-integer actions"
    elif array.dtype.kind not in "iub":
        return f"act() must return integer actions; got dtype {array.dtype}"
    bad = (array < 0) | (array >= num_actions)
    if bad.any():
        i = int(np.argmax(bad))
        accepted = accepted_actions(num_actions)
        return f"act() must return {accepted}; got {array[i].item()!r} at index {i}"
    return array.astype(np.int64)


def _error(conn: Connection, message: str) -> None:
    conn.send_bytes(b"E" + message[-4000:].encode("utf-8", "replace"))


def main(config: dict[str, Any]) -> int:
    """Serve one submission until the parent closes the connection."""
    conn = Connection(config["fd"])
    limits = config["limits"]
    memory = int(limits["memory_mb"]) * 1024 * 1024
    size = int(limits["file_mb"]) * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
        if config.get("nproc"):  # no pids cgroup: the per-user limit (not applied to root)
            processes = int(limits["processes"])
            resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
        from coop_envs.core import MatrixGame
        from leaderboard.submissions import Submission, load_agent, load_game_agent

        spec = config["submission"]
        submission = Submission(
            spec["kind"],
            spec["source"],
            spec["content_hash"],
            tuple(spec["memory_one"]) if spec["memory_one"] else None,
        )
        game = config["game"]
        if "suite" in game:  # a game suite's agent: its observation shape and actions
            agent = load_game_agent(submission, game["suite"])
            shape, num_actions = tuple(game["observation_shape"]), int(game["num_actions"])
        else:
            agent = load_agent(submission, MatrixGame(game["name"], np.array(game["payoffs"])))
            shape, num_actions = (OBS_WIDTH,), 2
        if "torch" in sys.modules:  # one thread: the parent and other workers share the CPU
            sys.modules["torch"].set_num_threads(1)
    except BaseException as exc:
        _error(conn, f"loading failed: {type(exc).__name__}: {exc}\n{traceback.format_exc()}")
        return 1
    conn.send_bytes(b"K")
    batch = 0
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return 0
        command = message[0]
        try:
            if command == "close":
                return 0
            if command == "reset":
                batch = message[1]
                agent.reset(batch, message[2])
                conn.send_bytes(b"K")
            elif command == "act":
                obs = np.frombuffer(message[1], dtype=np.float32).reshape(batch, *shape)
                actions = check_actions(agent.act(obs.copy()), batch, num_actions)
                if isinstance(actions, str):
                    _error(conn, actions)
                else:
                    conn.send_bytes(b"A" + actions.tobytes())
        except BaseException as exc:
            _error(
                conn, f"{command}() raised {type(exc).__name__}: {exc}\n{traceback.format_exc()}"
            )


if __name__ == "__main__":
    raise SystemExit(main(json.loads(sys.argv[1])))
