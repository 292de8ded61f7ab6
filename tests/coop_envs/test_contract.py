"""The general batched core contract, and the generic front ends over any game of it.

A toy three-player game written here (not in the package) plugs into every generic adapter:
the test of "a new game needs only a core".
"""

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env
from pettingzoo.test import api_test, parallel_api_test

from coop_envs.core import (
    BatchedGame,
    GameSeat,
    GameSpec,
    IteratedGame,
    check_joint_actions,
    co_player_view,
    play_batched,
)
from coop_envs.core.public_goods import PublicGoodsGame
from coop_envs.gym_env import BatchedGameEnv
from coop_envs.pettingzoo_env import BatchedGameAECEnv, BatchedGameParallelEnv
from coop_envs.single_agent import VersusCoPlayer
from coop_envs.vector_env import BatchedGameVectorEnv


class MajorityGame:
    """Toy game: 3 players, 3 actions; each scores 1 if its action is the most common one.

    Has chance: reset draws a (B,) bonus action worth +1 more. Observation: one-hot of the
    own last action (3) + the bonus action one-hot (3), shape (2, 3).
    """

    def __init__(self, batch_size=1, num_rounds=5):
        self.spec = GameSpec(
            "majority", 3, 3, (2, 3), 0.0, 1.0, num_rounds, ("a", "b", "c"), (0, 2)
        )
        self.batch_size, self.t = batch_size, 0
        self._last = np.full((batch_size, 3), -1)
        self._returns = np.zeros((batch_size, 3))

    def reset(self, rng=None):
        self.t = 0
        self._last.fill(-1)
        self._returns.fill(0)
        self._bonus = (rng or np.random.default_rng()).integers(0, 3, self.batch_size)

    def step(self, actions, validate=True):
        if validate:
            actions = check_joint_actions(actions, self.batch_size, self.spec)
        actions = np.asarray(actions)
        counts = np.stack([(actions == a).sum(1) for a in range(3)], 1)
        top = counts.argmax(1)
        rewards = (actions == top[:, None]) + (actions == self._bonus[:, None])
        self._last[:] = actions
        self._returns += rewards
        self.t += 1
        return rewards.astype(np.float32), self.done

    def observation(self, player):
        out = np.zeros((self.batch_size, 2, 3), dtype=np.float32)
        rows = np.arange(self.batch_size)
        played = self._last[:, player] >= 0
        out[rows[played], 0, self._last[played, player]] = 1
        out[rows, 1, self._bonus] = 1
        return out

    @property
    def done(self):
        return self.t >= self.spec.num_rounds

    @property
    def returns(self):
        return self._returns.copy()

    def cooperation_rate(self):
        return np.zeros((self.batch_size, 3))


class Copycat:
    """A co-player of any game whose observation's first row is a one-hot of its last action."""

    protocol = "co_player"

    def reset(self, spec, batch_size, rng):
        self.n = batch_size

    def act(self, obs, rng):
        return obs[:, 0].argmax(1)


def test_both_cores_meet_the_contract():
    for core in (IteratedGame(batch_size=2), PublicGoodsGame(batch_size=2), MajorityGame(2)):
        assert isinstance(core, BatchedGame)
    spec = IteratedGame(batch_size=2).spec
    assert (spec.num_players, spec.num_actions, spec.observation_shape) == (2, 2, (5,))
    assert spec.action_meanings == ("COOPERATE", "DEFECT") and spec.reward_range == (-1.0, 2.0)
    view, codes = co_player_view(IteratedGame(), 1)
    assert view.name == "prisoners_dilemma" and codes().shape == (1,)
    view, obs = co_player_view(PublicGoodsGame(), 2)
    assert view.num_players == 4 and obs().shape == (1, 3)


@pytest.mark.parametrize(
    ("field", "value", "error", "match"),
    [
        ("name", "", TypeError, "name must be a non-empty str"),
        ("num_players", 0, ValueError, "num_players must be a positive int; got 0"),
        ("num_actions", 2.0, TypeError, "num_actions must be a positive int; got 2.0"),
        ("observation_shape", (3, 0), ValueError, r"observation_shape entries \(got \(3, 0\)\)"),
        ("observation_low", 2.0, ValueError, "observation_low must be <= observation_high"),
        (
            "action_meanings",
            ("a",),
            ValueError,
            r"must name each of the 2 actions; got 1: \('a',\)",
        ),
        ("reward_range", (1.0, 0.0), ValueError, r"low <= high; got \(1.0, 0.0\)"),
    ],
)
def test_game_spec_refuses_bad_fields(field, value, error, match):
    fields = dict(
        name="g",
        num_players=2,
        num_actions=2,
        observation_shape=(3,),
        observation_low=0.0,
        observation_high=1.0,
        num_rounds=4,
        action_meanings=("a", "b"),
        reward_range=(0.0, 1.0),
    )
    with pytest.raises(error, match=match):
        GameSpec(**{**fields, field: value})


def test_a_new_game_plugs_into_every_generic_front_end():
    check_env(BatchedGameEnv(MajorityGame(), Copycat()))
    env = BatchedGameEnv(MajorityGame(num_rounds=3), [Copycat(), Copycat()])
    obs, _ = env.reset(seed=0)
    assert obs.shape == (2, 3) and env.action_space.n == 3
    _, reward, _, _, info = env.step(2)
    assert info["co_player_actions"] == [0, 0]  # no last action yet: argmax of zeros
    assert reward in (0.0, 1.0)  # the co-players' 0 is the majority
    parallel_api_test(BatchedGameParallelEnv(MajorityGame()), num_cycles=50)
    api_test(BatchedGameAECEnv(BatchedGameParallelEnv(MajorityGame())), num_cycles=20)
    envs = BatchedGameVectorEnv(MajorityGame(batch_size=4), Copycat())
    obs, _ = envs.reset(seed=1)
    assert obs.shape == (4, 2, 3) and envs.single_action_space.n == 3
    obs, rewards, terminated, *_ = envs.step(np.array([0, 1, 2, 0]))
    assert rewards.shape == (4,) and not terminated.any()
    seats = [GameSeat(Copycat(), np.arange(4), s) for s in range(3)]
    core = play_batched(MajorityGame(batch_size=4), seats, np.random.default_rng(0))
    assert core.done and (core.returns >= 5).all()  # all agree every round: 1 each, + bonus


def test_one_co_player_spec_fills_every_other_seat_with_its_own_draws():
    versus = VersusCoPlayer(PublicGoodsGame(num_players=4, batch_size=5), "random_reactive")
    versus.reset(np.random.default_rng(0))
    tables = versus.co_player.tables  # one object, B x (N - 1) rows, seat-major
    assert tables.shape == (15, 7)
    assert len({tuple(row) for row in tables}) == 15
    obs, rewards, done = versus.step(np.zeros(5, dtype=np.int64), np.random.default_rng(1))
    assert obs.shape == (5, 3) and rewards.shape == (5, 4) and not done


def test_a_list_gives_one_co_player_per_seat():
    versus = VersusCoPlayer(
        PublicGoodsGame(num_players=3, batch_size=2),
        ["never_contribute", "always_contribute"],
    )
    versus.reset(np.random.default_rng(0))
    versus.step(np.zeros(2, dtype=np.int64), np.random.default_rng(0))
    np.testing.assert_array_equal(versus.joint, [[0, 1, 0], [0, 1, 0]])
    names = [player.name for player, _ in versus.co_player]
    assert names == ["never_contribute", "always_contribute"]


def test_co_player_actions_are_checked():
    class Bad(Copycat):
        def act(self, obs, rng):
            return np.full(self.n, 5)

    env = BatchedGameEnv(MajorityGame(), Bad())
    env.reset(seed=0)
    with pytest.raises(
        ValueError, match=r"co-player actions must be 0 \(a\), 1 \(b\) or 2 \(c\); got 5"
    ):
        env.step(0)
