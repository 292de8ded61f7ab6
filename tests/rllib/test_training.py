"""RLlib trains on our environments in separate env runners, and our evaluation scores the result.

A local 2-CPU Ray cluster; outcomes, not timings: after a few PPO iterations of the example's
mixed pool, both LSTM learners beat random play against always-cooperate (1.5 per round) in our
own evaluation, and the leaderboard scores a learner's module in its jail.
"""

import json
import sys
from pathlib import Path

import numpy as np
import pytest
import ray
from ray.rllib.algorithms.ppo import PPOConfig

from baselines.evaluation import evaluate_players
from baselines.rllib_agent import RLlibAgent, module_directory
from co_players import AgentCoPlayer, make_co_player
from coop_envs import rllib
from coop_envs.core import AGENT_OBSERVATION, PRISONERS_DILEMMA

ROOT = Path(__file__).resolve().parents[2]
RANDOM_PLAY_VS_ALWAYS_COOPERATE = 0.5 * PRISONERS_DILEMMA.R + 0.5 * PRISONERS_DILEMMA.T


@pytest.fixture(scope="module")
def cluster():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def example():
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import rllib_mixed_pool
    finally:
        sys.path.pop(0)
    return rllib_mixed_pool


@pytest.fixture(scope="module")
def checkpoint(cluster, example, tmp_path_factory):
    return example.train(3, tmp_path_factory.mktemp("rllib") / "mixed_pool", seed=0)


def one_iteration(env, env_config, multi):
    config = (
        PPOConfig()
        .environment(env, env_config=env_config)
        .env_runners(num_env_runners=1)
        .training(train_batch_size_per_learner=200, minibatch_size=100, num_epochs=1)
        .fault_tolerance(restart_failed_env_runners=False)
        .debugging(seed=0)
    )
    if multi:
        rllib.multi_agent(config, model_config=rllib.lstm_model_config(cell_size=8))
    algo = config.build_algo()
    try:
        return algo.train()["env_runners"]["num_env_steps_sampled_lifetime"]
    finally:
        algo.stop()


@pytest.mark.slow
def test_single_agent_name_works_in_env_runners(cluster):
    # the bare Gymnasium id failed there with NamespaceNotFound: the runners never import coop_envs
    rllib.register()
    assert (
        one_iteration("coop_envs/IteratedPrisonersDilemma-v0", {"co_player": "tit_for_tat"}, False)
        >= 200
    )


@pytest.mark.slow
def test_multi_agent_name_works_in_env_runners(cluster):
    rllib.register()
    assert one_iteration("coop_envs/ipd", rllib.AGENT_ENV_CONFIG, True) >= 200


@pytest.mark.slow
def test_mixed_pool_learners_beat_random_play_against_always_cooperate(checkpoint):
    opponents = {"always_cooperate": make_co_player("always_cooperate")}
    for module in rllib.LEARNERS:
        agent = RLlibAgent(checkpoint, module)
        result = evaluate_players(AgentCoPlayer(agent), opponents, PRISONERS_DILEMMA, 256, 100, 0)
        reward = result["always_cooperate"].reward
        assert reward > RANDOM_PLAY_VS_ALWAYS_COOPERATE + 0.1, (module, reward)


@pytest.mark.slow
def test_rllib_agent_is_reproducible_and_checks_its_input(checkpoint):
    agent = RLlibAgent(checkpoint, "learner_1")
    obs = np.zeros((4, AGENT_OBSERVATION.size), dtype=np.float32)
    obs[:, 0] = 1
    agent.reset(4, seed=5)
    first = [agent.act(obs) for _ in range(3)]
    agent.reset(4, seed=5)
    assert all((a == agent.act(obs)).all() for a in first)
    with pytest.raises(ValueError, match=r"observations must have shape \(4, 8\); got \(4, 5\)"):
        agent.act(obs[:, :5])
    with pytest.raises(
        ValueError, match=r"unknown module 'learner_9'.*\['learner_0', 'learner_1'\]"
    ):
        RLlibAgent(checkpoint, "learner_9")
    with pytest.raises(ValueError, match="give module="):
        module_directory(checkpoint)
    with pytest.raises(ValueError, match="not an RLlib checkpoint"):
        RLlibAgent(checkpoint.parent)


@pytest.mark.slow
def test_evaluate_scores_every_module_of_a_checkpoint(checkpoint, tmp_path):
    from baselines.evaluate import EvaluateConfig, main

    out = tmp_path / "eval.json"
    config = EvaluateConfig((checkpoint,), episodes=32, out=out, plot=tmp_path / "eval.png")
    assert main(config) == 0
    policies = json.loads(out.read_text())["policies"]
    assert sorted(policies) == [f"{checkpoint}:learner_0", f"{checkpoint}:learner_1"]
    results = policies[f"{checkpoint}:learner_0"]["results"]
    assert {"always_cooperate", "tit_for_tat", "learner_1"} <= set(results)
    assert "mixed_pool_cooperation" in policies[f"{checkpoint}:learner_0"]["criteria"]


@pytest.mark.slow
def test_leaderboard_scores_an_rllib_module_in_its_jail(checkpoint, tmp_path):
    import io

    from leaderboard.cli import submit
    from leaderboard.sandbox import jail_available
    from leaderboard.storage import Database
    from leaderboard.submissions import SubmissionError, inspect_submission
    from leaderboard.suite import SUITE_VERSION

    module = module_directory(checkpoint, "learner_0")
    submission = inspect_submission(str(module))
    assert submission.kind == "rllib" and inspect_submission(module, "rllib") == submission
    with pytest.raises(SubmissionError, match="holds modules"):
        inspect_submission(checkpoint)
    with pytest.raises(SubmissionError, match="is a directory; submit a file"):
        inspect_submission(module, "checkpoint")
    assert jail_available()  # the RLlib venv's CI step runs where bubblewrap is installed
    out = io.StringIO()
    with Database(tmp_path / "lb.sqlite") as db:
        assert submit(db, str(module), "rllib_l0", quick=True, out=out) == 0, out.getvalue()
        rows = db.latest_ok_runs(SUITE_VERSION, quick=True)
    assert [r["kind"] for r in rows] == ["rllib"]


@pytest.mark.slow
def test_example_runs_end_to_end(example, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert example.main(["--iterations", "1", "--episodes", "16"]) == 0
    printed = capsys.readouterr().out
    assert "always_cooperate" in printed and "learner_1" in printed
    assert "coop-leaderboard submit runs/rllib_mixed_pool_seed0/learner_group" in printed
