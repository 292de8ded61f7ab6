import numpy as np
import pytest

from coop_envs.core import (
    CHICKEN,
    COOPERATE,
    DEFECT,
    GAMES,
    MATCHING_PENNIES,
    PRISONERS_DILEMMA,
    STAG_HUNT,
    MatrixGame,
    classify_payoffs,
    get_game,
    prisoners_dilemma,
    stag_hunt,
)

C, D = COOPERATE, DEFECT

# (game, {(a0, a1): (r0, r1)}) for every joint action, written out as a table (pax-style test).
EXPECTED = [
    (PRISONERS_DILEMMA, {(C, C): (1, 1), (C, D): (-1, 2), (D, C): (2, -1), (D, D): (0, 0)}),
    (STAG_HUNT, {(C, C): (2, 2), (C, D): (-2, 1), (D, C): (1, -2), (D, D): (0, 0)}),
    (CHICKEN, {(C, C): (0, 0), (C, D): (-1, 1), (D, C): (1, -1), (D, D): (-2, -2)}),
    (MATCHING_PENNIES, {(C, C): (1, -1), (C, D): (-1, 1), (D, C): (-1, 1), (D, D): (1, -1)}),
]


@pytest.mark.parametrize("game,table", EXPECTED, ids=[g.name for g, _ in EXPECTED])
def test_payoff_tables(game, table):
    for (a0, a1), rewards in table.items():
        assert tuple(game.payoffs[a0, a1]) == rewards


def test_paper_letters_and_dilemmas():
    pd = PRISONERS_DILEMMA
    assert (pd.T, pd.R, pd.P, pd.S) == (2.0, 1.0, 0.0, -1.0)
    assert [g.dilemma for g in GAMES.values()] == [
        "prisoners_dilemma",
        "stag_hunt",
        "chicken",
        "zero_sum",
    ]


def test_reward_table_is_own_view():
    # Player 1's code DC means "I (player 1) defected, player 0 cooperated": player 1 got T.
    assert PRISONERS_DILEMMA.reward_table(1).tolist() == [0, 1, -1, 2, 0]
    # Matching pennies is not symmetric: player 1 wins on a mismatch.
    assert MATCHING_PENNIES.reward_table(0).tolist() == [0, 1, -1, -1, 1]
    assert MATCHING_PENNIES.reward_table(1).tolist() == [0, -1, 1, 1, -1]


def test_swapped_game_pays_player_1_as_player_0():
    swapped = MATCHING_PENNIES.swapped()
    assert swapped.reward_table(0).tolist() == MATCHING_PENNIES.reward_table(1).tolist()
    assert swapped.swapped() == MATCHING_PENNIES
    assert PRISONERS_DILEMMA.swapped() is PRISONERS_DILEMMA


def test_payoffs_are_read_only():
    with pytest.raises(ValueError, match="read-only"):
        PRISONERS_DILEMMA.payoffs[0, 0, 0] = 5.0


def test_custom_game_from_rows_and_equality():
    game = MatrixGame.from_rows("pd2", [[3, 3], [0, 5], [5, 0], [1, 1]])
    assert game.dilemma == "prisoners_dilemma"
    assert game == MatrixGame.symmetric("pd2", R=3, S=0, T=5, P=1)
    assert hash(game) == hash(MatrixGame.symmetric("pd2", R=3, S=0, T=5, P=1))
    assert get_game(game) is game
    assert get_game([[3, 3], [0, 5], [5, 0], [1, 1]]).dilemma == "prisoners_dilemma"
    assert classify_payoffs(np.zeros((2, 2, 2))) == "zero_sum"


def test_wrong_shape_names_shape_and_fix():
    with pytest.raises(ValueError, match=r"got \(4, 2\).*from_rows"):
        MatrixGame("bad", np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"rows must have shape \(4, 2\).*got \(3, 2\)"):
        MatrixGame.from_rows("bad", np.zeros((3, 2)))


def test_non_numeric_and_non_finite_payoffs():
    with pytest.raises(TypeError, match="payoffs must be numbers"):
        MatrixGame("bad", [[["a", 1], [1, 1]], [[1, 1], [1, 1]]])
    with pytest.raises(ValueError, match="finite"):
        MatrixGame("bad", np.full((2, 2, 2), np.nan))


def test_claimed_dilemma_is_checked():
    with pytest.raises(ValueError, match=r"not a prisoners_dilemma .*T > R > P > S.*R=3, S=0, T=2"):
        MatrixGame.symmetric("x", R=3, S=0, T=2, P=1, dilemma="prisoners_dilemma")
    with pytest.raises(ValueError, match=r"2R > T \+ S"):
        prisoners_dilemma(T=10, R=1, P=0, S=-1)
    with pytest.raises(ValueError, match="not a stag_hunt"):
        stag_hunt(R=0, T=1, P=0, S=-2)
    with pytest.raises(ValueError, match="unknown dilemma 'pd'; accepted: prisoners_dilemma"):
        MatrixGame.symmetric("x", R=1, S=-1, T=2, P=0, dilemma="pd")


def test_letters_of_asymmetric_game_raise():
    with pytest.raises(ValueError, match="symmetric games only"):
        _ = MATCHING_PENNIES.T


def test_unknown_game_lists_known():
    with pytest.raises(
        ValueError, match="unknown game 'ipd'; known games: prisoners_dilemma, stag_hunt"
    ):
        get_game("ipd")
    with pytest.raises(TypeError, match="got None"):
        get_game(None)
