"""``submit --ray``: the suite's parts as Ray tasks on a local 2-CPU cluster give the same results."""

import dataclasses

import pytest
import ray  # ray[tune] is in the main install (extra sweep), so ray core is

from leaderboard.sandbox import Limits, jail_available
from leaderboard.scoring import (
    pack_submission,
    score_submission,
    score_submission_on_ray,
    unpack_submission,
)
from leaderboard.submissions import inspect_submission
from leaderboard.suite import SuiteConfig

from .conftest import EXAMPLES

SUITE = SuiteConfig(seeds=(0, 1), episodes=8, trained_exploiter=False)


@pytest.fixture(scope="module")
def cluster():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def same(a, b):
    assert a.metrics == b.metrics
    assert a.curves == b.curves
    assert a.matches == b.matches


@pytest.mark.slow
def test_ray_scoring_equals_sequential_for_a_jailed_code_submission(cluster, agent_file):
    assert jail_available()
    path = agent_file("reciprocator", "return (observations[:, [2, 4]].sum(1) > 0).astype(int)")
    submission = inspect_submission(str(path))
    opponents = [(7, "tft", inspect_submission(str(EXAMPLES / "tit_for_tat.json")))]
    sequential = score_submission(submission, SUITE, Limits(), opponents=opponents)
    fanned = score_submission_on_ray(submission, SUITE, Limits(), opponents=opponents)
    same(sequential, fanned)
    assert {seed for _, _, seed, _ in fanned.metrics} >= {0, 1}
    assert [m[1] for m in fanned.matches] == [7]


@pytest.mark.slow
def test_ray_scoring_with_the_trained_exploiter_equals_sequential(cluster):
    submission = inspect_submission(str(EXAMPLES / "win_stay_lose_shift.json"))
    suite = SuiteConfig(seeds=(0,), episodes=8, trained_exploiter=True, exploiter_updates=3)
    same(score_submission(submission, suite), score_submission_on_ray(submission, suite))


@pytest.mark.slow
def test_ray_scoring_reports_the_submission_failure(cluster, agent_file):
    from leaderboard.sandbox import SubmissionFailure

    path = agent_file("broken", "raise RuntimeError('no actions today')")
    with pytest.raises(SubmissionFailure, match="no actions today"):
        score_submission_on_ray(inspect_submission(str(path)), SUITE)


def test_a_node_without_the_file_gets_the_submitted_bytes(agent_file, tmp_path):
    path = agent_file("always_c", "return np.zeros(self.n, dtype=int)")
    submission = inspect_submission(str(path))
    files = pack_submission(submission)
    assert unpack_submission(submission, files, tmp_path / "here") == submission  # same content
    elsewhere = dataclasses.replace(submission, source=str(tmp_path / "gone" / "always_c.py"))
    copy = unpack_submission(elsewhere, files, tmp_path / "node")
    assert copy.content_hash == submission.content_hash and copy.source.startswith(str(tmp_path))
    path.write_text("tampered = True\n")  # this node's file differs: the submitted bytes win
    assert (
        unpack_submission(submission, files, tmp_path / "n2").content_hash
        == submission.content_hash
    )
    memory_one = inspect_submission(str(EXAMPLES / "tit_for_tat.json"))
    assert pack_submission(memory_one) == {}


@pytest.mark.slow
def test_cli_submit_ray_stores_the_same_metrics(cluster, tmp_path, capsys):
    from leaderboard.cli import main
    from leaderboard.storage import Database

    source = str(EXAMPLES / "tit_for_tat.json")
    assert (
        main(["--db", str(tmp_path / "a.sqlite"), "submit", source, "--name", "t", "--quick"]) == 0
    )
    args = ["--db", str(tmp_path / "b.sqlite"), "submit", source, "--name", "t", "--quick", "--ray"]
    assert main(args) == 0
    rows = []
    for db_name in ("a.sqlite", "b.sqlite"):
        with Database(tmp_path / db_name) as db:
            rows.append(
                sorted(db.connection.execute("SELECT scenario, metric, seed, value FROM metrics"))
            )
    assert rows[0] == rows[1] and rows[0]
