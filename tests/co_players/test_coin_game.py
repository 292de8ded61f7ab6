"""Coin Game co-players, checked by behaviour in played games and in scripted positions."""

from __future__ import annotations

import numpy as np
import pytest

from co_players.coin_game import (
    COIN_GAME_CO_PLAYERS,
    RANDOM_MOVE,
    Bandit,
    EventTracker,
    Greedy,
    OwnCoin,
    RandomReactive,
    Reciprocator,
    decode,
    make_coin_game_co_player,
)
from co_players.memory_one import tabular_split
from coop_envs.core.coin_game import DOWN, LEFT, RIGHT, UP, CoinGame, coin_grid
from coop_envs.core.contract import GameSpec


class RandomMoves:
    def reset(self, spec, batch_size, rng):
        self.batch_size = batch_size

    def act(self, obs, rng):
        return rng.integers(0, 5, self.batch_size)


def play(first, second, batch_size=512, seed=0, egocentric=False, num_rounds=16, trace=None):
    """Play one episode of two co-players; ``trace(game, actions)`` sees every round."""
    game = CoinGame(batch_size, num_rounds, egocentric=egocentric, flatten=not egocentric)
    rng = np.random.default_rng(seed)
    game.reset(rng)
    for player in (first, second):
        player.reset(game.spec, batch_size, rng)
    while not game.done:
        actions = np.stack(
            [first.act(game.observation(0), rng), second.act(game.observation(1), rng)], 1
        )
        if trace is not None:
            trace(game, actions)
        game.step(actions)
    return game


def one_position(cells, seat=0):
    """A single game at ``cells`` (player 0, player 1, red coin, blue coin) from ``seat``."""
    game = CoinGame(1)
    game.reset(np.random.default_rng(0))
    game.set_positions([cells])
    return game.spec, game.observation(seat)


@pytest.mark.parametrize("egocentric", [False, True])
@pytest.mark.parametrize("opponent", [RandomMoves, Greedy])
def test_own_coin_never_takes_the_other_coin(egocentric, opponent):
    game = play(OwnCoin(), opponent(), egocentric=egocentric)
    assert game.other_coins[:, 0].sum() == 0 and game.own_coins[:, 0].sum() > 512
    game = play(opponent(), OwnCoin(), egocentric=egocentric, seed=1)
    assert game.other_coins[:, 1].sum() == 0 and game.own_coins[:, 1].sum() > 512


@pytest.mark.parametrize(
    ("cells", "own_coin", "greedy"),
    [
        ((0, 8, 4, 1), UP, RIGHT),  # other coin in the way: own coin goes round, greedy takes it
        ((0, 8, 2, 1), LEFT, LEFT),  # own coin one step left across the edge; tie goes to own
        ((0, 8, 4, 6), RIGHT, DOWN),  # down wraps from row 0 to row 2
    ],
)
def test_scripted_moves(cells, own_coin, greedy):
    spec, obs = one_position(cells)
    for player, expected in ((OwnCoin(), own_coin), (Greedy(), greedy)):
        player.reset(spec, 1, np.random.default_rng(0))
        assert player.act(obs, np.random.default_rng(0)).tolist() == [expected]


def test_own_coin_detours_when_its_only_shortest_move_is_onto_the_other_coin():
    game = CoinGame(1, grid_size=6)
    game.reset(np.random.default_rng(0))
    game.set_positions([[0, 14, 2, 1]])  # own coin two steps right, the other coin in between
    player = OwnCoin()
    player.reset(game.spec, 1, np.random.default_rng(0))
    assert player.act(game.observation(0), np.random.default_rng(0)).tolist() == [
        LEFT
    ]  # first detour


@pytest.mark.parametrize("egocentric", [False, True])
def test_event_tracker_reads_the_rewards_the_game_paid(egocentric):
    grid = coin_grid(3)
    trackers = [EventTracker(grid, 256), EventTracker(grid, 256)]
    paid, read = [], []

    def trace(game, actions):
        for seat in (0, 1):
            trackers[seat].update(decode(game.observation(seat), grid))
        if game.t > 0:
            read.append(np.stack([trackers[0].reward, trackers[1].reward], 1))
            paid.append(game.returns - previous[0])
        previous[0] = game.returns
        for seat in (0, 1):
            trackers[seat].moved(actions[:, seat])

    previous = [None]
    play(RandomMoves(), Greedy(), batch_size=256, egocentric=egocentric, trace=trace)
    np.testing.assert_array_equal(np.array(read), np.array(paid))
    assert np.abs(np.array(paid)).sum() > 0


def test_reciprocator_punishes_for_k_rounds_after_each_taking():
    rounds = {"greedy": 0, "own": 0}

    def check(game, actions):
        if game.t == 0:
            check.left = np.zeros(len(actions), dtype=np.int64)
            check.before = game.other_coins[:, 0]
        else:
            now = game.other_coins[:, 0]
            check.left = np.where(now > check.before, 3, np.maximum(check.left - 1, 0))
            check.before = now
        obs = game.observation(1)
        for name, bot in (("greedy", Greedy()), ("own", OwnCoin())):
            bot.reset(game.spec, len(actions), np.random.default_rng(0))
            rows = check.left > 0 if name == "greedy" else check.left == 0
            expected = bot.act(obs, np.random.default_rng(0))
            np.testing.assert_array_equal(actions[rows, 1], expected[rows])
            rounds[name] += rows.sum()

    play(Greedy(), Reciprocator(3), batch_size=256, trace=check)
    assert rounds["greedy"] > 100 and rounds["own"] > 100


def test_random_reactive_split_is_disjoint_and_uniform():
    rng = np.random.default_rng(0)
    train, held_out = RandomReactive("train"), RandomReactive("held_out")
    a, b = train.sample(20_000, rng).reshape(-1, 4), held_out.sample(20_000, rng).reshape(-1, 4)
    assert (tabular_split(a, train.cells) == 0).all() and (
        tabular_split(b, held_out.cells) == 1
    ).all()
    assert np.abs(a.mean(axis=0) - 0.5).max() < 0.02 and np.abs(b.mean(axis=0) - 0.5).max() < 0.02


def test_random_reactive_concentration_draws_near_0_or_1_within_the_split():
    rng = np.random.default_rng(0)
    for split, wanted in (("train", 0), ("held_out", 1)):
        player = RandomReactive(split, concentration=0.05)
        table = player.sample(5000, rng).reshape(-1, 4)
        assert (tabular_split(table, player.cells) == wanted).all()
        assert ((table < 0.05) | (table > 0.95)).mean() > 0.8
    uniform = RandomReactive("train").sample(5000, rng).reshape(-1, 4)
    assert ((uniform < 0.05) | (uniform > 0.95)).mean() < 0.15
    assert "concentration=0.05" in repr(RandomReactive("train", concentration=0.05))


def test_random_reactive_with_concentration_keeps_split_cells_and_name():
    base = RandomReactive("held_out", cells=6, name="mine")
    sharp = base.with_concentration(0.05)
    assert (sharp.split, sharp.cells, sharp.name, sharp.concentration) == (
        "held_out",
        6,
        "mine",
        0.05,
    )
    rng = np.random.default_rng(0)
    table = sharp.sample(2000, rng).reshape(-1, 4)
    expected = RandomReactive("held_out", 6, "mine", concentration=0.05).sample(
        2000, np.random.default_rng(0)
    )
    np.testing.assert_array_equal(table, expected.reshape(-1, 4))
    with pytest.raises(ValueError, match="concentration must be a positive number; got 0"):
        base.with_concentration(0)


def test_the_near_deterministic_held_out_pool_is_the_held_out_half_drawn_from_beta():
    pool = make_coin_game_co_player("coin_reactive_near_deterministic_held_out")
    assert (pool.split, pool.concentration, pool.memory) == ("held_out", 0.1, "last")
    drawn = pool.sample(4000, np.random.default_rng(0)).reshape(-1, 4)
    same = RandomReactive("held_out", concentration=0.1).sample(4000, np.random.default_rng(0))
    np.testing.assert_array_equal(drawn, same.reshape(-1, 4))
    assert ((drawn < 0.05) | (drawn > 0.95)).mean() > 0.6  # near-deterministic
    uniform = make_coin_game_co_player("coin_reactive_held_out").sample(
        4000, np.random.default_rng(0)
    )
    assert ((uniform < 0.05) | (uniform > 0.95)).mean() < 0.2


def test_a_grudge_co_player_keeps_its_flag_and_its_memory_through_with_concentration():
    grudge = make_coin_game_co_player("coin_reactive_grudge_held_out")
    assert (grudge.memory, grudge.split) == ("episode", "held_out")
    assert "memory='episode'" in repr(grudge)
    sharp = grudge.with_concentration(0.1)
    assert (sharp.memory, sharp.name, sharp.concentration) == (
        "episode",
        "coin_reactive_grudge_held_out",
        0.1,
    )
    spec = CoinGame(batch_size=3).spec
    for memory, expected in (("last", [1, 0, 0]), ("episode", [1, 1, 1])):
        player = RandomReactive(memory=memory)
        player.reset(spec, 3, np.random.default_rng(0))
        # flag 0: always toward its own coin; flag 1: always toward the other's
        player.parameters = np.repeat([[[1.0, 0.0], [0.0, 1.0]]], 3, axis=0)
        flags = []
        for taken in ([True, False, False], [False, False, False], [False, False, False]):
            player.tracker.taken = np.array(taken)  # as read from the round's observations
            player._act(np.zeros((4, 3), dtype=np.int64), np.random.default_rng(1))
            flags.append(int(player.wronged[0]))
        assert flags == expected, memory


def test_random_reactive_policies_differ_per_game_and_episode():
    game = play(RandomReactive(), OwnCoin(), batch_size=2000)
    rates = game.cooperation_rate()[:, 0]
    assert rates.std() > 0.2  # some rows mostly own coin, some mostly the other's
    player = RandomReactive()
    player.reset(game.spec, 4, np.random.default_rng(0))
    first = player.parameters.copy()
    player.reset(game.spec, 4, np.random.default_rng(1))
    assert not np.allclose(first, player.parameters)


def test_bandit_learns_to_stop_moving_at_random():
    chosen = []

    def trace(game, actions):
        chosen.append(bandit._last[1].copy())

    bandit = Bandit(epsilon=0.1)
    play(bandit, OwnCoin(), batch_size=512, num_rounds=100, trace=trace)
    chosen = np.array(chosen)
    early, late = (chosen[:10] == RANDOM_MOVE).mean(), (chosen[-20:] == RANDOM_MOVE).mean()
    assert late < 0.1 < early
    assert (bandit.values[:, 0, RANDOM_MOVE] < bandit.values[:, 0, :2].max(axis=1)).mean() > 0.8


def test_same_seed_same_play():
    for name in COIN_GAME_CO_PLAYERS:
        games = [play(make_coin_game_co_player(name), Greedy(), 64, seed=3) for _ in range(2)]
        np.testing.assert_array_equal(games[0].returns, games[1].returns)


def test_bad_input():
    with pytest.raises(
        ValueError, match="unknown Coin Game co-player 'greedy'; known ids: coin_own_coin"
    ):
        make_coin_game_co_player("greedy")
    with pytest.raises(TypeError, match="co-player id must be a str; got 3"):
        make_coin_game_co_player(3)
    player = OwnCoin()
    other = GameSpec("public_goods", 4, 2, (5,), 0.0, 1.0, 100, ("C", "K"), (0.0, 2.0))
    with pytest.raises(ValueError, match=r"plays the Coin Game .* got 'public_goods'"):
        player.reset(other, 4, np.random.default_rng(0))
    with pytest.raises(TypeError, match="reset with the game's GameSpec; got str"):
        player.reset("coin_game", 4, np.random.default_rng(0))
    spec, obs = one_position((0, 8, 4, 1))
    player.reset(spec, 1, np.random.default_rng(0))
    with pytest.raises(
        ValueError, match=r"obs must have shape \(B, 36\) or \(B, 4, 3, 3\); got \(1, 35\)"
    ):
        player.act(obs[:, :35], np.random.default_rng(0))
    with pytest.raises(ValueError, match="split must be None, 'train' or 'held_out'; got 'test'"):
        RandomReactive("test")
    with pytest.raises(ValueError, match="concentration must be a positive number; got 0"):
        RandomReactive("train", concentration=0)
    with pytest.raises(ValueError, match="punishment must be a positive int; got 0"):
        Reciprocator(0)
    with pytest.raises(ValueError, match=r"epsilon must be in \[0, 1\]; got 2"):
        Bandit(epsilon=2)


class LinearAgent:
    """A frozen one-layer policy over the flat observation (the shape of a neural agent)."""

    protocol = "agent"

    def __init__(self):
        self.weights = np.random.default_rng(0).normal(size=(36, 5))

    def reset(self, num_envs, seed=None):
        self.num_envs = num_envs

    def act(self, observations):
        return (observations @ self.weights).argmax(axis=1)


def test_a_frozen_agent_is_a_coin_game_co_player():
    import gymnasium as gym

    import coop_envs  # noqa: F401

    agent = LinearAgent()
    env = gym.make("coop_envs/CoinGame-v0", co_player=agent)
    env.reset(seed=0)
    core = env.unwrapped.core
    for action in range(5):
        theirs = (core.observation(1) @ agent.weights).argmax(axis=1)[0]
        _, _, _, _, info = env.step(action)
        assert info["co_player_action"] == theirs
