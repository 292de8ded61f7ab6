import importlib
import warnings

import numpy as np
import pettingzoo
import pytest
from gymnasium.utils.env_checker import data_equivalence
from pettingzoo.test import (
    api_test,
    max_cycles_test,
    parallel_api_test,
    parallel_seed_test,
    render_test,
    seed_test,
)

import coop_envs
from coop_envs.pettingzoo_env import IteratedGameAECEnv, IteratedGameParallelEnv

MODULES = ["ipd_v0", "stag_hunt_v0", "chicken_v0", "matching_pennies_v0"]


@pytest.fixture(params=MODULES)
def module(request):
    return importlib.import_module(f"coop_envs.{request.param}")


def test_importable_from_package():
    from coop_envs import chicken_v0, ipd_v0, matching_pennies_v0, stag_hunt_v0

    for mod in (ipd_v0, stag_hunt_v0, chicken_v0, matching_pennies_v0):
        assert callable(mod.parallel_env) and callable(mod.env) and callable(mod.raw_env)


def test_parallel_api(module):
    parallel_api_test(module.parallel_env(), num_cycles=1000)


def test_aec_api(module):
    api_test(module.env(), num_cycles=200)


def test_raw_env_is_native_aec(module):
    raw = module.raw_env()
    assert isinstance(raw, pettingzoo.AECEnv)
    api_test(raw, num_cycles=50)


def test_seed_tests(module):
    seed_test(module.env, num_cycles=50)
    parallel_seed_test(module.parallel_env, num_cycles=50)


def test_max_cycles(module):
    max_cycles_test(module)


def test_render(module):
    render_test(module.env)
    env = module.parallel_env(render_mode="ansi", num_rounds=3)
    env.reset()
    env.step({"player_0": 0, "player_1": 1})
    text = env.render()
    assert "round 1/3" in text and "player_0  C.." in text and "player_1  D.." in text


def test_multi_step_determinism(module):
    """PettingZoo 1.27's parallel_seed_test compares one step only; compare whole episodes."""

    def episode(seed):
        env = module.parallel_env(prev_action=True, prev_reward=True, round_index=True)
        observations, _ = env.reset(seed=seed)
        for i, agent in enumerate(env.possible_agents):
            env.action_space(agent).seed(seed + i)
        trace = [observations]
        while env.agents:
            actions = {a: env.action_space(a).sample() for a in env.agents}
            trace.append((actions, *env.step(actions)))
        return trace

    first, second = episode(3), episode(3)
    assert len(first) == 101
    assert data_equivalence(first, second)
    assert not data_equivalence(first, episode(4))


def test_registry_ids():
    assert "coop_envs/ipd-v0" in pettingzoo.parallel_registry
    env = pettingzoo.make("parallel", "coop_envs/ipd-v0", num_rounds=5)
    assert isinstance(env, IteratedGameParallelEnv)
    assert env.game.name == "prisoners_dilemma" and env.metadata["name"] == "ipd_v0"
    aec = pettingzoo.make("aec", "coop_envs/stag_hunt-v0")
    assert isinstance(aec.unwrapped, IteratedGameAECEnv)
    assert aec.unwrapped.core.game.name == "stag_hunt"
    custom = pettingzoo.make(
        "parallel", "coop_envs/iterated_matrix_game-v0", game=[[3, 3], [0, 5], [5, 0], [1, 1]]
    )
    assert custom.game.T == 5
    # PettingZoo's underscore form is normalised to the same id.
    assert isinstance(pettingzoo.make("parallel", "coop_envs/chicken_v0"), IteratedGameParallelEnv)


def test_aec_and_parallel_agree():
    aec = coop_envs.ipd_v0.env(num_rounds=4)
    par = coop_envs.ipd_v0.parallel_env(num_rounds=4)
    aec.reset(seed=0)
    par.reset(seed=0)
    moves = [(0, 0), (0, 1), (1, 0), (1, 1)]
    for a0, a1 in moves:
        obs, rewards, *_ = par.step({"player_0": a0, "player_1": a1})
        aec.step(a0)
        aec.step(a1)
        for agent in par.possible_agents:
            np.testing.assert_array_equal(aec.observe(agent), obs[agent])
        assert aec.rewards == rewards


def test_bad_actions_and_late_steps():
    env = coop_envs.ipd_v0.parallel_env(num_rounds=1)
    env.reset()
    with pytest.raises(ValueError, match=r"missing \['player_1'\], unknown \[\]"):
        env.step({"player_0": 0})
    with pytest.raises(ValueError, match=r"missing \[\], unknown \['player_2'\]"):
        env.step({"player_0": 0, "player_1": 0, "player_2": 1})
    with pytest.raises(ValueError, match="0 \\(COOPERATE\\) or 1 \\(DEFECT\\); got 3"):
        env.step({"player_0": 3, "player_1": 0})
    with pytest.raises(TypeError, match=r"got 0\.5 \(float\)"):
        env.step({"player_0": 0.5, "player_1": 0})
    with pytest.raises(TypeError, match="must be a dict"):
        env.step([0, 1])
    env.step({"player_0": 0, "player_1": 0})
    with pytest.raises(ValueError, match="after the game ended"):
        env.step({"player_0": 0, "player_1": 0})
    with pytest.raises(ValueError, match="unknown agent 'player_9'"):
        env.action_space("player_9")
    with pytest.raises(ValueError, match="max_cycles must be None or a positive int; got 0"):
        coop_envs.ipd_v0.parallel_env(max_cycles=0)
    with pytest.raises(
        ValueError,
        match="render_mode must be None or one of 'ansi', 'human', 'rgb_array'; got 'rgb'",
    ):
        coop_envs.ipd_v0.parallel_env(render_mode="rgb")


def test_aec_rejects_bad_action_of_selected_agent():
    env = coop_envs.ipd_v0.env()
    env.reset()
    with pytest.raises(ValueError, match="got 7"):
        env.step(7)


def test_max_cycles_truncates_before_the_end():
    env = coop_envs.ipd_v0.parallel_env(num_rounds=10, max_cycles=3)
    env.reset()
    for _ in range(3):
        _, _, terms, truncs, _ = env.step({"player_0": 0, "player_1": 0})
    assert truncs == {"player_0": True, "player_1": True}
    assert terms == {"player_0": False, "player_1": False}
    assert env.agents == []


def test_no_warnings_from_api_test():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parallel_api_test(coop_envs.ipd_v0.parallel_env(), num_cycles=200)
