import gymnasium as gym
import numpy as np
import pytest
from gymnasium.vector import AutoresetMode

import coop_envs  # noqa: F401
from coop_envs import COOPERATE, DEFECT
from coop_envs.vector_env import IteratedGameVectorEnv


def test_make_vec_uses_native_vector_env():
    envs = gym.make_vec(
        "coop_envs/IteratedPrisonersDilemma-v0", num_envs=8, co_player="tit_for_tat"
    )
    assert isinstance(envs, IteratedGameVectorEnv)
    assert envs.metadata["autoreset_mode"] == AutoresetMode.NEXT_STEP
    assert envs.observation_space.shape == (8, 5)
    assert envs.action_space.shape == (8,)
    obs, info = envs.reset(seed=0)
    assert obs.shape == (8, 5) and obs.dtype == np.float32 and info == {}
    assert envs.observation_space.contains(obs)


def test_games_are_stepped_as_arrays_against_tft():
    envs = gym.make_vec(
        "coop_envs/IteratedPrisonersDilemma-v0", num_envs=2, co_player="tit_for_tat", num_rounds=3
    )
    envs.reset(seed=0)
    _, r1, *_ = envs.step(np.array([DEFECT, COOPERATE]))
    _, r2, *_ = envs.step(np.array([COOPERATE, COOPERATE]))
    _obs, r3, terminated, truncated, _ = envs.step(np.array([COOPERATE, DEFECT]))
    assert r1.tolist() == [2, 1] and r2.tolist() == [-1, 1] and r3.tolist() == [1, 2]
    assert terminated.tolist() == [True, True] and truncated.tolist() == [False, False]
    assert r1.dtype == np.float32 and terminated.dtype == bool


def test_next_step_autoreset_draws_new_co_players():
    envs = gym.make_vec("coop_envs/IteratedPrisonersDilemma-v0", num_envs=4, num_rounds=2)
    first_obs, _ = envs.reset(seed=1)
    table = envs.unwrapped.co_player.table.copy()
    envs.step(np.zeros(4, dtype=np.int64))
    _, _, terminated, _, _ = envs.step(np.zeros(4, dtype=np.int64))
    assert terminated.all()
    obs, rewards, terminated, truncated, _ = envs.step(np.ones(4, dtype=np.int64))
    np.testing.assert_array_equal(obs, first_obs)
    assert (rewards == 0).all() and not terminated.any() and not truncated.any()
    assert envs.unwrapped.core.t == 0  # the actions of the autoreset step were ignored
    assert not np.array_equal(table, envs.unwrapped.co_player.table)


def test_vector_env_is_reproducible():
    def run(seed):
        envs = gym.make_vec("coop_envs/IteratedPrisonersDilemma-v0", num_envs=16)
        envs.reset(seed=seed)
        envs.action_space.seed(seed)
        total = np.zeros(16)
        for _ in range(100):
            total += envs.step(envs.action_space.sample())[1]
        return total

    np.testing.assert_array_equal(run(0), run(0))
    assert not np.array_equal(run(0), run(1))


def test_sync_vectorization_still_works():
    envs = gym.make_vec(
        "coop_envs/IteratedPrisonersDilemma-v0",
        num_envs=2,
        vectorization_mode="sync",
        co_player="always_defect",
    )
    envs.reset(seed=0)
    assert envs.step(np.array([0, 1]))[1].tolist() == [-1.0, 0.0]


def test_render_ansi():
    envs = IteratedGameVectorEnv(
        num_envs=2, co_player="always_defect", num_rounds=2, render_mode="ansi"
    )
    envs.reset(seed=0)
    envs.step(np.array([0, 1]))
    first, second = envs.render()
    assert "you        C." in first and "you        D." in second


@pytest.mark.parametrize(
    "actions,error,pattern",
    [
        (np.zeros(3, dtype=np.int64), ValueError, r"shape \(4,\); got \(3,\)"),
        (np.array([0, 1, 2, 0]), ValueError, "got 2 at index 2"),
        (np.zeros(4), TypeError, "got dtype float64"),
    ],
)
def test_bad_actions(actions, error, pattern):
    envs = IteratedGameVectorEnv(num_envs=4)
    envs.reset(seed=0)
    with pytest.raises(error, match=pattern):
        envs.step(actions)


def test_bad_arguments():
    with pytest.raises(ValueError, match="num_envs must be a positive int; got 0"):
        IteratedGameVectorEnv(num_envs=0)
    with pytest.raises(
        ValueError, match="render_mode must be None or one of 'ansi', 'rgb_array'; got 'human'"
    ):
        IteratedGameVectorEnv(render_mode="human")
    envs = IteratedGameVectorEnv(num_envs=2)
    with pytest.raises(ValueError, match="before reset"):
        envs.step(np.zeros(2, dtype=np.int64))
    with pytest.raises(TypeError, match=r"seed must be an int or None .* got \[1, 2\]"):
        envs.reset(seed=[1, 2])
