"""One core behind every front end: the same actions give the same observations and rewards."""

import gymnasium as gym
import numpy as np
import pytest

import coop_envs
import coop_envs.pettingzoo_env
from coop_envs.core import GAMES, IteratedGame, ObservationConfig

ROUNDS = 30


class Scripted:
    """A co-player that replays a fixed sequence of moves (the same in every game)."""

    def __init__(self, moves):
        self.moves = np.asarray(moves)

    def reset(self, game, batch_size, rng):
        self.t = 0
        self.batch_size = batch_size

    def act(self, obs, rng):
        move = self.moves[self.t]
        self.t += 1
        return np.full(self.batch_size, move)


@pytest.mark.parametrize("game", list(GAMES))
@pytest.mark.parametrize("extras", [False, True], ids=["one-hot", "all-blocks"])
def test_all_front_ends_agree(game, extras):
    options = dict(prev_action=extras, prev_reward=extras, round_index=extras)
    rng = np.random.default_rng(42)
    moves = rng.integers(0, 2, size=(ROUNDS, 2))

    core = IteratedGame(game, 1, ROUNDS, ObservationConfig(**options))
    core.reset()
    expected_obs = [(core.observation(0)[0], core.observation(1)[0])]
    expected_rewards = []
    for m in moves:
        rewards, _ = core.step(m[None])
        expected_obs.append((core.observation(0)[0], core.observation(1)[0]))
        expected_rewards.append(rewards[0])

    par = coop_envs.pettingzoo_env.IteratedGameParallelEnv(game=game, num_rounds=ROUNDS, **options)
    obs, _ = par.reset(seed=7)
    seen = [(obs["player_0"], obs["player_1"])]
    seen_rewards = []
    for m in moves:
        obs, rewards, *_ = par.step({"player_0": m[0], "player_1": m[1]})
        seen.append((obs["player_0"], obs["player_1"]))
        seen_rewards.append((rewards["player_0"], rewards["player_1"]))
    np.testing.assert_array_equal(np.array(seen), np.array(expected_obs))
    np.testing.assert_array_equal(np.array(seen_rewards), np.array(expected_rewards))

    aec = coop_envs.pettingzoo_env.IteratedGameAECEnv(game=game, num_rounds=ROUNDS, **options)
    aec.reset(seed=7)
    seen = [(aec.observe("player_0"), aec.observe("player_1"))]
    seen_rewards = []
    for m in moves:
        aec.step(m[0])
        aec.step(m[1])
        seen.append((aec.observe("player_0"), aec.observe("player_1")))
        seen_rewards.append((aec.rewards["player_0"], aec.rewards["player_1"]))
    np.testing.assert_array_equal(np.array(seen), np.array(expected_obs))
    np.testing.assert_array_equal(np.array(seen_rewards), np.array(expected_rewards))

    env = gym.make(
        "coop_envs/IteratedMatrixGame-v0",
        game=game,
        num_rounds=ROUNDS,
        co_player=Scripted(moves[:, 1]),
        **options,
    )
    obs, _ = env.reset(seed=7)
    seen, seen_rewards = [obs], []
    for m in moves:
        obs, reward, *_ = env.step(m[0])
        seen.append(obs)
        seen_rewards.append(reward)
    np.testing.assert_array_equal(np.array(seen), np.array([o[0] for o in expected_obs]))
    np.testing.assert_array_equal(seen_rewards, np.array(expected_rewards)[:, 0])

    envs = gym.make_vec(
        "coop_envs/IteratedMatrixGame-v0",
        num_envs=3,
        game=game,
        num_rounds=ROUNDS,
        co_player=Scripted(moves[:, 1]),
        **options,
    )
    obs, _ = envs.reset(seed=7)
    seen, seen_rewards = [obs], []
    for m in moves:
        obs, rewards, *_ = envs.step(np.full(3, m[0]))
        seen.append(obs)
        seen_rewards.append(rewards)
    for row in range(3):
        np.testing.assert_array_equal(
            np.array(seen)[:, row], np.array([o[0] for o in expected_obs])
        )
        np.testing.assert_array_equal(
            np.array(seen_rewards)[:, row], np.array(expected_rewards)[:, 0]
        )


def test_gym_env_and_vector_env_of_one_draw_the_same_co_players():
    """With B = 1 the vector env draws exactly what the single env draws from the same seed."""
    single = gym.make("coop_envs/IteratedPrisonersDilemma-v0", co_player="random_tabular")
    vector = gym.make_vec(
        "coop_envs/IteratedPrisonersDilemma-v0", num_envs=1, co_player="random_tabular"
    )
    a, _ = single.reset(seed=11)
    b, _ = vector.reset(seed=11)
    np.testing.assert_array_equal(a, b[0])
    rng = np.random.default_rng(0)
    for action in rng.integers(0, 2, size=100):
        a, ra, *_ = single.step(int(action))
        b, rb, *_ = vector.step(np.array([action]))
        np.testing.assert_array_equal(a, b[0])
        assert ra == rb[0]
