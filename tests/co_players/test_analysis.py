import gymnasium as gym
import numpy as np
import pytest

import coop_envs  # noqa: F401
from co_players import MemoryOne, make_co_player
from co_players import memory_one as m1
from co_players.analysis import (
    best_response,
    discounted_payoffs,
    expected_payoffs,
    long_run_payoffs,
    main,
    transition_matrix,
)
from coop_envs.core import CHICKEN, PRISONERS_DILEMMA, STAG_HUNT, IteratedGame

TFT, ALLD, ALLC = m1.TIT_FOR_TAT, m1.ALWAYS_DEFECT, m1.ALWAYS_COOPERATE
STFT, WSLS = m1.SUSPICIOUS_TIT_FOR_TAT, m1.WIN_STAY_LOSE_SHIFT


@pytest.mark.parametrize(
    "p,q,rounds,expected",
    [
        (TFT, ALLD, 100, (-0.01, 0.02)),  # sucker once, then mutual defection
        (ALLD, TFT, 100, (0.02, -0.01)),
        (WSLS, TFT, 100, (1.0, 1.0)),
        (ALLC, ALLD, 10, (-1.0, 2.0)),
        (TFT, STFT, 100, (0.5, 0.5)),  # alternating CD / DC
        (WSLS, ALLD, 100, (-0.5, 1.0)),  # WSLS alternates C, D against a defector
        (TFT, TFT, 7, (1.0, 1.0)),
    ],
)
def test_closed_forms(p, q, rounds, expected):
    assert expected_payoffs(p, q, rounds=rounds)[0] == pytest.approx(expected)


def test_long_run_and_discounted_limits():
    assert long_run_payoffs(TFT, STFT)[0] == pytest.approx((0.5, 0.5), abs=1e-6)
    assert long_run_payoffs(TFT, ALLD)[0] == pytest.approx((0.0, 0.0), abs=1e-6)
    # TFT vs TFT is not ergodic: the long run depends on the first moves
    assert long_run_payoffs([0, 1, 0, 1, 0], [0, 1, 0, 1, 0])[0] == pytest.approx((0, 0), abs=1e-6)
    rng = np.random.default_rng(0)
    p, q = rng.random((20, 5)), rng.random((20, 5))
    np.testing.assert_allclose(
        long_run_payoffs(p, q), expected_payoffs(p, q, rounds=20000), atol=2e-3
    )
    # discounted sum written out over a long horizon
    delta = 0.9
    initial, transition = transition_matrix(p, q)
    state, total = initial, np.zeros((20, 2))
    for t in range(400):
        total += (1 - delta) * delta**t * state @ PRISONERS_DILEMMA.payoffs.reshape(4, 2)
        state = np.einsum("bi,bij->bj", state, transition)
    np.testing.assert_allclose(discounted_payoffs(p, q, discount=delta), total, atol=1e-10)


def simulate(p, q, game, episodes=20000, rounds=100, seed=0):
    """Mean per-round payoffs of memory-one p (seat 0) vs q (seat 1) through the core."""
    rng = np.random.default_rng(seed)
    core = IteratedGame(game, episodes, rounds)
    core.reset()
    players = [MemoryOne(p), MemoryOne(q)]
    players[0].reset(game, episodes, rng)
    players[1].reset(game.swapped(), episodes, rng)
    joint = np.zeros((episodes, 2), dtype=np.int64)
    while not core.done:
        joint[:, 0] = players[0].act(core.codes[:, 0], rng)
        joint[:, 1] = players[1].act(core.codes[:, 1], rng)
        core.step(joint)
    per_episode = core.returns / rounds
    return per_episode.mean(axis=0), per_episode.std(axis=0) / np.sqrt(episodes)


@pytest.mark.parametrize("game", [PRISONERS_DILEMMA, STAG_HUNT, CHICKEN], ids=lambda g: g.name)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exact_payoffs_agree_with_monte_carlo(game, seed):
    rng = np.random.default_rng(100 + seed)
    p, q = rng.random(5), rng.random(5)
    mean, sem = simulate(p, q, game, seed=seed)
    exact = expected_payoffs(p, q, game)[0]
    assert np.all(np.abs(mean - exact) < 4 * sem + 1e-9), (mean, exact, sem)


def test_best_response_closed_forms():
    vs_tft = best_response(TFT, rounds=100)
    assert vs_tft.value[0] == pytest.approx(1.01)  # cooperate, defect in the last round
    assert vs_tft.policy[0, :99, 1].tolist() == [0] * 99 and vs_tft.policy[0, 99, 1] == 1
    assert best_response(ALLC).value[0] == pytest.approx(2.0)
    assert best_response(ALLD).value[0] == pytest.approx(0.0)
    assert (best_response(ALLD).policy == 1).all()
    # against WSLS, exploiting (T, P, T, P, ...) is worth (T + P) / 2 = R: no better than
    # cooperating; the end game adds one temptation
    assert best_response(WSLS, rounds=100).value[0] == pytest.approx(1.01)


def test_best_response_beats_every_memory_one_strategy():
    rng = np.random.default_rng(3)
    q = rng.random((50, 5))
    best = best_response(q, rounds=30).value
    for p in rng.random((200, 5)):
        assert (expected_payoffs(p, q, rounds=30)[:, 0] <= best + 1e-12).all()


def test_best_response_value_agrees_with_play_through_the_vector_env():
    q = np.array([0.7, 0.9, 0.2, 0.6, 0.3])
    best = best_response(q, rounds=100)
    episodes = 20000
    envs = gym.make_vec(
        "coop_envs/IteratedPrisonersDilemma-v0", num_envs=episodes, co_player=MemoryOne(q)
    )
    obs, _ = envs.reset(seed=0)
    total = np.zeros(episodes)
    for t in range(100):
        codes = obs[:, :5].argmax(axis=1)
        obs, rewards, *_ = envs.step(best.policy[0, t, codes].astype(np.int64))
        total += rewards
    per_round = total / 100
    sem = per_round.std() / np.sqrt(episodes)
    assert abs(per_round.mean() - best.value[0]) < 4 * sem


def test_mean_best_response_against_random_tabular_is_the_papers_ceiling(capsys):
    assert main(["--co-players", "3000", "--seed", "0"]) == 0
    out = capsys.readouterr().out
    value = float(out.split("exact best response:")[1].split()[0])
    assert 1.03 < value < 1.065  # PAPER.md: about 1.047


def test_zd_extortioner_against_its_best_response():
    extort = make_co_player("zd_extort_2").vector_for(PRISONERS_DILEMMA)
    best = best_response(extort, rounds=200)
    # the victim's best reply is to cooperate (until the end): the extortioner then gets more
    assert best.policy[0, :150, 1:].mean() < 0.2  # mostly C
    assert best.value[0] > 0.3


@pytest.mark.parametrize(
    "call,error,pattern",
    [
        (
            lambda: expected_payoffs(TFT, ALLD, rounds=0),
            ValueError,
            "rounds must be a positive int; got 0",
        ),
        (
            lambda: expected_payoffs(np.ones((3, 5)), np.ones((2, 5))),
            ValueError,
            r"same batch size .* got \(3, 5\) and \(2, 5\)",
        ),
        (
            lambda: expected_payoffs([1, 2, 0, 0, 0], TFT),
            ValueError,
            r"p must be probabilities in \[0, 1\]",
        ),
        (lambda: best_response(TFT, rounds=0), ValueError, "rounds must be a positive int; got 0"),
        (
            lambda: discounted_payoffs(TFT, TFT, discount=1.0),
            ValueError,
            r"discount must be in \[0, 1\)",
        ),
    ],
)
def test_bad_input(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()
