"""The Axelrod adapter: history fed exactly as axelrod.Match does, and our strategies' twins."""

import builtins
import sys

import numpy as np
import pytest

from co_players import make_co_player
from co_players.axelrod_adapter import AxelrodCoPlayer
from co_players.zero_determinant import zd_check
from coop_envs.core import MatrixGame

axl = pytest.importorskip("axelrod")

AXELROD_GAME = MatrixGame.symmetric("axelrod_pd", R=3, S=0, T=5, P=1)  # axelrod's default
ROUNDS = 60

DETERMINISTIC = [
    "Cooperator",
    "Defector",
    "Tit For Tat",
    "Suspicious Tit For Tat",
    "Win-Stay Lose-Shift",
    "Grudger",
    "Tit For 2 Tats",
    "Two Tits For Tat",
    "Alternator",
    "Anti Tit For Tat",
    "Bully",
    "Cycler CCD",
    "Forgiving Tit For Tat",
    "Fool Me Once",
    "Forgetful Grudger",
    "Hard Tit For Tat",
    "Hard Tit For 2 Tats",
    "Gradual",
    "Detective",
    "Adaptive Tit For Tat",
    "Aggravater",
    "Appeaser",
    "BackStabber",
    "DoubleCrosser",
    "EasyGo",
    "Evolved FSM 4",
    "First by Davis",
    "Handshake",
    "Prober",
    "Retaliate",
    "Soft Grudger",
    "Spiteful Tit For Tat",
    "Punisher",
    "Cycler DDC",
]

EQUIVALENT = {
    "always_cooperate": "Cooperator",
    "always_defect": "Defector",
    "tit_for_tat": "Tit For Tat",
    "suspicious_tit_for_tat": "Suspicious Tit For Tat",
    "win_stay_lose_shift": "Win-Stay Lose-Shift",
    "grim_trigger": "Grudger",
    "tit_for_two_tats": "Tit For 2 Tats",
    "two_tits_for_tat": "Two Tits For Tat",
}


def opponent_moves(seed, rounds=ROUNDS):
    return np.random.default_rng(seed).integers(0, 2, size=rounds)


def axelrod_match(name, moves):
    """What the strategy plays in axelrod.Match against a scripted opponent (unknown length)."""
    scripted = axl.MockPlayer(actions=[axl.Action.C if m == 0 else axl.Action.D for m in moves])
    match = axl.Match(
        (find(name)(), scripted),
        turns=len(moves),
        game=axl.Game(r=3, s=0, t=5, p=1),
        match_attributes={"length": -1},
    )
    return [0 if own == axl.Action.C else 1 for own, _ in match.play()]


def find(name):
    return {s.name: s for s in axl.all_strategies}[name]


@pytest.mark.parametrize("name", DETERMINISTIC)
@pytest.mark.parametrize("seed", [0, 1])
def test_adapter_plays_exactly_as_axelrod_match(name, seed, versus):
    assert not axl.Classifiers["stochastic"](find(name)())
    moves = opponent_moves(seed)
    ours = versus(AxelrodCoPlayer(name), moves, game=AXELROD_GAME)[0].tolist()
    assert ours == axelrod_match(name, moves)


@pytest.mark.parametrize("ours,theirs", list(EQUIVALENT.items()))
def test_our_strategies_equal_their_axelrod_twins(ours, theirs, versus):
    moves = np.stack([opponent_moves(s, 100) for s in range(8)])
    mine = versus(make_co_player(ours), moves, game=AXELROD_GAME)
    adapted = versus(AxelrodCoPlayer(theirs), moves, game=AXELROD_GAME)
    np.testing.assert_array_equal(mine, adapted)


def axelrod_four_vector(player):
    """P(C) after CC, CD, DC, DD of an Axelrod memory-one player in Axelrod's default game."""
    player.set_match_attributes(game=axl.Game(r=3, s=0, t=5, p=1))
    c, d = axl.Action.C, axl.Action.D
    return np.array([player._four_vector[k] for k in [(c, c), (c, d), (d, c), (d, d)]])


def test_memory_one_vectors_agree_with_axelrod():
    ours = make_co_player("generous_tit_for_tat").vector_for(AXELROD_GAME)[1:]
    np.testing.assert_allclose(ours, axelrod_four_vector(axl.GTFT()))
    extort = axelrod_four_vector(axl.ZDExtort2())
    assert zd_check(extort, AXELROD_GAME).enforces(chi=2, kappa=AXELROD_GAME.P)


def test_stochastic_strategies_are_seeded_from_the_env_generator(versus):
    moves = np.stack([opponent_moves(s) for s in range(4)])
    first = versus(make_co_player("axelrod:Random"), moves, seed=3)
    again = versus(make_co_player("axelrod:Random"), moves, seed=3)
    other = versus(make_co_player("axelrod:Random"), moves, seed=4)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    assert 0.35 < first.mean() < 0.65


def test_registry_prefix_and_class_names():
    assert make_co_player("axelrod:Tit For Tat").name == "axelrod:Tit For Tat"
    assert make_co_player("axelrod:TitForTat").prototype.name == "Tit For Tat"


def test_unknown_and_unsupported_strategies():
    with pytest.raises(
        ValueError, match=r"unknown Axelrod strategy 'Tit For Tatt'; did you mean: Tit For Tat"
    ):
        AxelrodCoPlayer("Tit For Tatt")
    with pytest.raises(
        ValueError,
        match=r"'Darwin' is not supported: it has \w+=True, and a co-player sees only the history",
    ):
        AxelrodCoPlayer("Darwin")
    with pytest.raises(TypeError, match="must be an Axelrod strategy name, class or player"):
        AxelrodCoPlayer(3)


@pytest.mark.parametrize("name", ["ZD-GEN-2", "Meta Majority"])
def test_a_strategy_that_cannot_adapt_to_the_payoffs_says_so(name):
    from coop_envs.core import PRISONERS_DILEMMA

    player = AxelrodCoPlayer(name)
    with pytest.raises(
        ValueError,
        match=rf"'{name}' cannot be built for 'prisoners_dilemma' on its payoff scale "
        r"\(R, S, T, P\) = \(1, -1, 2, 0\)",
    ):
        player.reset(PRISONERS_DILEMMA, 2, np.random.default_rng(0))


def test_asymmetric_game_is_refused(versus):
    from coop_envs.core import MATCHING_PENNIES

    with pytest.raises(ValueError, match="need a symmetric game"):
        versus(AxelrodCoPlayer("Tit For Tat"), [0, 1], game=MATCHING_PENNIES)


def test_missing_axelrod_gives_the_install_command(monkeypatch):
    real_import = builtins.__import__

    def no_axelrod(name, *args, **kwargs):
        if name == "axelrod":
            raise ImportError("No module named 'axelrod'")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "axelrod", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_axelrod)
    with pytest.raises(ImportError, match=r"pip install -c constraints.txt 'coop-envs\[axelrod\]'"):
        make_co_player("axelrod:Tit For Tat")
