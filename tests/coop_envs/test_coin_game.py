"""The Coin Game core: rewards as a table, moves, respawns, observations, chance, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from coop_envs.core.coin_game import (
    DOWN,
    LEFT,
    OTHER,
    OTHER_COIN,
    OWN,
    OWN_COIN,
    RIGHT,
    STAY,
    UP,
    CoinGame,
    coin_grid,
    uniform_free_cells,
)
from coop_envs.core.contract import BatchedGame

# Cells of the 3x3 grid: c = 3 * row + col. Scenario: (player 0, player 1, red coin, blue coin),
# (action 0, action 1) -> (reward 0, reward 1); JaxMARL's payoff [[1, 1, -2], [1, 1, -2]].
REWARD_TABLE = [
    ((0, 8, 1, 5), (RIGHT, STAY), (1.0, 0.0)),  # red picks red
    ((0, 8, 5, 1), (RIGHT, STAY), (1.0, -2.0)),  # red picks blue
    ((0, 4, 8, 5), (STAY, RIGHT), (0.0, 1.0)),  # blue picks blue
    ((0, 4, 5, 8), (STAY, RIGHT), (-2.0, 1.0)),  # blue picks red
    ((3, 5, 4, 0), (RIGHT, LEFT), (-1.0, 1.0)),  # both step onto the red coin
    ((0, 8, 1, 7), (RIGHT, LEFT), (1.0, 1.0)),  # each picks its own
    ((0, 8, 7, 1), (RIGHT, LEFT), (-1.0, -1.0)),  # each picks the other's
    ((0, 8, 4, 2), (STAY, STAY), (0.0, 0.0)),  # nothing picked
]


def started(batch_size: int = 1, seed: int = 0, **kwargs) -> CoinGame:
    game = CoinGame(batch_size=batch_size, **kwargs)
    game.reset(np.random.default_rng(seed))
    return game


def test_implements_the_contract():
    game = started()
    assert isinstance(game, BatchedGame)
    assert game.spec.num_actions == 5 and game.spec.observation_shape == (36,)
    assert CoinGame(flatten=False).spec.observation_shape == (4, 3, 3)
    assert game.spec.num_rounds == 16 and game.spec.reward_range == (-2.0, 1.0)


def test_rewards_table():
    game = started(len(REWARD_TABLE))
    game.set_positions([row[0] for row in REWARD_TABLE])
    rewards, done = game.step(np.array([row[1] for row in REWARD_TABLE]))
    assert rewards.dtype == np.float32 and rewards.shape == (len(REWARD_TABLE), 2)
    np.testing.assert_array_equal(rewards, [row[2] for row in REWARD_TABLE])
    np.testing.assert_array_equal(game.returns, rewards)
    assert not done
    assert game.own_coins.tolist() == [
        [1, 0],
        [0, 0],
        [0, 1],
        [0, 0],
        [1, 0],  # both on the red coin: red's own, blue's other
        [1, 1],
        [0, 0],
        [0, 0],
    ]
    assert game.other_coins.tolist() == [
        [0, 0],
        [1, 0],
        [0, 0],
        [0, 1],
        [0, 1],
        [0, 0],
        [1, 1],
        [0, 0],
    ]


@pytest.mark.parametrize(
    ("start", "action", "end"),
    [
        (2, RIGHT, 0),
        (0, LEFT, 2),
        (0, DOWN, 6),
        (6, UP, 0),
        (4, STAY, 4),
        (4, UP, 7),
        (4, RIGHT, 5),
    ],
)
def test_moves_wrap_around_the_torus(start, action, end):
    game = started()
    far = [c for c in range(9) if c not in (start, end)]
    game.set_positions([[start, far[0], far[1], far[2]]])
    game.step([[action, STAY]])
    assert game.positions[0, 0] == end


def test_coins_respawn_on_free_cells_only_when_picked():
    game = started(4096, seed=1)
    rng = np.random.default_rng(2)
    respawned = np.zeros(9, dtype=np.int64)
    while not game.done:
        before = game.positions
        game.step(rng.integers(0, 5, (4096, 2)))
        after = game.positions
        for coin in (2, 3):
            assert (after[:, coin] != after[:, 0]).all() and (after[:, coin] != after[:, 1]).all()
        assert (after[:, 2] != after[:, 3]).all()
        picked_red = (after[:, 0] == before[:, 2]) | (after[:, 1] == before[:, 2])
        assert (after[~picked_red, 2] == before[~picked_red, 2]).all()
        respawned += np.bincount(after[picked_red, 2], minlength=9)
    assert respawned.min() > 0.5 * respawned.mean()  # every cell is reached


def test_reset_places_four_distinct_objects():
    game = started(2000, seed=3)
    positions = np.sort(game.positions, axis=1)
    assert (np.diff(positions, axis=1) > 0).all()
    assert game.t == 0 and (game.returns == 0).all()


def test_uniform_free_cells_is_uniform_over_the_free_cells():
    occupied = np.tile([[3, 3, 7]], (90_000, 1))
    counts = np.bincount(uniform_free_cells(np.random.default_rng(0), occupied, 9), minlength=9)
    assert counts[3] == counts[7] == 0
    assert np.abs(counts[counts > 0] / 90_000 - 1 / 7).max() < 0.01


def test_observation_from_each_seat():
    game = started(flatten=False)
    game.set_positions([[0, 4, 1, 8]])
    mine, theirs = game.observation(0), game.observation(1)
    assert mine.shape == (1, 4, 3, 3) and mine.dtype == np.float32
    flat = started()
    flat.set_positions([[0, 4, 1, 8]])
    np.testing.assert_array_equal(flat.observation(0), mine.reshape(1, 36))
    cells = mine.reshape(4, 9).argmax(axis=1).tolist()
    assert cells == [0, 4, 1, 8] and mine.sum() == 4
    assert theirs.reshape(4, 9).argmax(axis=1).tolist() == [4, 0, 8, 1]


def test_egocentric_observation_is_centred_on_the_observer():
    game = started(egocentric=True)
    game.set_positions([[0, 4, 1, 8]])
    mine = game.observation(0).reshape(4, 9).argmax(axis=1)
    theirs = game.observation(1).reshape(4, 9).argmax(axis=1)
    # red at (0,0) -> (1,1): blue (1,1) -> (2,2), red coin (0,1) -> (1,2), blue coin (2,2) -> (0,0)
    assert mine.tolist() == [4, 8, 5, 0]
    # blue at (1,1) is already the centre
    assert theirs.tolist() == [4, 0, 8, 1]
    assert mine[OWN] == theirs[OWN] == coin_grid(3).centre
    assert (OWN, OTHER, OWN_COIN, OTHER_COIN) == (0, 1, 2, 3)


def test_same_seed_same_play_other_seed_other_play():
    def play(seed):
        game = started(64, seed=seed)
        actions = np.random.default_rng(9).integers(0, 5, (16, 64, 2))
        trace = [game.observation(0), game.observation(1)]
        for a in actions:
            rewards, _ = game.step(a)
            trace += [rewards, game.observation(0), game.observation(1)]
        return trace

    first, again, other = play(5), play(5), play(6)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(first, other, strict=True))


def test_cooperation_rate_is_share_of_own_coins_and_zero_without_picks():
    game = started(3)
    game.set_positions([[0, 8, 1, 5], [0, 8, 5, 1], [0, 8, 4, 2]])
    game.step([[RIGHT, STAY]] * 3)
    np.testing.assert_array_equal(game.cooperation_rate(), [[1.0, 0.0], [0.0, 0.0], [0.0, 0.0]])


def test_episode_ends_after_num_rounds():
    game = started(num_rounds=2)
    assert not game.step([[STAY, STAY]])[1]
    assert game.step([[STAY, STAY]])[1] and game.done
    with pytest.raises(ValueError, match="all 2 rounds were played; call reset"):
        game.step([[STAY, STAY]])


def test_render():
    game = started(2)
    game.set_positions([[0, 4, 1, 8], [0, 0, 1, 8]])
    image = game.render_rgb(0)
    assert image.shape == (48, 48, 3) and image.dtype == np.uint8
    assert image[40, 8].tolist() == [200, 30, 30]  # red player in the bottom-left cell
    assert image[24, 24].tolist() == [30, 60, 200]  # blue player in the centre
    shared = game.render_rgb(1)
    assert shared[40, 4].tolist() == [200, 30, 30] and shared[40, 12].tolist() == [30, 60, 200]
    assert game.render_text(1).splitlines()[3] == "* r ."


def test_bad_input():
    with pytest.raises(ValueError, match="grid_size must be an int >= 2; got 1"):
        CoinGame(grid_size=1)
    with pytest.raises(ValueError, match="grid_size must be at most 16; got 17"):
        CoinGame(grid_size=17)
    with pytest.raises(TypeError, match=r"grid_size must be an int >= 2; got 3.0 \(float\)"):
        CoinGame(grid_size=3.0)
    with pytest.raises(ValueError, match="num_rounds must be a positive int; got 0"):
        CoinGame(num_rounds=0)
    with pytest.raises(ValueError, match="batch_size must be a positive int; got 0"):
        CoinGame(batch_size=0)
    with pytest.raises(TypeError, match="egocentric must be a bool; got 'yes'"):
        CoinGame(egocentric="yes")
    with pytest.raises(TypeError, match="flatten must be a bool; got 1"):
        CoinGame(flatten=1)
    with pytest.raises(ValueError, match="observation entries"):
        CoinGame(batch_size=200_000, grid_size=16)
    game = CoinGame(batch_size=2)
    with pytest.raises(ValueError, match=r"call reset\(\) before step"):
        game.step([[0, 0], [0, 0]])
    with pytest.raises(TypeError, match=r"rng must be a numpy.random.Generator.*got int"):
        game.reset(3)
    game.reset(np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"actions must have shape \(2, 2\); got \(2,\)"):
        game.step([0, 0])
    with pytest.raises(ValueError, match=r"got 5 at index \(1, 0\)"):
        game.step([[0, 0], [5, 0]])
    with pytest.raises(ValueError, match=r"got -1 at index \(0, 1\)"):
        game.step([[0, -1], [0, 0]])
    with pytest.raises(TypeError, match=r"must be integers.*got dtype float64"):
        game.step([[0.0, 1.0], [0.0, 0.0]])
    with pytest.raises(ValueError, match=r"player must be a seat in 0..1; got 2"):
        game.observation(2)
    with pytest.raises(ValueError, match="a coin may not share a cell"):
        game.set_positions([[0, 1, 0, 2], [0, 1, 2, 3]])
    with pytest.raises(ValueError, match=r"cells in 0..8; got"):
        game.set_positions([[0, 1, 9, 2], [0, 1, 2, 3]])
    with pytest.raises(ValueError, match=r"row \(a game in 0..1\) must be at most 1; got 2"):
        game.render_rgb(2)
