"""Hostile submissions: what the jail blocks.

Each test here fails without the jail. To see that, run them with the jail switched off:
``COOP_TEST_NO_JAIL=1 python -m pytest tests/leaderboard/test_jail.py`` (test-only switch).
The output and memory tests are guarded by the worker's rlimits, the environment test by the
cleared environment and the checkpoint test by ``torch.load(weights_only=True)``: those stay on
either way.
"""

import base64
import json
import os
import pickle
import socket
import sqlite3
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from coop_envs.core import PRISONERS_DILEMMA
from leaderboard.sandbox import Limits, RemoteAgent, SubmissionFailure, jail_available
from leaderboard.storage import Database
from leaderboard.submissions import inspect_submission

from .conftest import record

JAIL = os.environ.get("COOP_TEST_NO_JAIL") != "1"
LIMITS = Limits(load_seconds=60, call_seconds=10, memory_mb=1536, jail=JAIL)


@pytest.fixture(autouse=True)
def _needs_the_jail():
    """Fail, not skip, without bubblewrap: a missing jail must not pass unnoticed."""
    if JAIL and not jail_available():
        pytest.fail("bubblewrap (bwrap) is missing or cannot run here: apt-get install bubblewrap")


def play(path, batch=4, limits=LIMITS):
    """The submission's first actions; the worker is closed afterwards."""
    agent = RemoteAgent(inspect_submission(path), PRISONERS_DILEMMA, limits)
    try:
        agent.reset(batch, seed=0)
        obs = np.zeros((batch, 8), dtype=np.float32)
        obs[:, 0] = 1
        return agent.act(obs).tolist()
    finally:
        agent.close()


def attempt(action: str) -> str:
    """An act() body that tries ``action`` and answers 1 (defect) if it worked, else 0."""
    return (
        "try:\n" + "".join(f"    {line}\n" for line in action.splitlines()) + "    worked = 1\n"
        "except Exception:\n"
        "    worked = 0\n"
        "return np.full(self.n, worked)"
    )


def test_no_writes_outside_the_worker(agent_file, tmp_path):
    target = tmp_path / "outside.txt"
    path = agent_file("writer", attempt(f"open({str(target)!r}, 'w').write('pwned')"))
    play(path)
    assert not target.exists()


def test_the_database_is_out_of_reach(tmp_path):
    db_path = tmp_path / "db" / "leaderboard.sqlite"
    db_path.parent.mkdir()
    with Database(db_path) as db:
        record(db, "earlier")
    vandal = tmp_path / "vandal.py"
    vandal.write_text(  # at import time, as in the issue: overwrite every *.sqlite* it finds
        "import glob\n"
        f"for f in glob.glob({str(tmp_path)!r} + '/**/*.sqlite*', recursive=True):\n"
        "    try:\n"
        "        open(f, 'wb').write(b'garbage' * 1000)\n"
        "    except OSError:\n"
        "        pass\n"
        "import numpy as np\n"
        "class Agent:\n"
        "    def reset(self, num_envs, seed=None):\n"
        "        self.n = num_envs\n"
        "    def act(self, observations):\n"
        "        return np.zeros(self.n)\n"
        "def make_agent():\n"
        "    return Agent()\n"
    )
    play(vandal)
    connection = sqlite3.connect(db_path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("SELECT name FROM submissions").fetchall() == [("earlier",)]
    finally:
        connection.close()


def test_no_network(agent_file):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        path = agent_file(
            "caller",
            attempt(f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2)"),
        )
        answer = play(path)
        server.settimeout(0.5)
        with pytest.raises(TimeoutError):
            server.accept()[0].close()
    assert answer == [0, 0, 0, 0]


def test_no_reading_another_submissions_file(agent_file, tmp_path):
    other = tmp_path / "other_entry.py"
    other.write_text("SECRET = 'the other entry'\n")
    path = agent_file("reader", attempt(f"open({str(other)!r}).read()"))
    assert play(path) == [0, 0, 0, 0]


def test_no_environment_variables(agent_file, monkeypatch):
    monkeypatch.setenv("COOP_TEST_SECRET", "token")
    path = agent_file(
        "spy", "import os\nreturn np.full(self.n, int('COOP_TEST_SECRET' in os.environ))"
    )
    assert play(path) == [0, 0, 0, 0]


def _processes_with(token: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if token.encode() in cmdline:
                found.append(int(entry.name))
    return found


def test_no_child_outlives_the_worker(agent_file):
    token = f"{os.getpid() % 1000}.{time.time_ns() % 10**6}"
    path = agent_file(
        "orphan",
        "import subprocess\n"
        f"subprocess.Popen(['sleep', '{token}'], start_new_session=True)\n"
        "return np.zeros(self.n)",
    )
    play(path)
    survivors = _processes_with(token)
    for _ in range(50):  # the kernel ends a pid namespace's processes asynchronously
        if not survivors:
            break
        time.sleep(0.1)
        survivors = _processes_with(token)
    for pid in survivors:  # clean up what this test started, before failing
        os.kill(pid, 9)
    assert survivors == []


def test_a_fork_bomb_is_bounded(agent_file):
    path = agent_file(
        "forker",
        "import os, time\n"
        "count = 0\n"
        "for _ in range(200):\n"
        "    try:\n"
        "        pid = os.fork()\n"
        "    except OSError:\n"
        "        break\n"
        "    if pid == 0:\n"
        "        time.sleep(3)\n"
        "        os._exit(0)\n"
        "    count += 1\n"
        "return np.full(self.n, int(count >= 200))",
    )
    assert play(path) == [0, 0, 0, 0]


def test_a_hundred_megabytes_of_output_are_cut(agent_file):
    path = agent_file("talker", "import sys\nsys.stdout.write('x' * 100 * 1024**2)\nreturn 1")
    with pytest.raises(SubmissionFailure, match="File too large") as failure:  # RLIMIT_FSIZE
        play(path)
    assert len(failure.value.reason) < 10_000


def test_a_twenty_gigabyte_allocation_fails(agent_file):
    path = agent_file("hog", "x = np.ones(20 * 1024**3, dtype=np.uint8)\nreturn np.zeros(self.n)")
    with pytest.raises(SubmissionFailure, match="MemoryError"):
        play(path)


class _Marker:
    """Unpickling this creates the directory ``path``."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (os.makedirs, (self.path,))


def test_a_malicious_checkpoint_runs_nothing(tmp_path):
    torch = pytest.importorskip("torch")
    marker = tmp_path / "marker_pt"
    checkpoint = tmp_path / "evil.pt"
    torch.save({"format": _Marker(str(marker))}, checkpoint)
    with pytest.raises(SubmissionFailure, match="loading failed"):
        play(checkpoint)
    assert not marker.exists()


def test_a_malicious_sb3_zip_runs_nothing(tmp_path):
    pytest.importorskip("stable_baselines3")
    marker = tmp_path / "marker_zip"
    payload = base64.b64encode(pickle.dumps(_Marker(str(marker)))).decode()
    data = {"policy_class": {":type:": "<class 'abc.ABCMeta'>", ":serialized:": payload}}
    model = tmp_path / "evil.zip"
    with zipfile.ZipFile(model, "w") as archive:
        archive.writestr("data", json.dumps(data))
    with pytest.raises(SubmissionFailure, match="loading failed"):
        play(model)
    assert not marker.exists()


def test_the_private_tmpfs_is_bounded(agent_file):
    path = agent_file(
        "filler",
        attempt(
            "for i in range(8):\n"
            "    with open(f'fill{i}.bin', 'wb') as f:\n"
            "        f.write(b'x' * 60 * 1024**2)"
        ),
    )
    assert play(path) == [0, 0, 0, 0]
