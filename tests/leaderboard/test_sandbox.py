"""Every way a submission can fail is caught, with a clear reason."""

import io
from pathlib import Path

import numpy as np
import pytest

from coop_envs.core import PRISONERS_DILEMMA
from leaderboard import cli, sandbox
from leaderboard.sandbox import JailUnavailable, Limits, RemoteAgent, SubmissionFailure
from leaderboard.storage import Database
from leaderboard.submissions import SubmissionError, inspect_submission

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "submissions"
LIMITS = Limits(load_seconds=60, call_seconds=3, memory_mb=1536)


def run(path, batch=4):
    agent = RemoteAgent(inspect_submission(path), PRISONERS_DILEMMA, LIMITS)
    try:
        agent.reset(batch, seed=0)
        obs = np.zeros((batch, 8), dtype=np.float32)
        obs[:, 0] = 1
        return agent.act(obs)
    finally:
        agent.close()


def test_a_good_agent_that_prints_garbage_still_works(agent_file):
    path = agent_file(
        "noisy", 'print("garbage" * 1000, "\\x00\\xff")\nreturn np.zeros(self.n, dtype=np.int8)'
    )
    assert run(path).tolist() == [0, 0, 0, 0]


@pytest.mark.parametrize(
    "body,reason",
    [
        ("raise RuntimeError('boom')", r"act\(\) raised RuntimeError: boom"),
        ("return np.zeros(self.n + 1)", r"act\(\) must return shape \(4,\); got \(5,\)"),
        ("return np.full(self.n, 2)", r"0 \(cooperate\) or 1 \(defect\); got 2 at index 0"),
        ("return np.full(self.n, np.nan)", r"act\(\) returned NaN"),
        ("return np.full(self.n, 0.5)", "non-integer actions"),
        ("return ['C'] * self.n", "must return integer actions; got dtype <U1"),
        ("import time\ntime.sleep(60)", r"timed out after 3 s while in act\(\)"),
        ("import os\nos._exit(3)", r"the worker died while in act\(\), exit code 3"),
        ("x = np.ones(4 * 1024**3, dtype=np.uint8)\nreturn np.zeros(self.n)", "MemoryError"),
    ],
    ids=["raises", "shape", "range", "nan", "fraction", "strings", "hangs", "dies", "memory"],
)
def test_failures_in_act(agent_file, body, reason):
    path = agent_file("bad", body)
    with pytest.raises(SubmissionFailure, match=reason):
        run(path)


def test_failures_while_loading(tmp_path):
    crash = tmp_path / "crash.py"
    crash.write_text("raise ImportError('missing dependency foo')\n")
    with pytest.raises(
        SubmissionFailure, match="loading failed: ImportError: missing dependency foo"
    ):
        run(crash)
    slow = tmp_path / "slow.py"
    slow.write_text("import time\ntime.sleep(60)\ndef make_agent(): pass\n")
    agent = RemoteAgent(inspect_submission(slow), PRISONERS_DILEMMA, Limits(load_seconds=2))
    with pytest.raises(SubmissionFailure, match="timed out after 2 s while loading the submission"):
        agent.wait_ready()


def test_the_worker_cannot_write_big_files(agent_file):
    path = agent_file(
        "writer", "open('big.bin', 'wb').write(b'x' * 100 * 1024**2)\nreturn np.zeros(self.n)"
    )
    with pytest.raises(SubmissionFailure, match="File too large"):  # RLIMIT_FSIZE
        run(path)


def test_the_worker_does_not_inherit_the_database_path(agent_file, monkeypatch):
    monkeypatch.setenv("COOP_LEADERBOARD_DB", "/secret/leaderboard.sqlite")
    path = agent_file(
        "spy", "import os\nreturn np.full(self.n, int('COOP_LEADERBOARD_DB' in os.environ))"
    )
    assert run(path).tolist() == [0, 0, 0, 0]


def test_a_segfault_is_reported_with_its_signal(agent_file):
    path = agent_file("segfault", "import ctypes\nctypes.string_at(0)")
    with pytest.raises(SubmissionFailure, match=r"in act\(\), crashed with SIGSEGV"):
        run(path)


@pytest.mark.parametrize("field", ["call_seconds", "memory_mb", "processes"])
def test_limits_must_be_positive(field):
    with pytest.raises(ValueError, match=f"Limits.{field} must be a positive number; got -1"):
        Limits(**{field: -1})


def test_untrusted_kinds_need_the_jail(agent_file, monkeypatch):
    monkeypatch.setattr(sandbox, "jail_available", lambda: False)
    path = agent_file("plain", "return np.zeros(self.n)")
    with pytest.raises(JailUnavailable, match=r"install bubblewrap .* or pass --trust"):
        RemoteAgent(inspect_submission(path), PRISONERS_DILEMMA, LIMITS)
    trusted = RemoteAgent(inspect_submission(path), PRISONERS_DILEMMA, Limits(trust=True))
    trusted.close()
    assert not trusted.jailed


def test_memory_one_runs_without_a_jail(monkeypatch):
    monkeypatch.setattr(sandbox, "jail_available", lambda: False)
    agent = RemoteAgent(
        inspect_submission(EXAMPLES / "always_defect.json"), PRISONERS_DILEMMA, LIMITS
    )
    try:
        agent.reset(2, seed=0)
        obs = np.zeros((2, 8), dtype=np.float32)
        obs[:, 0] = 1
        assert agent.act(obs).tolist() == [1, 1]
    finally:
        agent.close()


def test_a_checkpoint_with_nan_weights_fails_with_that_reason(tmp_path):
    torch = pytest.importorskip("torch")
    payload = torch.load(EXAMPLES / "baseline_gru.pt", weights_only=True)
    first = next(iter(payload["state_dict"]))
    payload["state_dict"][first] = torch.full_like(payload["state_dict"][first], float("nan"))
    path = tmp_path / "nan_weights.pt"
    torch.save(payload, path)
    with pytest.raises(SubmissionFailure, match=r"loading failed: .*non-finite"):
        run(path)


def test_submit_refuses_code_without_a_jail(tmp_path, agent_file, monkeypatch):
    monkeypatch.setattr(cli, "jail_available", lambda: False)
    path = agent_file("plain", "return np.zeros(self.n)")
    with (
        Database(tmp_path / "lb.sqlite") as db,
        pytest.raises(
            SubmissionError, match=r"refusing to run the python submission .* without a jail"
        ),
    ):
        cli.submit(db, str(path), "plain", quick=True, out=io.StringIO())


@pytest.mark.parametrize(
    "code,jailed,text",
    [
        (-9, False, "killed by SIGKILL (a limit: memory or processes?)"),
        (-11, False, "crashed with SIGSEGV"),
        (139, True, "crashed with SIGSEGV"),  # bwrap reports a signal as 128 + N
        (139, False, "exit code 139"),
        (3, True, "exit code 3"),
    ],
)
def test_exit_codes_are_described(code, jailed, text):
    assert sandbox.describe_exit(code, jailed) == text
