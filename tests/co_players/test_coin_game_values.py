"""Exact Coin Game values against reactive co-players, checked against played games."""

from __future__ import annotations

import numpy as np
import pytest

from co_players.coin_game import MEMORIES, Greedy, OwnCoin, RandomReactive, decode
from co_players.coin_game_values import (
    best_response_plan,
    mean_co_player,
    reactive_pool_values,
    reactive_values,
)
from coop_envs.core import GameSeat, play_batched
from coop_envs.core.coin_game import CoinGame, coin_grid

# [flag, (p_own, q)]: mixed; a retaliator (own coin until its coin is taken, then takes the
# other's); an unconditional coin-stealer that turns to its own coin after being robbed
CO_PLAYERS = np.array(
    [[[0.2, 0.7], [0.9, 0.1]], [[1.0, 0.0], [0.0, 1.0]], [[0.0, 1.0], [1.0, 0.0]]]
)


class Fixed(RandomReactive):
    """A reactive co-player with the same four numbers in every game."""

    def __init__(self, parameters, memory="last"):
        super().__init__(None, memory=memory)
        self.fixed = np.asarray(parameters)

    def _reset_rows(self, rng):
        super()._reset_rows(rng)
        self.parameters = np.repeat(self.fixed[None], self.batch_size, axis=0)


class Plan:
    """Player 0 following a ``best_response_plan`` table."""

    def __init__(self, plan, memory="last"):
        self.plan, self.memory = plan, memory

    def reset(self, spec, batch_size, rng):
        self.grid, self.t, self.prev = coin_grid(3), 0, None
        self.flag = np.zeros(batch_size, dtype=bool)

    def act(self, obs, rng):
        own, other, own_coin, other_coin = decode(obs, self.grid)
        took = np.zeros(len(own), dtype=bool) if self.prev is None else own == self.prev
        self.flag = self.flag | took if self.memory == "episode" else took
        self.prev = other_coin
        action = self.plan[self.t, own, other, own_coin, other_coin, self.flag.astype(np.int64)]
        self.t += 1
        return action


def played(learner, parameters, batch_size=20_000, seed=0, grid_size=3, memory="last"):
    """Mean reward per round of ``learner`` (seat 0) and its standard error."""
    core, games = CoinGame(batch_size=batch_size, grid_size=grid_size), np.arange(batch_size)
    seats = [GameSeat(learner, games, 0), GameSeat(Fixed(parameters, memory), games, 1)]
    play_batched(core, seats, np.random.default_rng(seed))
    per_round = core.returns[:, 0] / core.num_rounds
    return per_round.mean(), per_round.std() / np.sqrt(batch_size)


@pytest.mark.parametrize("grid_size", [2, 3])
@pytest.mark.parametrize(("policy", "bot"), [("greedy", Greedy), ("own_coin", OwnCoin)])
def test_scripted_values_match_played_games(policy, bot, grid_size):
    exact = reactive_values(CO_PLAYERS, policy=policy, grid_size=grid_size)
    for i, parameters in enumerate(CO_PLAYERS):
        mean, error = played(bot(), parameters, seed=i, grid_size=grid_size)
        assert abs(exact[i] - mean) < 4 * error + 1e-3, (policy, i, exact[i], mean)


def test_the_best_response_plan_earns_its_value_and_beats_the_bots():
    best = reactive_values(CO_PLAYERS)
    scripted = np.stack([reactive_values(CO_PLAYERS, policy=p) for p in ("greedy", "own_coin")])
    assert (best[None] >= scripted - 1e-12).all() and (best > scripted.max(axis=0) + 0.01).any()
    # against the retaliator, own coin beats greedy; against the stealer, greedy beats own coin
    assert scripted[1, 1] > scripted[0, 1] and scripted[0, 2] > scripted[1, 2]
    for i in (0, 1):
        mean, error = played(Plan(best_response_plan(CO_PLAYERS[i])), CO_PLAYERS[i], seed=10 + i)
        assert abs(best[i] - mean) < 4 * error + 1e-3, (i, best[i], mean)


@pytest.mark.parametrize(("policy", "bot"), [("greedy", Greedy), ("own_coin", OwnCoin)])
def test_grudge_values_match_played_games(policy, bot):
    exact = reactive_values(CO_PLAYERS, policy=policy, memory="episode")
    for i, parameters in enumerate(CO_PLAYERS):
        mean, error = played(bot(), parameters, seed=20 + i, memory="episode")
        assert abs(exact[i] - mean) < 4 * error + 1e-3, (policy, i, exact[i], mean)


def test_a_grudge_makes_taking_the_retaliators_coin_cost_more():
    last, grudge = (reactive_values(CO_PLAYERS, policy="greedy", memory=m) for m in MEMORIES)
    assert grudge[1] < last[1] - 0.1  # the retaliator keeps taking the greedy learner's coins
    best = reactive_values(CO_PLAYERS, memory="episode")
    assert (best >= grudge - 1e-12).all()
    plan = best_response_plan(CO_PLAYERS[0], memory="episode")
    mean, error = played(Plan(plan, "episode"), CO_PLAYERS[0], seed=30, memory="episode")
    assert abs(best[0] - mean) < 4 * error + 1e-3, (best[0], mean)


class OnePoint(RandomReactive):
    """A pool of one co-player: every draw is ``CO_PLAYERS[0]``."""

    def sample(self, batch_size, rng):
        return np.repeat(CO_PLAYERS[:1], batch_size, axis=0)


def test_against_a_one_point_pool_the_mean_response_is_the_best_response():
    values = reactive_pool_values(OnePoint(None), num_rounds=4, samples=4, seed=1)
    assert values["mean_response"] == pytest.approx(values["best_response"], abs=1e-12)
    assert values["knowing_worth"] == pytest.approx(0.0, abs=1e-12)
    assert values["best_response_se"] == pytest.approx(0.0, abs=1e-12)


def test_the_mean_co_player_averages_behaviours_not_parameters():
    # P(own) averages to 0.5; P(other | not own) = q must be weighted by P(not own):
    # behaviours (own, other, random) = (1, 0, 0) and (0, 0.2, 0.8) -> mean (0.5, 0.1, 0.4)
    draws = np.array([[[1.0, 0.9], [1.0, 0.9]], [[0.0, 0.2], [0.0, 0.2]]])
    np.testing.assert_allclose(mean_co_player(draws), [[0.5, 0.2], [0.5, 0.2]])
    assert not np.allclose(mean_co_player(draws), draws.mean(axis=0))


def test_pool_values_bracket_and_repeat():
    values = reactive_pool_values(RandomReactive("train"), num_rounds=4, samples=8, seed=1)
    assert values["best_response"] >= values["mean_response"] - 1e-12
    assert values["best_response"] >= max(values["greedy"], values["own_coin"]) - 1e-12
    assert values["knowing_worth"] == pytest.approx(
        values["best_response"] - values["mean_response"]
    )
    assert values["knowing_worth_se"] > 0
    assert values == reactive_pool_values(RandomReactive("train"), num_rounds=4, samples=8, seed=1)


@pytest.mark.parametrize(
    ("call", "error", "pattern"),
    [
        (lambda: reactive_values(np.zeros((2, 2))), ValueError, r"shape \(K, 2, 2\)"),
        (lambda: reactive_values(np.full((1, 2, 2), 1.5)), ValueError, r"co-player 0 has \[\[1\.5"),
        (
            lambda: reactive_values(CO_PLAYERS, policy="tit_for_tat"),
            ValueError,
            "one of best_response, greedy, own_coin; got 'tit_for_tat'",
        ),
        (lambda: reactive_values(CO_PLAYERS, num_rounds=0), ValueError, "num_rounds"),
        (lambda: reactive_pool_values(Greedy()), TypeError, "got Greedy"),
        (lambda: best_response_plan(np.zeros(4)), ValueError, r"shape \(2, 2\) .*got \(4,\)"),
        (lambda: best_response_plan(CO_PLAYERS[:1]), ValueError, r"got \(1, 2, 2\)"),
        (lambda: reactive_values(CO_PLAYERS, grid_size=4), ValueError, "grid_size"),
        (lambda: reactive_values([["a"]]), TypeError, "parameters must be numbers"),
        (lambda: reactive_pool_values(seed=-1), ValueError, "seed"),
        (
            lambda: reactive_values(CO_PLAYERS, memory="forever"),
            ValueError,
            "memory must be one of last, episode; got 'forever'",
        ),
        (lambda: RandomReactive(memory="forever"), ValueError, "memory must be one of"),
    ],
)
def test_bad_input_is_refused_where_it_enters(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()
