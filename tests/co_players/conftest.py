import numpy as np
import pytest

from coop_envs.core import PRISONERS_DILEMMA, IteratedGame


def play_versus(co_player, moves, game=PRISONERS_DILEMMA, seed=0):
    """The co-player (seat 1) against scripted moves of seat 0; returns its (B, T) actions.

    ``moves`` is (T,) (the same in every game) or (B, T).
    """
    moves = np.atleast_2d(np.asarray(moves))
    batch, rounds = moves.shape
    rng = np.random.default_rng(seed)
    core = IteratedGame(game, batch_size=batch, num_rounds=rounds)
    core.reset()
    co_player.reset(game.swapped(), batch, rng)
    out = np.empty((batch, rounds), dtype=np.int64)
    for t in range(rounds):
        out[:, t] = co_player.act(core.codes[:, 1].copy(), rng)
        core.step(np.stack([moves[:, t], out[:, t]], axis=1))
    return out


@pytest.fixture
def versus():
    return play_versus
