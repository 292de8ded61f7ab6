"""The one play loop: seats, the reset contract, per-round rewards and codes read off the core."""

import numpy as np
import pytest

from coop_envs.core import (
    CD,
    COOPERATE,
    DC,
    DEFECT,
    MATCHING_PENNIES,
    PRISONERS_DILEMMA,
    START,
    IteratedGame,
    Seat,
    outcome,
    play,
)


class Scripted:
    """Plays a fixed sequence of moves in every game; records what it was given."""

    protocol = "co_player"

    def __init__(self, moves, name="scripted"):
        self.moves, self.name, self.log = list(moves), name, []

    def reset(self, game, batch_size, rng):
        self.game, self.n, self.t = game, batch_size, 0
        self.log.append(("reset", game.name, batch_size))

    def act(self, obs, rng):
        self.log.append(("act", obs.tolist()))
        move = self.moves[self.t]
        self.t += 1
        return np.full(self.n, move, dtype=np.int64)


def test_players_are_reset_then_act_in_the_order_given_with_their_own_view():
    order = []

    class Logged(Scripted):
        def reset(self, game, batch_size, rng):
            order.append(("reset", self.name))
            super().reset(game, batch_size, rng)

        def act(self, obs, rng):
            order.append(("act", self.name))
            return super().act(obs, rng)

    a, b = Logged([DEFECT, COOPERATE], "a"), Logged([COOPERATE, COOPERATE], "b")
    games = np.arange(3)
    core = play(
        PRISONERS_DILEMMA, 3, 2, [Seat(b, games, 1), Seat(a, games, 0)], np.random.default_rng(0)
    )
    assert order == [
        ("reset", "b"),
        ("reset", "a"),
        ("act", "b"),
        ("act", "a"),
        ("act", "b"),
        ("act", "a"),
    ]
    assert a.log[1] == ("act", [START] * 3) and a.log[2] == ("act", [DC] * 3)  # own move first
    assert b.log[2] == ("act", [CD] * 3)  # the same round from seat 1
    assert core.history[:, :, 0].tolist() == [[DEFECT, COOPERATE]] * 3


def test_a_seat_one_player_is_given_the_swapped_game():
    pennies = MATCHING_PENNIES
    a, b = Scripted([COOPERATE]), Scripted([COOPERATE])
    play(
        pennies,
        2,
        1,
        [Seat(a, np.arange(2), 0), Seat(b, np.arange(2), 1)],
        np.random.default_rng(0),
    )
    assert a.game == pennies and b.game == pennies.swapped() != pennies


def test_rewards_and_codes_are_read_off_the_core_once():
    core = IteratedGame(PRISONERS_DILEMMA, batch_size=2, num_rounds=3)
    core.reset()
    steps = [[[COOPERATE, DEFECT], [DEFECT, DEFECT]], [[COOPERATE, COOPERATE], [DEFECT, COOPERATE]]]
    returned = [core.step(a)[0] for a in steps]
    np.testing.assert_array_equal(core.rewards, np.stack(returned, axis=1))  # what step returned
    assert core.rewards.dtype == np.float32 and core.rewards.shape == (2, 2, 2)
    assert core.code_history[0].tolist() == [[START, START], [CD, DC]]
    assert core.code_history[1].tolist() == [[START, START], [4, 4]]
    np.testing.assert_allclose(core.returns, core.rewards.sum(axis=1))
    o = outcome(core, np.array([0]), seat=1)
    assert o.rewards.tolist() == [[2.0, 1.0]] and o.cooperated.tolist() == [[False, True]]
    assert o.opponent_cooperation.tolist() == [1.0]


@pytest.mark.parametrize(
    "seats,pattern",
    [
        (lambda p: [Seat(p, np.arange(2), 0)], "game 0 seat 1 has 0"),
        (
            lambda p: [Seat(p, np.arange(2), 0), Seat(p, np.array([0, 0]), 1)],
            "game 0 seat 1 has 2",
        ),
        (lambda p: [Seat(p, np.arange(3), 0)], r"games outside 0\.\.1"),
    ],
)
def test_every_seat_needs_exactly_one_player(seats, pattern):
    with pytest.raises(ValueError, match=pattern):
        play(PRISONERS_DILEMMA, 2, 1, seats(Scripted([0])), np.random.default_rng(0))


def test_bad_seats_and_bad_actions_are_refused_where_they_enter():
    with pytest.raises(ValueError, match="seat must be 0 or 1; got 2"):
        Seat(Scripted([0]), np.arange(2), 2)
    with pytest.raises(ValueError, match=r"games must be a 1-D array of game indices; got shape"):
        Seat(Scripted([0]), np.zeros((2, 2), dtype=int), 0)
    bad = Scripted([7], name="bad_bot")
    seats = [Seat(bad, np.arange(2), 0), Seat(Scripted([0]), np.arange(2), 1)]
    with pytest.raises(ValueError, match=r"actions of 'bad_bot' must be 0 \(COOPERATE\)"):
        play(PRISONERS_DILEMMA, 2, 1, seats, np.random.default_rng(0))


def test_one_seed_fixes_every_draw():
    from co_players import make_co_player

    def run(seed):
        games = np.arange(64)
        seats = [
            Seat(make_co_player("random_tabular"), games, 0),
            Seat(make_co_player("q_learner"), games, 1),
        ]
        return play(PRISONERS_DILEMMA, 64, 20, seats, np.random.default_rng(seed)).history.copy()

    np.testing.assert_array_equal(run(3), run(3))
    assert not np.array_equal(run(3), run(4))
