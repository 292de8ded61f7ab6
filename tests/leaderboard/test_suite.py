import numpy as np
import pytest

from co_players import make_co_player
from co_players.analysis import best_response, expected_payoffs
from coop_envs.core import PRISONERS_DILEMMA, IteratedGame
from leaderboard.suite import (
    GROUPS,
    SCENARIOS,
    adaptivity_score,
    exploitability,
    finite_state_values,
    headline,
    reference_values,
    welfare_score,
)


@pytest.mark.parametrize(
    "name",
    [
        "tit_for_tat",
        "win_stay_lose_shift",
        "always_cooperate",
        "tit_for_tat_tremble",
        "generous_tit_for_tat",
    ],
)
def test_memory_one_reference_values_match_the_analysis(name):
    vector = make_co_player(name).vector_for(PRISONERS_DILEMMA)
    best, rand = reference_values(name)
    assert best == pytest.approx(best_response(vector).value[0])
    assert rand == pytest.approx(expected_payoffs(np.full(5, 0.5), vector)[0, 0])


@pytest.mark.parametrize(
    "name",
    ["grim_trigger", "grim_trigger_2", "tit_for_two_tats", "corrigible", "cooperate_then_defect"],
)
def test_finite_state_values_match_monte_carlo(name):
    best, rand = reference_values(name)
    # the random policy, played through the core, against the real co-player
    episodes = 4000
    rng = np.random.default_rng(0)
    core = IteratedGame(PRISONERS_DILEMMA, episodes, 100)
    core.reset()
    co_player = make_co_player(name)
    co_player.reset(PRISONERS_DILEMMA, episodes, rng)
    joint = np.zeros((episodes, 2), dtype=np.int64)
    while not core.done:
        joint[:, 0] = rng.integers(0, 2, episodes)
        joint[:, 1] = co_player.act(core.codes[:, 1].copy(), rng)
        core.step(joint)
    per_episode = core.returns[:, 0] / 100
    assert abs(per_episode.mean() - rand) < 4 * per_episode.std() / np.sqrt(episodes) + 1e-9
    assert best >= rand


def test_known_best_responses():
    assert reference_values("grim_trigger")[0] == pytest.approx(1.01)  # cooperate, defect last
    assert reference_values("cooperate_then_defect")[0] == pytest.approx(1.0)  # always defect
    assert reference_values("tit_for_two_tats")[0] == pytest.approx(1.51)  # alternate D, C
    with pytest.raises(TypeError, match="no exact values for QLearner"):
        finite_state_values(make_co_player("q_learner"), PRISONERS_DILEMMA)


def test_the_held_out_reciprocity_pool_is_in_the_suite():
    opponents = {s.opponent for s in SCENARIOS}
    for required in (
        "always_cooperate",
        "always_defect",
        "grim_trigger",
        "grim_trigger_2",
        "tit_for_tat",
        "tit_for_tat_tremble",
        "cooperate_then_defect",
        "corrigible",
        "zd_extort_2",
        "zd_extort_3",
        "zd_extort_5",
        "q_learner",
        "pg_learner",
        "random_tabular_held_out",
        "self",
        "best_response",
        "trained_exploiter",
    ):
        assert required in opponents, required
    names = [s.name for s in SCENARIOS]
    assert len(names) == len(set(names))
    assert all(set(s.groups) <= set(GROUPS) for s in SCENARIOS)


def test_normalisations():
    pd = PRISONERS_DILEMMA
    assert welfare_score(1, 1, pd) == 1 and welfare_score(0, 0, pd) == 0
    assert welfare_score(2, -1, pd) == 0.5
    assert adaptivity_score(1.01, 1.01, 0.51) == 1 and adaptivity_score(0.51, 1.01, 0.51) == 0
    assert exploitability(2, -1, pd) == 1 and exploitability(0, 0, pd) == 0
    assert exploitability(0, 1, pd) == 0  # the "exploiter" lost: no exploitability
    assert headline({"cooperation": 1, "adaptivity": 0.5, "exploitability": 0.25}) == 0.5
