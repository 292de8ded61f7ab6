"""Evolutionary analysis of the board (leaderboard.evolution; needs the egttools extra)."""

import numpy as np
import pytest

from leaderboard import evolution as evo

PD = np.array([[1.0, -1.0], [2.0, 0.0]])  # always cooperate, always defect (R=1, S=-1, T=2, P=0)


def test_always_defect_fixates_against_always_cooperate():
    pytest.importorskip("egttools")
    e = evo.analyse(PD, ["all_c", "all_d"], population=50)
    neutral = 1 / 50
    assert e.fixation[1, 0] > neutral  # AllD invades AllC
    assert e.fixation[0, 1] < neutral  # AllC does not invade AllD
    assert e.invasions == [("all_d", "all_c", pytest.approx(e.fixation[1, 0]))]


def test_fixation_is_neutral_without_selection_differences():
    pytest.importorskip("egttools")
    e = evo.analyse(np.ones((2, 2)), population=20)
    np.testing.assert_allclose(e.fixation[[0, 1], [1, 0]], 1 / 20)


def test_fixation_matches_the_pairwise_comparison_closed_form():
    pytest.importorskip("egttools")
    n, beta = 30, 0.7
    e = evo.analyse(PD, population=n, beta=beta)
    # one AllD among AllC: with k mutants, each kind meets the others (self excluded)
    ks = np.arange(1, n)
    f_mutant = ((ks - 1) * PD[1, 1] + (n - ks) * PD[1, 0]) / (n - 1)
    f_resident = (ks * PD[0, 1] + (n - ks - 1) * PD[0, 0]) / (n - 1)
    rho = 1 / (1 + np.cumprod(np.exp(-beta * (f_mutant - f_resident))).sum())
    assert e.fixation[1, 0] == pytest.approx(rho, rel=1e-6)


def test_replicator_dynamics_converge_to_always_defect():
    pytest.importorskip("egttools")
    shares = evo.analyse(PD).replicator
    assert shares[1] > 0.999 and shares.sum() == pytest.approx(1.0)


def test_alpha_rank_puts_its_mass_on_always_defect():
    pytest.importorskip("egttools")
    assert evo.analyse(PD).stationary[1] > 0.999


def test_alpha_rank_of_a_three_strategy_board():
    pytest.importorskip("egttools")
    # AllC, AllD, TFT over 100 rounds (exact values per round): TFT resists AllD's invasion
    payoffs = [[1.0, -1.0, 1.0], [2.0, 0.0, 0.02], [1.0, -0.01, 1.0]]
    e = evo.analyse(payoffs, ["all_c", "all_d", "tft"], population=50, alpha=5.0)
    assert e.fixation[1, 2] < 1 / 50 and e.fixation[1, 0] > 1 / 50
    assert abs(e.stationary.sum() - 1) < 1e-9 and e.stationary[0] < e.stationary[2]


def test_payoff_matrix_reads_matches_and_self_play():
    rows = [
        {"submission_id": 7, "scenarios": {"pd/self_play": {"reward": {"mean": 1.0}}}},
        {"submission_id": 9, "scenarios": {}},
    ]
    matches = [{"first_id": 9, "second_id": 7, "reward": 2.0, "opponent_reward": -1.0}]
    grid = evo.payoff_matrix(rows, matches)
    assert grid[0, 0] == 1.0 and grid[1, 0] == 2.0 and grid[0, 1] == -1.0
    assert np.isnan(grid[1, 1])


def test_bad_input():
    with pytest.raises(ValueError, match=r"square \(n, n\) matrix; got \(2, 3\)"):
        evo.analyse(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"payoffs\[1, 1\] is nan"):
        evo.analyse([[1.0, 0.0], [0.0, np.nan]])
    with pytest.raises(ValueError, match="one name per strategy"):
        evo.analyse(PD, ["a"])
    with pytest.raises(ValueError, match="population must be at least 2; got 1"):
        evo.analyse(PD, population=1)
    with pytest.raises(ValueError, match="beta must be positive"):
        evo.analyse(PD, beta=0.0)


def test_the_page_section_names_who_invades_whom():
    pytest.importorskip("egttools")
    from leaderboard import render

    rows = [
        {"submission_id": i, "board": "full", "rank": i + 1, "name": name, "scenarios": {}}
        for i, name in enumerate(("all_c", "all_d"))
    ]
    for row, self_play in zip(rows, (1.0, 0.0), strict=True):
        row["scenarios"]["pd/self_play"] = {"reward": {"mean": self_play}}
    matches = [{"first_id": 0, "second_id": 1, "reward": -1.0, "opponent_reward": 2.0}]
    html = "\n".join(render._evolution(rows, matches))
    assert "<td class='left'>2 all_d</td><td class='left'>1 all_c</td>" in html
    assert "evolution-chart" in html


def test_the_page_section_explains_a_board_too_small():
    from leaderboard import render

    html = "\n".join(render._evolution([], []))
    assert "Needs two entries" in html
