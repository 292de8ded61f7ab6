"""Exact public goods values against groups of reactive co-players, checked two ways."""

from __future__ import annotations

from itertools import product

import numpy as np
import pytest

from co_players.public_goods import (
    CONTRIBUTE,
    KEEP,
    ReactivePolicy,
    conditional_pool_values,
)
from co_players.public_goods_values import (
    _Group,
    conditional_seat_tables,
    draw_groups,
    group_values,
    pool_values,
    reactive_seat_tables,
)
from coop_envs.core import GameSeat, play_batched
from coop_envs.core.public_goods import PublicGoodsGame

# three reactive co-players (start, C_none, C_some, C_all, K_none, K_some, K_all)
TABLES = np.array(
    [
        [0.9, 0.1, 0.8, 0.95, 0.0, 0.3, 0.6],
        [0.5, 0.2, 0.5, 0.9, 0.1, 0.4, 0.7],
        [1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0],
    ]
)


def test_reactive_seat_tables_read_none_some_all():
    seats = reactive_seat_tables(TABLES[0], 4)  # start, C x (0, 1, 2, 3 others), K x (...)
    np.testing.assert_array_equal(seats, [0.9, 0.1, 0.8, 0.8, 0.95, 0.0, 0.3, 0.3, 0.6])
    np.testing.assert_array_equal(
        conditional_seat_tables(np.array([2]), 4), [[1, 0, 0, 1, 1, 0, 0, 1, 1]]
    )


@pytest.mark.parametrize("multiplier", [1.6, 3.0])
def test_conditional_groups_agree_with_the_enumeration(multiplier):
    seats = conditional_seat_tables(np.array(list(product(range(1, 4), repeat=3))), 4)
    expected = conditional_pool_values(4, multiplier, 100)
    for policy in ("best_response", "always_contribute", "never_contribute"):
        mean = group_values(seats, 4, multiplier, 100, policy).mean()
        assert mean == pytest.approx(expected[policy], abs=1e-9)


class PlanFollower:
    """Seat 0 playing a plan over the last round's joint moves (read from the game loop)."""

    def __init__(self, plan):
        self.plan, self.last = plan, None

    def reset(self, spec, batch_size, rng):
        self.t, self.last = 0, None

    def act(self, obs, rng):
        if self.last is None:
            state = np.zeros(len(obs), dtype=np.int64)
        else:
            contributed = (self.last == CONTRIBUTE).astype(np.int64)
            state = 1 + (contributed << np.arange(contributed.shape[1])).sum(axis=1)
        contribute = self.plan[self.t, state]
        self.t += 1
        return np.where(contribute == 1, CONTRIBUTE, KEEP).astype(np.int64)

    def record(self, actions, rewards):
        self.last = actions.copy()


def test_best_response_plan_earns_its_value_in_played_games():
    seats = reactive_seat_tables(TABLES, 4)[None]
    exact, plan = _Group(4, 1.6).solve(seats, 20)
    follower = PlanFollower(plan)
    batch = 20_000
    core, games = PublicGoodsGame(4, 1.6, batch_size=batch, num_rounds=20), np.arange(batch)
    players = [follower] + [ReactivePolicy(table) for table in TABLES]
    seated = [GameSeat(p, games, s) for s, p in enumerate(players)]
    play_batched(core, seated, np.random.default_rng(3), on_round=follower.record)
    per_round = core.returns[:, 0] / 20
    assert abs(per_round.mean() - exact[0]) < 4 * per_round.std() / np.sqrt(batch) + 1e-3
    never = group_values(seats, 4, 1.6, 20, "never_contribute")[0]
    assert exact[0] >= never - 1e-12


def test_pool_values_bracket_and_repeat():
    kwargs = {"multiplier": 3.0, "conditional_fraction": 0.5, "samples": 64, "rounds": 10}
    values = pool_values(**kwargs)
    assert values["best_response"] >= values["mean_response"] - 1e-12
    best = values["best_response"]
    assert best >= max(values["always_contribute"], values["never_contribute"]) - 1e-12
    assert values["knowing_worth"] == pytest.approx(best - values["mean_response"])
    assert values["knowing_worth_se"] > 0
    assert values == pool_values(**kwargs)


def test_against_a_one_point_pool_the_mean_response_is_the_best_response():
    # N = 2, every seat a conditional cooperator: the only threshold is 1 (tit for tat)
    values = pool_values(num_players=2, conditional_fraction=1.0, samples=8, rounds=10)
    assert values["mean_response"] == pytest.approx(values["best_response"], abs=1e-12)
    assert values["knowing_worth"] == pytest.approx(0.0, abs=1e-12)


def test_groups_are_drawn_seat_by_seat():
    groups = draw_groups(4000, np.random.default_rng(0), 4, "train", 1.0, 0.5)
    conditional = (groups == groups.round()).all(axis=2)  # reactive tables are never 0/1 exactly
    assert 0.47 < conditional.mean() < 0.53
    # seats independent: all three conditional in about 1/8 of the groups
    assert abs(conditional.all(axis=1).mean() - 0.125) < 0.02
    # thresholds uniform in 1..3: the count at which a conditional seat starts contributing
    first = np.argmax(groups[conditional][:, 1:5] == 1.0, axis=1)
    assert set(np.unique(first).tolist()) == {1, 2, 3}
    assert np.abs(np.bincount(first)[1:] / len(first) - 1 / 3).max() < 0.03
    sharp = draw_groups(2000, np.random.default_rng(0), 4, "train", 0.01, 0.0)
    assert ((sharp < 0.01) | (sharp > 0.99)).mean() > 0.9


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda: group_values(np.zeros((1, 3, 7)), 4), r"shape \(K, N - 1, 1 \+ 2N\)"),
        (lambda: group_values(np.full((1, 3, 9), 2.0), 4), r"\[0, 1\]; got \[2\.0"),
        (lambda: group_values(np.zeros((1, 3, 9)), 4, policy="grim"), "policy must be one of"),
        (lambda: group_values(np.zeros((1, 8, 17)), 9), "num_players"),
        (lambda: conditional_seat_tables(np.array([4]), 4), r"integers in 1\.\.3"),
        (lambda: reactive_seat_tables(np.zeros(5), 4), "7 entries"),
        (lambda: pool_values(conditional_fraction=1.5), "conditional_fraction"),
        (lambda: pool_values(multiplier=-1.0), "multiplier"),
        (lambda: pool_values(seed=-1), "seed"),
        (lambda: reactive_seat_tables(np.zeros(7), 20), "num_players"),
        (lambda: conditional_seat_tables(np.array([1]), 1), "num_players"),
        (lambda: draw_groups(4, np.random.default_rng(0), conditional_fraction=-1), "fraction"),
    ],
)
def test_bad_input_is_refused_where_it_enters(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()
