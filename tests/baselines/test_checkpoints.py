import json

import gymnasium as gym
import numpy as np
import pytest
import torch

import coop_envs  # noqa: F401
from baselines import PolicyAgent, checkpoints, load_agent
from baselines.checkpoints import CheckpointError, load_policy, save_policy
from baselines.policies import PolicyConfig, make_policy
from co_players import AgentCoPlayer
from coop_envs.core import AGENT_OBSERVATION, PRISONERS_DILEMMA


@pytest.fixture
def policy():
    torch.manual_seed(0)
    return make_policy(PolicyConfig(hidden=16, embed=8), PRISONERS_DILEMMA)


def test_round_trip_keeps_outputs(policy, tmp_path):
    path = save_policy(tmp_path / "agent.pt", policy, {"name": "demo"})
    loaded = load_policy(path)
    index = torch.randint(0, 10, (7, 3))
    torch.testing.assert_close(loaded(index)[0], policy(index)[0])
    assert loaded.config == policy.config and loaded.game == policy.game
    assert load_agent(path).name == "demo"


def test_agent_protocol_and_co_player(policy, tmp_path):
    agent = PolicyAgent(policy)
    agent.reset(4, seed=0)
    features = np.zeros((4, AGENT_OBSERVATION.size), dtype=np.float32)
    features[:, 0] = 1
    actions = agent.act(features)
    assert actions.shape == (4,) and set(actions.tolist()) <= {0, 1}
    env = gym.make("coop_envs/IteratedPrisonersDilemma-v0", co_player=agent)
    assert isinstance(env.unwrapped.co_player, AgentCoPlayer)
    env.reset(seed=0)
    for _ in range(100):
        *_, terminated, _, _ = env.step(0)
    assert terminated
    agent.reset(4, seed=0)
    with pytest.raises(ValueError, match=r"observations must have shape \(4, 8\); got \(4, 5\)"):
        agent.act(np.zeros((4, 5)))
    with pytest.raises(ValueError, match="act\\(\\) called before reset"):
        PolicyAgent(policy).act(features)


def test_agent_is_reproducible(policy):
    def actions(seed):
        agent = PolicyAgent(policy)
        agent.reset(64, seed=seed)
        return agent.act_codes(np.zeros(64, dtype=np.int64))

    np.testing.assert_array_equal(actions(1), actions(1))
    assert not np.array_equal(actions(1), actions(2))


def test_missing_corrupt_and_foreign_files(policy, tmp_path):
    with pytest.raises(CheckpointError, match="does not exist"):
        load_policy(tmp_path / "nope.pt")
    good = save_policy(tmp_path / "agent.pt", policy)
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(good.read_bytes()[:200])
    with pytest.raises(CheckpointError, match=r"not a readable torch file .* truncated or corrupt"):
        load_policy(truncated)
    foreign = tmp_path / "foreign.pt"
    torch.save({"weights": torch.zeros(3)}, foreign)
    with pytest.raises(CheckpointError, match="is not a coop-envs policy checkpoint"):
        load_policy(foreign)


def test_version_and_shape_mismatch(policy, tmp_path):
    path = save_policy(tmp_path / "agent.pt", policy)
    payload = torch.load(path, weights_only=True)
    payload["version"] = 99
    torch.save(payload, tmp_path / "v99.pt")
    with pytest.raises(CheckpointError, match="has version 99; this coop-envs reads version 1"):
        load_policy(tmp_path / "v99.pt")
    payload["version"] = 1
    payload["policy_config"]["hidden"] = 32
    torch.save(payload, tmp_path / "mismatch.pt")
    with pytest.raises(CheckpointError, match="weights do not match its config"):
        load_policy(tmp_path / "mismatch.pt")


def test_write_json_replaces_the_file_whole_or_not_at_all(tmp_path, monkeypatch):
    path = tmp_path / "deep" / "evidence.json"
    assert checkpoints.write_json(path, {"a": [1, 2]}) == path
    assert path.read_text() == '{\n "a": [\n  1,\n  2\n ]\n}\n'
    # data that cannot be encoded, or a write that fails half-way, leave the old file whole
    with pytest.raises(TypeError, match="not JSON serializable"):
        checkpoints.write_json(path, {"a": object()})
    assert json.loads(path.read_text()) == {"a": [1, 2]}

    def broken(tmp, text):
        raise OSError("disk full")

    monkeypatch.setattr(checkpoints.Path, "write_text", broken)
    with pytest.raises(OSError, match="disk full"):
        checkpoints.write_json(path, {"b": 1})
    monkeypatch.undo()
    assert json.loads(path.read_text()) == {"a": [1, 2]}
    assert sorted(p.name for p in path.parent.iterdir()) == ["evidence.json"]
    # json.dumps options pass through (the run files' summaries, the sweeps' results)
    with pytest.raises(ValueError, match="Out of range float"):
        checkpoints.write_json(path, {"x": float("nan")}, allow_nan=False)
    assert json.loads(path.read_text()) == {"a": [1, 2]}
    checkpoints.write_json(path, {"when": object}, indent=None, default=str)
    assert path.read_text() == '{"when": "<class \'object\'>"}\n'
