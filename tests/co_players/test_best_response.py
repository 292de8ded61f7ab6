"""The exact best response to finite-state co-players (co_players.best_response)."""

import itertools

import numpy as np
import pytest

from co_players import make_co_player
from co_players.analysis import best_response
from co_players.best_response import (
    as_machine,
    best_response_to,
    machine_best_response,
    probe_tradeoff,
)
from co_players.finite_state import FiniteStateMachine, grim_trigger, tit_for_two_tats
from co_players.memory_one import MemoryOne, tremble
from co_players.zero_determinant import ZeroDeterminant
from coop_envs.core import PRISONERS_DILEMMA, START


def policy_trees(rounds):
    """Every deterministic policy, as a tree: (action, {co-player move: subtree})."""
    if rounds == 0:
        return [None]
    subtrees = policy_trees(rounds - 1)
    return [
        (a, {0: after_c, 1: after_d})
        for a in (0, 1)
        for after_c, after_d in itertools.product(subtrees, repeat=2)
    ]


def tree_total(tree, next_state, cooperate, state, observation):
    """Exact expected total of a policy tree, replaying the machine on every history."""
    if tree is None:
        return 0.0
    a, children = tree
    state = next_state[state, observation]
    total = 0.0
    for b, p in ((0, cooperate[state]), (1, 1 - cooperate[state])):
        if p == 0:
            continue
        reward = PRISONERS_DILEMMA.payoffs[a, b, 0]
        total += p * (reward + tree_total(children[b], next_state, cooperate, state, 1 + 2 * b + a))
    return total


def brute_force(co_player, rounds):
    next_state, cooperate, start = as_machine(co_player)
    return max(tree_total(t, next_state, cooperate, start, START) for t in policy_trees(rounds))


RANDOM_MACHINE = FiniteStateMachine(
    np.random.default_rng(3).integers(0, 3, (3, 5)), [0.9, 0.2, 0.6], 1, name="random_machine"
)
CO_PLAYERS = {
    "tft": lambda: make_co_player("tit_for_tat"),
    "wsls": lambda: make_co_player("win_stay_lose_shift"),
    "tft_noise": lambda: MemoryOne(tremble([1, 1, 0, 1, 0], 0.05)),
    "random_vector": lambda: MemoryOne([0.3, 0.8, 0.1, 0.6, 0.45]),
    "zd_extort_3": lambda: ZeroDeterminant(3.0),
    "grim": grim_trigger,
    "tftt": tit_for_two_tats,
    "random_machine": lambda: RANDOM_MACHINE,
}


@pytest.mark.parametrize("name", CO_PLAYERS)
def test_dp_equals_brute_force_over_every_deterministic_policy(name):
    co_player = CO_PLAYERS[name]()
    assert len(policy_trees(3)) == 128
    assert best_response_to(co_player, rounds=3).total == pytest.approx(
        brute_force(co_player, 3), abs=1e-12
    )


def test_dp_equals_brute_force_for_four_rounds():
    for co_player in (tit_for_two_tats(), RANDOM_MACHINE):
        assert best_response_to(co_player, rounds=4).total == pytest.approx(
            brute_force(co_player, 4), abs=1e-12
        )


@pytest.mark.parametrize("rounds", [1, 2, 10, 100])
def test_known_values(rounds):
    # against always-defect: defect every round, earn P = 0
    assert best_response_to(make_co_player("always_defect"), rounds=rounds).total == 0.0
    # against TFT and grim: cooperate until the last round, then defect: (T - 1) R + T
    assert best_response_to(make_co_player("tit_for_tat"), rounds=rounds).total == rounds + 1
    assert best_response_to(grim_trigger(), rounds=rounds).total == rounds + 1
    # against always-cooperate: defect every round
    assert best_response_to(make_co_player("always_cooperate"), rounds=rounds).total == 2 * rounds


def test_memory_one_agrees_with_the_analysis_module():
    q = np.random.default_rng(0).random((20, 5))
    expected = best_response(q, rounds=100).value
    mine = [best_response_to(MemoryOne(row), rounds=100).value for row in q]
    np.testing.assert_allclose(mine, expected, atol=1e-12)


def test_the_policy_reaches_the_value():
    best = best_response_to(grim_trigger(), rounds=5)
    # cooperate from the cooperative state until the last round; defect once grim has triggered
    assert best.policy[:, 0].tolist() == [0, 0, 0, 0, 1]
    assert best.policy[:, 1].tolist() == [1] * 5
    assert best.start == 0 and best.rounds == 5 and best.value == best.total / 5


def test_bad_input():
    with pytest.raises(TypeError, match="got Schedule"):
        best_response_to(make_co_player("cooperate_then_defect"))
    with pytest.raises(ValueError, match=r"holds \(2, 5\)"):
        best_response_to(MemoryOne(np.full((2, 5), 0.5)))
    with pytest.raises(ValueError, match="got \\(2,\\) and \\(3, 5\\)"):
        machine_best_response(np.zeros((3, 5), dtype=int), [0.5, 0.5])
    with pytest.raises(ValueError, match=r"outside 0\.\.1"):
        machine_best_response(np.full((2, 5), 2), [0.5, 0.5])
    with pytest.raises(ValueError, match=r"start_state must be a state in 0\.\.1; got 2"):
        machine_best_response(np.zeros((2, 5), dtype=int), [0.5, 0.5], 2)
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\]; got \[1.5"):
        machine_best_response(np.zeros((2, 5), dtype=int), [1.5, 0.5])
    with pytest.raises(ValueError, match="rounds"):
        machine_best_response(np.zeros((2, 5), dtype=int), [0.5, 0.5], rounds=0)


def best_meeting_bar(co_player, rounds, bar):
    """Brute force: every deterministic policy tree's (mean vs AllC, total vs X), then the best
    total vs X of a mixture of two (by Kuhn's theorem every stochastic policy is a mixture of
    deterministic ones) whose mean vs AllC reaches ``bar``."""
    allc = as_machine(make_co_player("always_cooperate"))
    machine = as_machine(co_player)
    points = {
        (tree_total(t, *allc, START) / rounds, tree_total(t, *machine, START))
        for t in policy_trees(rounds)
    }
    best = max((y for x, y in points if x >= bar - 1e-12), default=float("nan"))
    for (x1, y1), (x2, y2) in itertools.combinations(points, 2):
        if min(x1, x2) < bar - 1e-12 < max(x1, x2):
            best = max(best, y1 + (y2 - y1) * (bar - x1) / (x2 - x1))
    return best


DETERMINISTIC_MACHINE = FiniteStateMachine(
    np.random.default_rng(5).integers(0, 3, (3, 5)), [1, 0, 1], 0, name="deterministic_machine"
)


@pytest.mark.parametrize(
    "co_player",
    [
        grim_trigger(),
        tit_for_two_tats(),
        make_co_player("win_stay_lose_shift"),
        make_co_player("tit_for_tat"),
        DETERMINISTIC_MACHINE,
    ],
    ids=lambda c: c.name,
)
@pytest.mark.parametrize("bar", [1.25, 1.5, 1.75, 2.0])
def test_probe_tradeoff_equals_brute_force_over_every_policy(co_player, bar):
    tradeoff = probe_tradeoff(co_player, bar, rounds=4)
    assert tradeoff.total == pytest.approx(best_meeting_bar(co_player, 4, bar), abs=1e-9)
    assert tradeoff.best_total == best_response_to(co_player, rounds=4).total


def test_probe_tradeoff_against_grim_trigger():
    # probing by round 10 on average (1.9 from AllC) costs grim trigger's cooperation after it
    tradeoff = probe_tradeoff(grim_trigger(), 1.9)
    assert tradeoff.regret == pytest.approx(0.89)
    assert tradeoff.frontier.tolist() == [[1.01, 101.0], [2.0, 2.0]]
    # never probing is the best response: no bar below its 1.01 costs anything
    assert probe_tradeoff(grim_trigger(), 1.0).regret == 0.0
    assert np.isnan(probe_tradeoff(grim_trigger(), 2.01).total)  # above what AllC can give


def test_probe_tradeoff_refuses_random_co_players():
    with pytest.raises(ValueError, match=r"deterministic co-player.*generous_tit_for_tat"):
        probe_tradeoff(make_co_player("generous_tit_for_tat"), 1.9)
    with pytest.raises(TypeError, match="memory-one or finite-state"):
        probe_tradeoff(object(), 1.9)
    with pytest.raises(TypeError, match="reference"):
        probe_tradeoff(grim_trigger(), "1.9")
