"""coop_envs.rllib: every game registered by name, the mixed pool, policy mapping, LSTM config."""

import sys

import numpy as np
import pytest
from ray.rllib.algorithms.ppo import PPOConfig
from ray.rllib.env.multi_agent_env import MultiAgentEnv
from ray.tune.registry import ENV_CREATOR, _global_registry

from coop_envs import COOPERATE, DEFECT, rllib
from coop_envs.registration import ALL_GYM_IDS, ALL_PETTINGZOO_IDS


def make(name, config=None):
    rllib.register()
    return _global_registry.get(ENV_CREATOR, name)(config or {})


def test_every_registered_id_has_an_rllib_name_with_and_without_version():
    names = rllib.register()
    for env_id in (*ALL_PETTINGZOO_IDS, *ALL_GYM_IDS):
        assert env_id in names and env_id.rsplit("-v", 1)[0] in names
        assert _global_registry.contains(ENV_CREATOR, env_id)
    assert "coop_envs/ipd" in names and rllib.MIXED_POOL in names
    kinds = rllib.env_names()
    assert kinds["coop_envs/ipd"] == ("multi_agent", "coop_envs/ipd-v0")
    assert kinds["coop_envs/IteratedChicken"] == ("single_agent", "coop_envs/IteratedChicken-v0")


def test_multi_agent_name_gives_parallel_pettingzoo_env_with_its_arguments():
    env = make("coop_envs/ipd", {"num_rounds": 3, **rllib.AGENT_ENV_CONFIG})
    assert isinstance(env, MultiAgentEnv)
    obs, _ = env.reset(seed=0)
    assert sorted(obs) == ["player_0", "player_1"] and obs["player_0"].shape == (8,)
    _, rewards, terms, _, _ = env.step({"player_0": COOPERATE, "player_1": DEFECT})
    assert rewards == {"player_0": -1.0, "player_1": 2.0} and not terms["__all__"]
    for _ in range(2):
        _, _, terms, _, _ = env.step({"player_0": COOPERATE, "player_1": COOPERATE})
    assert terms["__all__"]


def test_multi_agent_fixed_game_refuses_another_game():
    with pytest.raises(ValueError, match="game"):
        make("coop_envs/ipd-v0", {"game": "stag_hunt"})


@pytest.mark.parametrize("name", ["coop_envs/public_goods", "coop_envs/coin_game"])
def test_the_new_games_run_multi_agent(name):
    env = make(name)
    obs, _ = env.reset(seed=0)
    assert len(obs) >= 2
    actions = {agent: env.action_space[agent].sample() for agent in obs}
    _, rewards, terms, _, _ = env.step(actions)
    assert set(rewards) == set(obs) and "__all__" in terms


@pytest.mark.parametrize("name", ["coop_envs/PublicGoods-v0", "coop_envs/CoinGame-v0"])
def test_the_new_games_run_single_agent(name):
    env = make(name)
    env.reset(seed=0)
    assert len(env.step(env.action_space.sample())) == 5


def test_single_agent_name_takes_co_player():
    env = make("coop_envs/IteratedPrisonersDilemma", {"co_player": "always_cooperate"})
    env.reset(seed=0)
    assert env.step(DEFECT)[1] == 2.0
    with pytest.raises(ValueError, match="tft"):
        make("coop_envs/IteratedPrisonersDilemma-v0", {"co_player": "tft"})


def play_mixed_pool(seed, episodes, config=None):
    env = make(rllib.MIXED_POOL, {"num_rounds": 2, **(config or {})})
    pairings = []
    obs, _ = env.reset(seed=seed)
    for _ in range(episodes):
        pairings.append(tuple(sorted(obs)))
        done = False
        while not done:
            obs, rewards, terms, _, _ = env.step(dict.fromkeys(obs, DEFECT))
            assert set(rewards) == set(pairings[-1])
            done = terms["__all__"]
        assert env.agents == []
        obs, _ = env.reset()
    return pairings


def test_mixed_pool_gives_each_learner_half_its_episodes_against_the_other():
    pairings = play_mixed_pool(0, 3000)
    for learner in rllib.LEARNERS:
        mine = [p for p in pairings if learner in p]
        share = sum(len(p) == 2 for p in mine) / len(mine)
        assert abs(share - 0.5) < 0.03, (learner, share)
    assert play_mixed_pool(0, 50) == pairings[:50]  # same seed, same pairings
    only_pairs = play_mixed_pool(1, 20, {"learner_share": 1.0})
    assert all(len(p) == 2 for p in only_pairs)


def test_mixed_pool_plays_the_given_co_player():
    env = make(rllib.MIXED_POOL, {"learner_share": 0.0, "co_player": "always_cooperate"})
    obs, _ = env.reset(seed=3)
    (alone,) = obs
    assert obs[alone].shape == (8,)
    _, rewards, _, _, _ = env.step({alone: DEFECT})
    assert rewards == {alone: 2.0}


@pytest.mark.parametrize(
    "config,error,match",
    [
        ({"learner_share": 1.5}, ValueError, "learner_share must be .*got 1.5"),
        ({"co_player": "nobody"}, ValueError, "nobody"),
        ({"game": "no_such_game"}, ValueError, "no_such_game"),
    ],
)
def test_mixed_pool_bad_config(config, error, match):
    with pytest.raises(error, match=match):
        make(rllib.MIXED_POOL, config)


def test_policy_mapping():
    assert rllib.policy_mapping_fn("player_0") == "learner_0"
    assert rllib.policy_mapping_fn("player_1", None) == "learner_1"
    assert rllib.policy_mapping_fn("learner_1") == "learner_1"
    assert rllib.shared_policy_mapping_fn("player_1") == "learner_0"
    with pytest.raises(ValueError, match="got 'agent_7'"):
        rllib.policy_mapping_fn("agent_7")


def test_lstm_model_config_and_multi_agent():
    model = rllib.lstm_model_config(cell_size=16, max_seq_len=50)
    assert model.use_lstm and model.lstm_cell_size == 16 and model.max_seq_len == 50
    with pytest.raises(ValueError, match="cell_size"):
        rllib.lstm_model_config(cell_size=0)
    config = rllib.multi_agent(PPOConfig().environment("coop_envs/ipd"))
    assert set(config.policies) == {"learner_0", "learner_1"}
    assert config.policy_mapping_fn("player_1", None) == "learner_1"
    specs = config.rl_module_spec.rl_module_specs
    assert specs["learner_0"].model_config.use_lstm
    shared = rllib.multi_agent(PPOConfig().environment("coop_envs/ipd"), shared=True)
    assert set(shared.policies) == {"learner_0"}
    with pytest.raises(TypeError, match="shared must be a bool"):
        rllib.multi_agent(PPOConfig(), shared="yes")


def test_missing_rllib_says_which_install_fixes_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray.rllib", None)
    with pytest.raises(ImportError, match=r"pip install -c constraints.txt 'coop-envs\[rllib\]'"):
        rllib.register()


def test_agent_env_config_is_the_agent_observation():
    from coop_envs.core import AGENT_OBSERVATION

    env = make("coop_envs/IteratedStagHunt", rllib.AGENT_ENV_CONFIG)
    assert env.observation_space.shape == (AGENT_OBSERVATION.size,)
    assert np.isfinite(env.reset(seed=0)[0]).all()
