"""Conformance of every id of the games beyond 2x2 (coop_envs.registration.GAME_IDS).

PettingZoo's API and seed tests, Gymnasium's and SB3's env checkers, and whole-episode
determinism, for the Gymnasium id, its vector id and the PettingZoo registry id of each game.
"""

import gymnasium as gym
import numpy as np
import pettingzoo
import pytest
from gymnasium.utils.env_checker import check_env, data_equivalence
from pettingzoo.test import (
    api_test,
    max_cycles_test,
    parallel_api_test,
    parallel_seed_test,
    render_test,
    seed_test,
)
from pettingzoo.utils import parallel_to_aec

import coop_envs
from coop_envs import public_goods_v0
from coop_envs.core.public_goods import PublicGoodsGame
from coop_envs.pettingzoo_env import PublicGoodsAECEnv, PublicGoodsParallelEnv
from coop_envs.registration import GAME_GYM_IDS, GAME_PETTINGZOO_IDS

# Options per game that change spaces or dynamics: every id is checked with each.
VARIANTS = {
    "coop_envs/PublicGoods-v0": [{}, {"num_players": 3, "punishment": True, "observation": "full"}],
    "coop_envs/public_goods-v0": [
        {},
        {"num_players": 2, "multiplier": 1.5},
        {"num_players": 5, "punishment": True, "observation": "full"},
    ],
}


class ZeroPlayer:
    """A co-player of any game of the contract: always action 0 (deterministic, no draws)."""

    protocol = "co_player"

    def reset(self, spec, batch_size, rng):
        self.n = batch_size

    def act(self, obs, rng):
        return np.zeros(self.n, dtype=np.int64)


def gym_cases():
    return [(i, v) for i in GAME_GYM_IDS for v in VARIANTS.get(i, [{}])]


def pz_cases():
    return [(i, v) for i in GAME_PETTINGZOO_IDS for v in VARIANTS.get(i, [{}])]


def test_ids_are_registered_and_listed():
    assert "coop_envs/PublicGoods-v0" in coop_envs.ALL_GYM_IDS
    assert "coop_envs/public_goods-v0" in coop_envs.ALL_PETTINGZOO_IDS
    # the done-when call
    env = pettingzoo.make("parallel", "coop_envs/public_goods-v0", num_players=4)
    assert isinstance(env, PublicGoodsParallelEnv)
    assert env.possible_agents == ["player_0", "player_1", "player_2", "player_3"]
    assert env.metadata["name"] == "public_goods_v0"
    aec = pettingzoo.make("aec", "coop_envs/public_goods-v0", num_players=3)
    assert isinstance(aec.unwrapped, PublicGoodsAECEnv)
    assert len(aec.unwrapped.possible_agents) == 3


@pytest.mark.parametrize(("env_id", "options"), gym_cases())
def test_gymnasium_check_env(env_id, options):
    check_env(gym.make(env_id, **options).unwrapped, skip_render_check=False)
    check_env(gym.make(env_id, render_mode="rgb_array", **options).unwrapped)


@pytest.mark.parametrize(("env_id", "options"), gym_cases())
def test_sb3_check_env(env_id, options):
    from stable_baselines3.common.env_checker import check_env as sb3_check_env

    sb3_check_env(gym.make(env_id, **options), warn=True)


@pytest.mark.parametrize(("env_id", "options"), pz_cases())
def test_pettingzoo_api_and_seed_tests(env_id, options):
    parallel_api_test(pettingzoo.make("parallel", env_id, **options), num_cycles=300)
    api_test(pettingzoo.make("aec", env_id, **options), num_cycles=100)
    api_test(parallel_to_aec(pettingzoo.make("parallel", env_id, **options)), num_cycles=100)
    seed_test(lambda: pettingzoo.make("aec", env_id, **options), num_cycles=50)
    parallel_seed_test(lambda: pettingzoo.make("parallel", env_id, **options), num_cycles=50)


def test_module_api_max_cycles_and_render():
    max_cycles_test(public_goods_v0)
    render_test(public_goods_v0.env)
    env = public_goods_v0.parallel_env(num_players=3, num_rounds=3, render_mode="ansi")
    env.reset()
    env.step({"player_0": 0, "player_1": 1, "player_2": 0})
    text = env.render()
    assert "public_goods, round 1/3" in text
    assert "player_0  C.." in text and "player_1  D.." in text and "player_2  C.." in text


@pytest.mark.parametrize(("env_id", "options"), pz_cases())
def test_parallel_multi_step_determinism(env_id, options):
    def episode(seed):
        env = pettingzoo.make("parallel", env_id, **options)
        observations, _ = env.reset(seed=seed)
        for i, agent in enumerate(env.possible_agents):
            env.action_space(agent).seed(seed + i)
        trace = [observations]
        while env.agents:
            actions = {a: env.action_space(a).sample() for a in env.agents}
            trace.append((actions, *env.step(actions)))
        return trace

    first, second = episode(3), episode(3)
    assert len(first) == pettingzoo.make("parallel", env_id, **options).core.spec.num_rounds + 1
    assert data_equivalence(first, second)
    assert not data_equivalence(first, episode(4))


@pytest.mark.parametrize(("env_id", "options"), gym_cases())
def test_gym_multi_step_determinism(env_id, options):
    """Same seed, same episode (co-players redrawn from the env's generator); another seed differs."""

    def episode(seed):
        env = gym.make(env_id, **options)
        obs, _ = env.reset(seed=seed)
        env.action_space.seed(seed)
        trace = [obs]
        rounds = env.unwrapped.core.spec.num_rounds
        for _ in range(2 * rounds):  # two episodes: the second draws new co-players
            step = env.step(env.action_space.sample())
            trace.append(step)
            if step[2]:
                trace.append(env.reset()[0])
        return trace

    assert data_equivalence(episode(1), episode(1))
    assert not data_equivalence(episode(1), episode(2))


@pytest.mark.parametrize(("env_id", "options"), gym_cases())
@pytest.mark.parametrize("num_envs", [1, 3])
def test_vector_env_matches_single_env(env_id, options, num_envs):
    """Row 0 of the vector id equals the single env (B = 1 always; B = 3 for games without chance,
    where a game's rows do not depend on how many are played)."""
    envs = gym.make_vec(env_id, num_envs=num_envs, co_player=ZeroPlayer(), **options)
    single = gym.make(env_id, co_player=ZeroPlayer(), **options)
    if num_envs > 1 and not isinstance(single.unwrapped.core, PublicGoodsGame):
        pytest.skip("a game with chance draws its B games' starts together")
    obs, _ = envs.reset(seed=0)
    one, _ = single.reset(seed=0)
    np.testing.assert_array_equal(obs[0], one)
    rng = np.random.default_rng(0)
    for _ in range(envs.unwrapped.core.spec.num_rounds):
        actions = rng.integers(0, envs.single_action_space.n, size=num_envs)
        obs, rewards, terminated, truncated, _ = envs.step(actions)
        one, reward, done, _, _ = single.step(int(actions[0]))
        np.testing.assert_array_equal(obs[0], one)
        assert rewards[0] == np.float32(reward)
        assert terminated[0] == done and not truncated.any()
    assert terminated.all()
    # NEXT_STEP autoreset: the step after the end resets every game, with zero rewards
    obs, rewards, terminated, *_ = envs.step(np.zeros(num_envs, dtype=np.int64))
    assert (rewards == 0).all() and not terminated.any()
    assert envs.unwrapped.core.t == 0
