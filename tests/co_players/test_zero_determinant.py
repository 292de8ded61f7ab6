import numpy as np
import pytest

from co_players import ZeroDeterminant, make_co_player, zd_check, zd_phi_max, zd_vector
from co_players.analysis import long_run_payoffs
from coop_envs.core import CHICKEN, MATCHING_PENNIES, PRISONERS_DILEMMA, STAG_HUNT, MatrixGame

PD = PRISONERS_DILEMMA
AXELROD_PD = MatrixGame.symmetric("axelrod_pd", R=3, S=0, T=5, P=1)


@pytest.mark.parametrize("game", [PD, AXELROD_PD, STAG_HUNT], ids=lambda g: g.name)
@pytest.mark.parametrize("chi", [1.5, 2, 3, 5])
def test_extortioner_enforces_its_relation_against_anyone(game, chi):
    p = zd_vector(game, chi)
    assert zd_check(p, game).enforces(chi=chi, kappa=game.P)
    opponents = np.random.default_rng(0).random((200, 5))
    s = long_run_payoffs(p, opponents, game)
    np.testing.assert_allclose(s[:, 0] - game.P, chi * (s[:, 1] - game.P), atol=1e-5)


@pytest.mark.parametrize("chi", [2, 3])
def test_generous_zd_enforces_relation_around_r(chi):
    p = zd_vector(PD, chi, kind="generous")
    assert p[1] == 1.0  # generous ZD always cooperates after CC
    assert zd_check(p, PD).enforces(chi=chi, kappa=PD.R)
    s = long_run_payoffs(p, np.random.default_rng(1).random((100, 5)), PD)
    np.testing.assert_allclose(s[:, 0] - PD.R, chi * (s[:, 1] - PD.R), atol=1e-5)


def test_press_dyson_paper_example():
    # Press & Dyson (2012): in the (5, 3, 1, 0) game the chi = 3 extortioner with phi = 1/26 is
    # p = (11/13, 1/2, 7/26, 0).
    game = MatrixGame.symmetric("press_dyson", R=3, S=0, T=5, P=1)
    p = zd_vector(game, chi=3, phi=1 / 26)
    np.testing.assert_allclose(p[1:], [11 / 13, 1 / 2, 7 / 26, 0])


def test_phi_bounds_and_default():
    assert zd_phi_max(PD, 2) == pytest.approx(0.2)
    assert zd_vector(PD, 2).tolist() == pytest.approx([0.9, 0.9, 0.5, 0.4, 0.0])
    assert zd_vector(PD, 2, phi=0.2, start=0.0).tolist() == pytest.approx([0, 0.8, 0, 0.8, 0])
    with pytest.raises(ValueError, match=r"phi must be in \(0, 0.2\] .* got 0.3"):
        zd_vector(PD, 2, phi=0.3)


def test_non_zd_vectors_are_recognised():
    assert not zd_check([1, 1, 0, 0, 1], PD).is_zd  # WSLS
    assert not zd_check([0.5, 0.9, 0.2, 0.7, 0.1], PD).is_zd
    tft = zd_check([1, 1, 0, 1, 0], PD)
    assert tft.is_zd and tft.chi == pytest.approx(1.0)  # TFT enforces s_X = s_Y


@pytest.mark.parametrize(
    "kwargs,pattern",
    [
        (
            dict(game=CHICKEN, chi=4),
            r"no extortionate zero-determinant strategy with chi=4 exists "
            r"for 'chicken' .* P\(C\|DC\) would leave \[0, 1\] for every phi > 0; try a smaller chi",
        ),
        (dict(game=MATCHING_PENNIES, chi=2), "need a symmetric game"),
        (dict(game=PD, chi=0.5), "chi must be a finite number >= 1; got 0.5"),
        (dict(game=PD, chi=2, kind="kind"), "kind must be one of extortionate, generous"),
        (dict(game=PD, chi=2, start=2), r"start must be a probability in \[0, 1\]; got 2"),
    ],
)
def test_infeasible_or_bad_parameters(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        zd_vector(**kwargs)


def test_zd_co_player_computes_its_vector_per_game(versus):
    extort = make_co_player("zd_extort_2")
    assert isinstance(extort, ZeroDeterminant)
    assert extort.vector_for(PD).tolist() == pytest.approx(zd_vector(PD, 2).tolist())
    assert not np.allclose(extort.vector_for(AXELROD_PD), extort.vector_for(PD))
    with pytest.raises(ValueError, match="no extortionate zero-determinant strategy"):
        versus(ZeroDeterminant(4), [0, 0, 0], game=CHICKEN)
    with pytest.raises(ValueError, match="chi must be a finite number >= 1"):
        ZeroDeterminant(0.9)
