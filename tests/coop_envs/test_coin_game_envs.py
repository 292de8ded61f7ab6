"""The Coin Game's ids: conformance suites per option, parity with the core, render, bad input.

Whole-episode determinism and the vector/single parity of every id beyond 2x2, this one included,
are in ``test_public_goods_api.py`` (parametrized over ``GAME_IDS``).
"""

from __future__ import annotations

import warnings

import gymnasium as gym
import numpy as np
import pettingzoo
import pytest
from gymnasium.utils.env_checker import check_env
from pettingzoo.test import api_test, parallel_api_test, parallel_seed_test, seed_test
from pettingzoo.utils import parallel_to_aec

import coop_envs
from co_players.coin_game import OwnCoin, RandomReactive
from coop_envs import coin_game_v0
from coop_envs.coin_game_env import CoinGameEnv, CoinGameParallelEnv, CoinGameVectorEnv
from coop_envs.core.coin_game import CoinGame

GYM_ID = "coop_envs/CoinGame-v0"
PZ_ID = "coop_envs/coin_game-v0"
OPTIONS = [{}, {"egocentric": True, "grid_size": 4, "num_rounds": 5}, {"flatten": False}]


def test_ids_are_registered():
    assert GYM_ID in coop_envs.ALL_GYM_IDS and PZ_ID in coop_envs.ALL_PETTINGZOO_IDS
    env = gym.make(GYM_ID)  # the default co-player
    assert isinstance(env.unwrapped, CoinGameEnv)
    assert isinstance(env.unwrapped.co_player, RandomReactive)
    assert isinstance(gym.make_vec(GYM_ID, num_envs=2).unwrapped, CoinGameVectorEnv)
    assert isinstance(pettingzoo.make("parallel", PZ_ID), CoinGameParallelEnv)
    assert coin_game_v0.parallel_env().metadata["name"] == "coin_game_v0"


@pytest.mark.parametrize("options", OPTIONS)
def test_gymnasium_check_env(options):
    check_env(gym.make(GYM_ID, **options).unwrapped, skip_render_check=False)
    check_env(gym.make(GYM_ID, render_mode="rgb_array", **options).unwrapped)


def test_sb3_check_env():
    from stable_baselines3.common.env_checker import check_env as sb3_check_env

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sb3_check_env(gym.make(GYM_ID), warn=True)
    # the (4, G, G) grid passes; SB3 only warns that it takes it for a small non-uint8 image
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sb3_check_env(gym.make(GYM_ID, flatten=False), warn=True)
    messages = [str(w.message) for w in caught]
    assert any("is an image but its `dtype` is (float32)" in m for m in messages)
    assert all("image" in m for m in messages), messages


@pytest.mark.parametrize("options", OPTIONS)
def test_pettingzoo_api_and_seed_tests(options):
    parallel_api_test(coin_game_v0.parallel_env(**options), num_cycles=100)
    api_test(coin_game_v0.env(**options), num_cycles=50)
    api_test(parallel_to_aec(coin_game_v0.parallel_env(**options)), num_cycles=50)
    seed_test(lambda: pettingzoo.make("aec", PZ_ID, **options), num_cycles=50)
    parallel_seed_test(lambda: pettingzoo.make("parallel", PZ_ID, **options), num_cycles=50)


def test_gym_env_plays_the_core_with_the_co_player_in_seat_1():
    env = gym.make(GYM_ID, co_player=OwnCoin())
    obs, _ = env.reset(seed=7)
    core = CoinGame(1)
    core.reset(np.random.default_rng(7))  # the env's generator for seed 7; OwnCoin draws nothing
    bot = OwnCoin()
    bot.reset(core.spec, 1, np.random.default_rng(0))
    rng = np.random.default_rng(3)
    while not core.done:
        np.testing.assert_array_equal(obs, core.observation(0)[0])
        mine, theirs = int(rng.integers(5)), bot.act(core.observation(1), rng)
        rewards, _ = core.step([[mine, theirs[0]]])
        obs, reward, terminated, _, info = env.step(mine)
        assert info["co_player_action"] == theirs[0]
        assert reward == rewards[0, 0] and info["co_player_reward"] == rewards[0, 1]
    assert terminated


def test_vector_env_autoresets_all_games_together():
    envs = gym.make_vec(GYM_ID, num_envs=4, co_player="coin_greedy", num_rounds=2)
    obs, _ = envs.reset(seed=0)
    assert obs.shape == (4, 36) and obs.dtype == np.float32
    for _ in range(2):
        obs, rewards, terminated, truncated, _ = envs.step(np.zeros(4, dtype=np.int64))
    assert terminated.all() and not truncated.any()
    obs, rewards, terminated, *_ = envs.step(np.zeros(4, dtype=np.int64))
    assert (rewards == 0).all() and not terminated.any() and (obs.sum(axis=1) == 4).all()


def test_render_modes():
    env = gym.make(GYM_ID, render_mode="rgb_array", grid_size=5)
    env.reset(seed=0)
    image = env.render()
    assert image.shape == (80, 80, 3) and image.dtype == np.uint8
    text = coin_game_v0.parallel_env(render_mode="ansi")
    text.reset(seed=0)
    assert text.render().startswith("coin_game, round 0/16")
    frames = gym.make_vec(GYM_ID, num_envs=2, render_mode="rgb_array")
    frames.reset(seed=0)
    assert [f.shape for f in frames.render()] == [(48, 48, 3), (48, 48, 3)]


def test_bad_input():
    with pytest.raises(ValueError, match="grid_size must be an int >= 2; got 1"):
        gym.make(GYM_ID, grid_size=1)
    with pytest.raises(ValueError, match="num_rounds must be a positive int; got 0"):
        gym.make(GYM_ID, num_rounds=0)
    with pytest.raises(ValueError, match="unknown coin_game co-player 'tit_for_tat'"):
        gym.make(GYM_ID, co_player="tit_for_tat")
    with pytest.raises(ValueError, match="coin_reactive"):
        gym.make(GYM_ID, co_player="nope")
    env = gym.make(GYM_ID)
    env.reset(seed=0)
    with pytest.raises(ValueError, match=r"action must be 0 \(RIGHT\), .* or 4 \(STAY\); got 5"):
        env.step(5)
    with pytest.raises(TypeError, match="action must be an int"):
        env.step(1.0)
    parallel = coin_game_v0.parallel_env()
    parallel.reset(seed=0)
    with pytest.raises(ValueError, match="got -1"):
        parallel.step({"player_0": -1, "player_1": 0})
    with pytest.raises(ValueError, match="coin_game_v0 fixes name="):
        coin_game_v0.parallel_env(name="other")
